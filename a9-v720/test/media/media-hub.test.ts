import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CameraTimeoutError, CameraUnavailableError } from '../../src/camera/control.js';
import { MediaHub, type MediaHubOptions } from '../../src/media/media-hub.js';
import { captureLog, type CapturedLog } from '../support/log-capture.js';

interface Harness {
  hub: MediaHub;
  calls: string[];
  online: Set<string>;
  log: CapturedLog;
}

function harness(overrides: Partial<MediaHubOptions> = {}): Harness {
  const calls: string[] = [];
  const online = new Set(['camA', 'camB']);
  const log = captureLog();
  const hub = new MediaHub({
    openStream: (id) => {
      calls.push(`open ${id}`);
      return Promise.resolve();
    },
    closeStream: (id) => {
      calls.push(`close ${id}`);
      return Promise.resolve();
    },
    isOnline: (id) => online.has(id),
    logger: log.logger,
    lingerMs: 50,
    watchdogMs: 10_000,
    freshFrameMs: 1000,
    ...overrides,
  });
  return { hub, calls, online, log };
}

const jpeg = (n: number): Buffer => Buffer.from([0xff, 0xd8, n, 0xff, 0xd9]);

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test('first subscriber opens once; two subscribers and a snapshot share that one open', async () => {
  const { hub, calls } = harness();
  const a: Buffer[] = [];
  const b: Buffer[] = [];
  const subA = hub.subscribeVideo('camA', (f) => a.push(f));
  const subB = hub.subscribeVideo('camA', (f) => b.push(f));
  const snap = hub.snapshot('camA', 1000);
  await sleep(5);
  assert.deepEqual(calls, ['open camA']);
  hub.pushFrame('camA', jpeg(1));
  hub.pushFrame('camA', jpeg(2));
  assert.deepEqual(await snap, jpeg(1));
  assert.deepEqual(a, [jpeg(1), jpeg(2)]);
  assert.deepEqual(b, [jpeg(1), jpeg(2)]);
  assert.equal(hub.stats('camA').videoConsumers, 2);
  subA.unsubscribe();
  subB.unsubscribe();
  subB.unsubscribe(); // idempotent
  assert.equal(hub.stats('camA').opens, 1);
  await hub.stop();
});

test('the last consumer leaving closes after the linger time, unless a new one arrives', async () => {
  const { hub, calls } = harness({ lingerMs: 80 });
  const first = hub.subscribeVideo('camA', () => {});
  first.unsubscribe();
  await sleep(20);
  const second = hub.subscribeAudio('camA', () => {}); // arrives within the linger
  await sleep(120);
  assert.deepEqual(calls, ['open camA'], 'no close while the audio consumer is there');
  second.unsubscribe();
  assert.equal(hub.stats('camA').streamOpen, true, 'still lingering');
  await until(() => calls.length === 2);
  assert.deepEqual(calls, ['open camA', 'close camA']);
  assert.equal(hub.stats('camA').streamOpen, false);
  hub.subscribeVideo('camA', () => {});
  await until(() => calls.length === 3);
  assert.equal(calls[2], 'open camA', 'a later consumer opens again');
  await hub.stop();
});

test('snapshot: fresh frame at once, stale frame waits for the next one, timeout and offline reject', async () => {
  let clock = 1_000_000;
  const { hub, calls } = harness({ now: () => clock });
  hub.pushFrame('camA', jpeg(1)); // frames may arrive with nobody watching (during linger)
  assert.deepEqual(await hub.snapshot('camA', 100), jpeg(1));
  assert.deepEqual(calls, [], 'a fresh frame needs no stream');

  clock += 5000; // the frame is now stale
  const waiting = hub.snapshot('camA', 1000);
  await sleep(5);
  assert.deepEqual(calls, ['open camA']);
  assert.equal(hub.stats('camA').snapshotWaiters, 1);
  hub.pushFrame('camA', jpeg(2));
  assert.deepEqual(await waiting, jpeg(2));
  assert.equal(hub.stats('camA').snapshotWaiters, 0);
  assert.deepEqual(hub.latestFrame('camA'), { jpeg: jpeg(2), at: clock, seq: 2 });

  clock += 5000;
  await assert.rejects(hub.snapshot('camA', 50), (e) => e instanceof CameraTimeoutError && e.cameraId === 'camA');
  await assert.rejects(hub.snapshot('nope', 50), (e) => e instanceof CameraUnavailableError);
  await until(() => calls.at(-1) === 'close camA');
  await hub.stop();
});

test('cameraOffline ends every consumer of that camera only, and rejects waiting snapshots', async () => {
  const { hub, online } = harness();
  const ends: string[] = [];
  const frames: string[] = [];
  hub.subscribeVideo(
    'camA',
    () => frames.push('A'),
    (r) => ends.push(`video A ${r}`),
  );
  hub.subscribeAudio(
    'camA',
    () => {},
    (r) => ends.push(`audio A ${r}`),
  );
  hub.subscribeVideo(
    'camB',
    () => frames.push('B'),
    (r) => ends.push(`video B ${r}`),
  );
  const snap = hub.snapshot('camA', 5000);
  online.delete('camA');
  hub.cameraOffline('camA');
  assert.deepEqual(ends.sort(), ['audio A offline', 'video A offline']);
  await assert.rejects(snap, CameraUnavailableError);
  hub.pushFrame('camA', jpeg(1));
  hub.pushFrame('camB', jpeg(1));
  assert.deepEqual(frames, ['B'], 'camera B is unaffected');
  assert.deepEqual(hub.stats('camA').videoConsumers, 0);
  assert.throws(() => hub.subscribeVideo('camA', () => {}), CameraUnavailableError);
  await hub.stop();
  assert.deepEqual(ends.at(-1), 'video B hub-closed');
});

test('the watchdog restarts a silent stream with backoff, and a frame resets it', async () => {
  const { hub, calls, log } = harness({ watchdogMs: 60, watchdogMaxBackoffMs: 1000 });
  hub.subscribeVideo('camA', () => {});
  await until(() => calls.filter((c) => c === 'open camA').length >= 3, 3000);
  const restarts = hub.stats('camA').watchdogRestarts;
  assert.ok(restarts >= 2, `at least 2 watchdog restarts, got ${restarts}`);
  assert.deepEqual(calls.slice(0, 5), ['open camA', 'close camA', 'open camA', 'close camA', 'open camA']);
  assert.ok(log.about('camA', /^no media for \d+ ms/), 'the restart is logged');
  // Frames keep flowing → no more restarts.
  const feeder = setInterval(() => hub.pushFrame('camA', jpeg(1)), 10);
  await sleep(50);
  const before = hub.stats('camA').watchdogRestarts;
  await sleep(300);
  clearInterval(feeder);
  assert.equal(hub.stats('camA').watchdogRestarts, before);
  await hub.stop();
});

test('a failing openStream is logged once and does not crash; the snapshot times out', async () => {
  const { hub, log } = harness({
    openStream: () => Promise.reject(new Error('camera not in command mode')),
  });
  await assert.rejects(hub.snapshot('camA', 80), CameraTimeoutError);
  const failures = log.lines.filter(
    (l) => l['camera'] === 'camA' && /^opening the media stream failed: camera not in command mode$/.test(l.msg),
  );
  assert.equal(failures.length, 1);
  assert.equal(hub.stats('camA').openFailures, 1);
  await hub.stop();
});

test('a throwing consumer does not starve the others', async () => {
  const { hub, log } = harness();
  const got: Buffer[] = [];
  hub.subscribeVideo('camA', () => {
    throw new Error('boom');
  });
  hub.subscribeVideo('camA', (f) => got.push(f));
  hub.pushFrame('camA', jpeg(3));
  assert.deepEqual(got, [jpeg(3)]);
  assert.ok(log.about('camA', /^a media consumer threw: boom/), 'the throwing consumer is logged');
  await hub.stop();
});

test('cameras are independent', async () => {
  const { hub, calls } = harness();
  const a = hub.subscribeVideo('camA', () => {});
  hub.subscribeVideo('camB', () => {});
  a.unsubscribe();
  await until(() => calls.includes('close camA'));
  assert.ok(!calls.includes('close camB'), `camB stays open: ${calls.join(', ')}`);
  assert.equal(hub.stats('camB').streamOpen, true);
  await hub.stop();
});

test('a hung openStream does not wedge later open/close calls', async () => {
  const calls: string[] = [];
  const { hub, log } = harness({
    operationTimeoutMs: 50,
    openStream: (id) => {
      calls.push(`open ${id}`);
      return calls.length === 1 ? new Promise<void>(() => {}) : Promise.resolve();
    },
    closeStream: (id) => {
      calls.push(`close ${id}`);
      return Promise.resolve();
    },
  });
  const sub = hub.subscribeVideo('camA', () => {});
  sub.unsubscribe();
  await until(() => calls.includes('close camA'));
  assert.ok(log.find(/openStream did not settle within 50 ms/), 'the unsettled openStream is logged');
  await hub.stop();
});

test('forget drops a camera’s cached frame and counters and ends its viewers', async () => {
  const { hub } = harness({});
  hub.pushFrame('camA', jpeg(1));
  hub.pushFrame('camB', jpeg(2));
  const ends: string[] = [];
  hub.subscribeVideo(
    'camA',
    () => {},
    (reason) => ends.push(reason),
  );
  hub.forget('camA');
  assert.equal(hub.latestFrame('camA'), undefined);
  assert.equal(hub.stats('camA').framesIn, 0);
  assert.deepEqual(ends, ['offline']);
  assert.deepEqual(hub.latestFrame('camB')?.seq, 1, 'other cameras keep theirs');
  hub.pushFrame('camA', jpeg(3));
  assert.equal(hub.latestFrame('camA')?.seq, 1, 'a camera that comes back counts from 1 again');
  await hub.stop();
});

test('a camera switching audio format ends its audio listeners once, with one log line; video goes on', async () => {
  const { hub, log } = harness();
  const ends: string[] = [];
  const got: string[] = [];
  hub.subscribeVideo(
    'camA',
    () => got.push('frame'),
    (r) => ends.push(`video ${r}`),
  );
  hub.subscribeAudio(
    'camA',
    (samples, format) => got.push(`${format}:${samples.length}`),
    (r) => ends.push(`audio1 ${r}`),
  );
  hub.subscribeAudio(
    'camA',
    () => {},
    (r) => ends.push(`audio2 ${r}`),
  );
  hub.pushAudio('camA', Buffer.alloc(400), 'alaw');
  hub.pushAudio('camA', Buffer.alloc(800), 'pcm16');
  assert.deepEqual(ends.sort(), ['audio1 audio-format-changed', 'audio2 audio-format-changed']);
  assert.deepEqual(got, ['alaw:400'], 'PCM samples never reach a listener that got an A-law header');
  assert.equal(hub.stats('camA').audioConsumers, 0);
  const lines = log.lines.filter((line) => /audio switched from alaw to pcm16/.test(line.msg));
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!['camera'], 'camA');
  assert.match(lines[0]!.msg, /^audio switched from alaw to pcm16: ended 2 audio listener/);
  // A listener that reconnects now is fed the new format; video was never interrupted.
  hub.subscribeAudio('camA', (samples, format) => got.push(`${format}:${samples.length}`));
  hub.pushAudio('camA', Buffer.alloc(800), 'pcm16');
  hub.pushFrame('camA', jpeg(1));
  assert.deepEqual(got, ['alaw:400', 'pcm16:800', 'frame']);
  // The first audio ever (no previous format) ends nobody.
  const fresh: string[] = [];
  hub.subscribeAudio(
    'camB',
    () => {},
    (r) => fresh.push(r),
  );
  hub.pushAudio('camB', Buffer.alloc(10), 'pcm16');
  assert.deepEqual(fresh, []);
  await hub.stop();
});

test('the frame event: each new latest frame with its camera and sequence number, after the consumers got it; on() returns the unsubscribe', async () => {
  const { hub } = harness();
  const heard: string[] = [];
  const seen: Buffer[] = [];
  hub.subscribeVideo('camA', (f) => seen.push(f));
  const unsubscribe = hub.on('frame', (id, seq) => {
    heard.push(`${id}#${seq}:${seen.length}:${hub.latestFrame(id)?.seq}`);
  });
  assert.equal(hub.listenerCount('frame'), 1);
  hub.pushFrame('camA', jpeg(1));
  hub.pushFrame('camB', jpeg(2));
  hub.pushFrame('camA', jpeg(3));
  hub.pushAudio('camA', Buffer.alloc(320));
  unsubscribe();
  unsubscribe();
  hub.pushFrame('camA', jpeg(4));
  assert.deepEqual(heard, ['camA#1:1:1', 'camB#1:1:1', 'camA#2:2:2']);
  assert.equal(hub.listenerCount('frame'), 0);
  await hub.stop();
});
