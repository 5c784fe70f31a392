/**
 * The motion monitor's own rules, one at a time, without decoding JPEGs: a video source that the
 * test drives frame by frame (with the frame times it chooses), a decoder that maps a one-byte tag
 * to a synthetic grey image (and can hold a decode in flight), a fake wall clock and a recording
 * logger. The end-to-end behaviour with the real hub and real JPEGs is in motion-monitor.test.ts.
 */
import { afterEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setImmediate as flushIo } from 'node:timers/promises';
import { CameraUnavailableError } from '../../src/camera/control.js';
import { CameraRegistry } from '../../src/camera/registry.js';
import type { EndListener, FrameListener, MediaSubscription, StreamEndReason } from '../../src/media/media-hub.js';
import type { GreyImage } from '../../src/media/motion/grey-image.js';
import { MotionMonitor, type MotionFrameSource } from '../../src/media/motion/motion-monitor.js';
import { motionClip } from '../../src/simulator/motion-scenes.js';
import { captureLog } from '../support/log-capture.js';

const W = 80;
const H = 60;
/** Frame tags the fake decoder understands. */
const STILL = Buffer.from([0]);
/** A 20×20 patch 100 grey levels brighter: motion at any sensitivity. */
const MOVING = Buffer.from([1]);
/** The same patch only 30 levels brighter: motion at sensitivity 100 (10 levels), not at 1 (48). */
const FAINT = Buffer.from([2]);
const BROKEN = Buffer.from([0xee, 0xd8, 0xff]);

function greyFor(jpeg: Buffer): GreyImage {
  const data = new Uint8Array(W * H).fill(100);
  const patch = jpeg[0] === 1 ? 200 : jpeg[0] === 2 ? 130 : undefined;
  if (patch !== undefined) for (let y = 20; y < 40; y++) for (let x = 30; x < 50; x++) data[y * W + x] = patch;
  return { width: W, height: H, data };
}

interface FakeSubscription extends MediaSubscription {
  readonly cameraId: string;
  readonly onFrame: FrameListener;
  readonly onEnd: EndListener | undefined;
  active: boolean;
}

/** The hub's side as the monitor sees it: subscriptions the test can feed and end. */
class FakeVideoSource implements MotionFrameSource {
  readonly subscriptions: FakeSubscription[] = [];
  readonly offline = new Set<string>();
  failure: Error | undefined;

  subscribeVideo(cameraId: string, onFrame: FrameListener, onEnd?: EndListener): MediaSubscription {
    if (this.failure) throw this.failure;
    if (this.offline.has(cameraId)) throw new CameraUnavailableError(cameraId, 'offline');
    const subscription: FakeSubscription = {
      cameraId,
      onFrame,
      onEnd,
      active: true,
      unsubscribe: () => {
        subscription.active = false;
      },
    };
    this.subscriptions.push(subscription);
    return subscription;
  }

  active(cameraId: string): FakeSubscription[] {
    return this.subscriptions.filter((s) => s.active && s.cameraId === cameraId);
  }

  frame(cameraId: string, jpeg: Buffer, at: number): void {
    for (const subscription of this.active(cameraId)) subscription.onFrame(jpeg, at);
  }

  end(cameraId: string, reason: StreamEndReason): void {
    for (const subscription of this.active(cameraId)) {
      subscription.active = false;
      subscription.onEnd?.(reason);
    }
  }
}

/** Decodes tags at once, or (while `holding`) keeps each decode pending until `release()`. */
class FakeDecoder {
  holding = false;
  delayMs = 0;
  private readonly pending: Array<() => void> = [];

  readonly decode = (jpeg: Buffer): Promise<GreyImage> => {
    if (jpeg[0] === 0xee) return Promise.reject(new Error('Corrupt JPEG data: premature end of data segment'));
    if (this.delayMs > 0) return new Promise((resolve) => setTimeout(() => resolve(greyFor(jpeg)), this.delayMs));
    if (!this.holding) return Promise.resolve(greyFor(jpeg));
    return new Promise((resolve) => this.pending.push(() => resolve(greyFor(jpeg))));
  };

  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }
}

const T0 = 1_700_000_000_000;

function setup(options: { holdMs?: number; maxFps?: number } = {}) {
  const log = captureLog();
  let clock = T0;
  const registry = new CameraRegistry(() => clock);
  const video = new FakeVideoSource();
  const decoder = new FakeDecoder();
  const monitor = new MotionMonitor({
    registry,
    media: video,
    logger: log.logger,
    decode: decoder.decode,
    now: () => clock,
    ...(options.holdMs !== undefined ? { holdMs: options.holdMs } : {}),
    ...(options.maxFps !== undefined ? { maxFps: options.maxFps } : {}),
  });
  const setClock = (ms: number): void => {
    clock = ms;
  };
  /** An online camera with detection on (sensitivity as given). */
  const watched = (id: string, sensitivity?: number): void => {
    registry.markOnline(id, '127.0.0.1', true);
    registry.changeMotionSettings(id, { enabled: true, ...(sensitivity !== undefined ? { sensitivity } : {}) });
  };
  /** One frame at `at`, then lets its decode and analysis finish. */
  const feed = async (id: string, jpeg: Buffer, at: number): Promise<void> => {
    video.frame(id, jpeg, at);
    await flushIo();
  };
  /** Matching lines as "camera: message" (the camera is the line's field, not in its text). */
  const messages = (pattern: RegExp): string[] =>
    log.lines.filter((line) => pattern.test(line.msg)).map((line) => `${String(line['camera'])}: ${line.msg}`);
  return { log, registry, video, decoder, monitor, setClock, watched, feed, messages };
}

/** Three still frames (seed + two settling frames), then `frames`, 200 ms apart from `start`. */
async function play(
  feed: (id: string, jpeg: Buffer, at: number) => Promise<void>,
  id: string,
  frames: readonly Buffer[],
  start: number,
): Promise<number> {
  const all = [STILL, STILL, STILL, ...frames];
  for (let i = 0; i < all.length; i++) await feed(id, all[i] as Buffer, start + i * 200);
  return start + (all.length - 1) * 200;
}

/** Waits (bounded: 10 s) until `count` frames of the camera were analysed, for decodes that take real time. */
async function analysed(monitor: MotionMonitor, cameraId: string, count: number): Promise<void> {
  for (let polls = 0; monitor.stats(cameraId)?.framesAnalysed !== count; polls++) {
    assert.ok(polls < 2000, `${count} frame(s) of ${cameraId} analysed within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

afterEach(() => mock.timers.reset());

test('pacing: one analysed frame per interval, a frame one millisecond early is skipped; after a pause it catches up by half an interval', async () => {
  const { monitor, watched, feed } = setup({ maxFps: 5 });
  await monitor.start();
  watched('CAM1');
  const counts = (): [number, number] => [monitor.stats('CAM1')?.framesAnalysed ?? -1, monitor.stats('CAM1')?.framesSkipped ?? -1];
  const t = T0 + 5_000_000;
  // The first frame is due at once and sets the next one due half an interval later (a start is a "pause").
  await feed('CAM1', STILL, t);
  assert.deepEqual(counts(), [1, 0]);
  await feed('CAM1', STILL, t + 99);
  assert.deepEqual(counts(), [1, 1], '99 ms after the first: early');
  await feed('CAM1', STILL, t + 100);
  assert.deepEqual(counts(), [2, 1], 'half an interval after the first: due');
  // From now on a whole interval (200 ms) apart, counted from when the frame was due.
  await feed('CAM1', STILL, t + 299);
  assert.deepEqual(counts(), [2, 2]);
  await feed('CAM1', STILL, t + 300);
  assert.deepEqual(counts(), [3, 2]);
  await feed('CAM1', STILL, t + 450);
  assert.deepEqual(counts(), [3, 3], 'due at +500, not 200 ms after the late frame');
  await feed('CAM1', STILL, t + 500);
  assert.deepEqual(counts(), [4, 3]);
  // After a 10 s pause the next frame is due half an interval after the one that ended the pause.
  await feed('CAM1', STILL, t + 10_000);
  assert.deepEqual(counts(), [5, 3]);
  await feed('CAM1', STILL, t + 10_099);
  assert.deepEqual(counts(), [5, 4]);
  await feed('CAM1', STILL, t + 10_100);
  assert.deepEqual(counts(), [6, 4]);
  await monitor.stop();
});

test('pacing follows maxFps (10 fps: 100 ms) and defaults to 5 fps', async () => {
  const ten = setup({ maxFps: 10 });
  await ten.monitor.start();
  ten.watched('CAM1');
  for (const at of [0, 49, 50, 149, 150, 249]) await ten.feed('CAM1', STILL, T0 + at);
  assert.equal(ten.monitor.stats('CAM1')?.framesAnalysed, 3);
  assert.equal(ten.monitor.stats('CAM1')?.framesSkipped, 3);
  await ten.monitor.stop();

  const byDefault = setup();
  await byDefault.monitor.start();
  byDefault.watched('CAM1');
  for (const at of [0, 99, 100, 299, 300, 499]) await byDefault.feed('CAM1', STILL, T0 + at);
  assert.equal(byDefault.monitor.stats('CAM1')?.framesAnalysed, 3);
  assert.equal(byDefault.monitor.stats('CAM1')?.framesSkipped, 3);
  await byDefault.monitor.stop();
});

test('a frame that comes while a decode is in flight is skipped, however late it is; the next one after the decode is taken', async () => {
  const { monitor, watched, feed, decoder } = setup();
  await monitor.start();
  watched('CAM1');
  decoder.holding = true;
  await feed('CAM1', STILL, T0);
  await feed('CAM1', STILL, T0 + 5000);
  assert.deepEqual([monitor.stats('CAM1')?.framesAnalysed, monitor.stats('CAM1')?.framesSkipped], [0, 1]);
  decoder.release();
  await flushIo();
  decoder.holding = false;
  assert.equal(monitor.stats('CAM1')?.framesAnalysed, 1);
  await feed('CAM1', STILL, T0 + 10_000);
  assert.deepEqual([monitor.stats('CAM1')?.framesAnalysed, monitor.stats('CAM1')?.framesSkipped], [2, 1]);
  await monitor.stop();
});

test('a decode that finishes after detection was switched off (and on again) is thrown away', async () => {
  const { registry, monitor, watched, feed, decoder, video } = setup();
  await monitor.start();
  watched('CAM1');
  decoder.holding = true;
  await feed('CAM1', STILL, T0);
  registry.changeMotionSettings('CAM1', { enabled: false });
  registry.changeMotionSettings('CAM1', { enabled: true });
  assert.equal(video.active('CAM1').length, 1, 'a new subscription');
  decoder.release();
  await flushIo();
  decoder.holding = false;
  assert.equal(monitor.stats('CAM1')?.framesAnalysed, 0, 'the old subscription’s frame is not analysed');
  await monitor.stop();
});

test('motion: the image event first, then the registry flag with the frame’s time; one log line; ends after the hold time by frame', async () => {
  const { registry, monitor, watched, feed, setClock, log } = setup({ holdMs: 1000 });
  const heard: Array<[string, number, boolean]> = [];
  monitor.on('start', (id, jpeg) => heard.push([id, jpeg[0] ?? -1, registry.get(id)?.motionDetected === true]));
  await monitor.start();
  watched('CAM1');
  setClock(T0 + 777); // the wall clock differs from the frame times: lastMotionAt is the frame's
  const lastAt = await play(feed, 'CAM1', [MOVING, MOVING], T0 + 60_000);
  assert.deepEqual(heard, [['CAM1', 1, false]], 'the image comes before the registry says motion');
  assert.equal(registry.get('CAM1')?.motionDetected === true, true);
  assert.equal(registry.get('CAM1')?.lastMotionAt, lastAt);
  assert.equal(monitor.stats('CAM1')?.events, 1);
  const line = log.about('CAM1', /^motion detected$/);
  assert.equal(line?.level, 30);
  assert.equal(line?.camera, 'CAM1');
  // Still frames: on until the hold time has passed since the last moving frame, then off.
  await feed('CAM1', STILL, lastAt + 800);
  assert.equal(registry.get('CAM1')?.motionDetected === true, true);
  await feed('CAM1', STILL, lastAt + 1000);
  assert.equal(registry.get('CAM1')?.motionDetected === true, false);
  assert.equal(registry.get('CAM1')?.lastMotionAt, lastAt, 'the end keeps when motion started');
  assert.equal(monitor.stats('CAM1')?.events, 1);
  await monitor.stop();
});

for (const { holdMs, periodMs } of [
  { holdMs: 300, periodMs: 75 },
  { holdMs: 100, periodMs: 50 },
  { holdMs: 8000, periodMs: 1000 },
]) {
  test(`without frames the hold time (${holdMs} ms) is checked every ${periodMs} ms, against the wall clock`, async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    const { registry, monitor, watched, feed, setClock } = setup({ holdMs });
    await monitor.start();
    watched('CAM1');
    const lastAt = await play(feed, 'CAM1', [MOVING, MOVING], T0);
    assert.equal(registry.get('CAM1')?.motionDetected === true, true);
    // The hold time is over on the wall clock; the check comes with the timer's next tick.
    setClock(lastAt + holdMs);
    mock.timers.tick(periodMs - 1);
    assert.equal(registry.get('CAM1')?.motionDetected === true, true, 'not checked before the period');
    mock.timers.tick(1);
    assert.equal(registry.get('CAM1')?.motionDetected === true, false, 'ended by the timer');
    // Another event: a timer tick while the wall clock is still inside the hold time ends nothing.
    const againAt = await play(feed, 'CAM1', [MOVING, MOVING], lastAt + 60_000);
    assert.equal(registry.get('CAM1')?.motionDetected === true, true);
    setClock(againAt + holdMs - 1);
    mock.timers.tick(periodMs);
    assert.equal(registry.get('CAM1')?.motionDetected === true, true, 'the wall clock decides, not the timer');
    await monitor.stop();
    setClock(lastAt + 10_000_000);
    mock.timers.tick(periodMs * 10);
    assert.equal(
      registry.get('CAM1')?.motionDetected === true,
      true,
      'after stop nothing ends it: the watch is gone and stop leaves the flag to the registry',
    );
  });
}

test('sensitivity: a change applies to the running analysis without a new subscription; a change made while off applies when switched on', async () => {
  const { registry, monitor, watched, feed, video, messages } = setup({ holdMs: 1000 });
  await monitor.start();
  watched('CAM1', 1);
  assert.deepEqual(messages(/running/), ['CAM1: motion detection running (sensitivity 1)']);
  let at = await play(feed, 'CAM1', [FAINT, FAINT, FAINT], T0);
  assert.equal(registry.get('CAM1')?.motionDetected === true, false, 'a faint change is below sensitivity 1');
  registry.changeMotionSettings('CAM1', { sensitivity: 100 });
  assert.equal(video.subscriptions.length, 1);
  await feed('CAM1', FAINT, at + 200);
  await feed('CAM1', FAINT, at + 400);
  assert.equal(registry.get('CAM1')?.motionDetected === true, true, 'the same change is motion at 100');
  at += 400;

  registry.changeMotionSettings('CAM1', { enabled: false });
  assert.equal(registry.get('CAM1')?.motionDetected === true, false, 'switched off: no motion');
  registry.changeMotionSettings('CAM1', { sensitivity: 1 });
  registry.changeMotionSettings('CAM1', { enabled: true });
  // Running again with what was set while off (a live change logs nothing: it is no new run).
  assert.deepEqual(messages(/running/), [
    'CAM1: motion detection running (sensitivity 1)',
    'CAM1: motion detection running (sensitivity 1)',
  ]);
  assert.equal(monitor.stats('CAM1')?.events, 1, 'the watch and its counters were kept while off');
  await play(feed, 'CAM1', [FAINT, FAINT, FAINT], at + 10_000);
  assert.equal(registry.get('CAM1')?.motionDetected === true, false, 'sensitivity 1 again');
  await monitor.stop();
});

test('each way a watch ends says why, and what is left: off, offline, forgotten, shutting down, ended by the hub', async () => {
  const { registry, monitor, watched, video, messages, log } = setup();
  await monitor.start();
  watched('CAM1');
  const running = log.about('CAM1', /^motion detection running/);
  assert.equal(running?.camera, 'CAM1');
  assert.equal(running?.sensitivity, 50);

  registry.changeMotionSettings('CAM1', { enabled: false });
  assert.deepEqual(messages(/stopped/), ['CAM1: motion detection stopped (detection switched off)']);
  assert.equal(log.find(/stopped \(detection switched off\)/)?.camera, 'CAM1');
  assert.deepEqual(monitor.stats('CAM1'), {
    watching: false,
    framesAnalysed: 0,
    framesSkipped: 0,
    decodeErrors: 0,
    events: 0,
    analysisMs: 0,
  });
  assert.equal(video.active('CAM1').length, 0);

  registry.changeMotionSettings('CAM1', { enabled: true });
  registry.markOffline('CAM1', 'test');
  assert.equal(messages(/stopped/).at(-1), 'CAM1: motion detection stopped (camera offline)');
  assert.equal(monitor.stats('CAM1')?.watching, false);
  registry.markOnline('CAM1', '127.0.0.1', true);
  assert.equal(monitor.stats('CAM1')?.watching, true);

  // The hub ends the subscription (camera gone from its side): paused, and the next online resumes.
  video.end('CAM1', 'offline');
  const paused = log.find(/paused/);
  assert.equal(paused?.msg, 'motion detection paused (offline)');
  assert.equal(paused?.['camera'], 'CAM1');
  assert.equal(paused?.level, 20);
  assert.equal(paused?.reason, 'offline');
  assert.equal(monitor.stats('CAM1')?.watching, false);
  registry.markOnline('CAM1', '127.0.0.1', true);
  assert.equal(video.active('CAM1').length, 1);

  registry.remove('CAM1');
  assert.equal(messages(/stopped/).at(-1), 'CAM1: motion detection stopped (forgotten)');
  assert.equal(monitor.stats('CAM1'), undefined);
  assert.equal(video.active('CAM1').length, 0);

  watched('CAM2');
  await monitor.stop();
  assert.equal(messages(/stopped/).at(-1), 'CAM2: motion detection stopped (shutting down)');
  assert.equal(monitor.stats('CAM2'), undefined);
  assert.equal(video.active('CAM2').length, 0);
});

test('a fresh subscription forgets the old background (the stream restarted: the first frame is learnt, not compared)', async () => {
  const { registry, monitor, watched, feed, video } = setup();
  await monitor.start();
  watched('CAM1');
  const at = await play(feed, 'CAM1', [STILL], T0);
  video.end('CAM1', 'offline');
  registry.markOnline('CAM1', '127.0.0.1', true);
  // The scene changed while the stream was down: after the restart it is the new background.
  for (let i = 1; i <= 6; i++) await feed('CAM1', MOVING, at + 10_000 + i * 200);
  assert.equal(monitor.stats('CAM1')?.framesAnalysed, 10);
  assert.equal(registry.get('CAM1')?.motionDetected === true, false);
  assert.equal(monitor.stats('CAM1')?.events, 0);
  await monitor.stop();
});

test('start and stop: twice is once; cameras already known are picked up; nothing is watched after stop; a restart picks up again', async () => {
  const { registry, monitor, watched, video } = setup();
  watched('CAM1');
  registry.markOnline('CAM2', '127.0.0.1', true); // detection off
  await monitor.start();
  await monitor.start();
  assert.equal(registry.listenerCount('online'), 1);
  assert.equal(registry.listenerCount('removed'), 1);
  assert.equal(video.subscriptions.length, 1);
  assert.equal(video.active('CAM1').length, 1);

  await monitor.stop();
  await monitor.stop();
  assert.equal(registry.listenerCount('online'), 0);
  assert.equal(registry.listenerCount('motion-settings'), 0);
  assert.equal(registry.listenerCount('offline'), 0);
  assert.equal(registry.listenerCount('removed'), 0);
  assert.equal(video.active('CAM1').length, 0);
  registry.changeMotionSettings('CAM2', { enabled: true });
  assert.equal(video.active('CAM2').length, 0, 'stopped: no new watch');

  await monitor.start();
  assert.equal(video.active('CAM1').length, 1);
  assert.equal(video.active('CAM2').length, 1);
  await monitor.stop();
});

test('an online camera with detection on is not watched while offline; a stale motion flag is cleared when not watching', async () => {
  const { registry, monitor, video } = setup();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  registry.markOffline('CAM1', 'test');
  // A flag left over from before a restart (the registry was loaded from the store).
  registry.markOnline('CAM2', '127.0.0.1', true);
  registry.setMotionDetected('CAM2', true, T0);
  await monitor.start();
  assert.equal(video.subscriptions.length, 0);
  assert.equal(monitor.stats('CAM1'), undefined);
  assert.equal(registry.get('CAM2')?.motionDetected === true, false);
  assert.equal(registry.get('CAM2')?.lastMotionAt, T0, 'when motion last started is kept');
  await monitor.stop();
});

test('a subscribe that races with the camera going offline is no error; any other failure is not swallowed', async () => {
  const { registry, monitor, watched, video, log } = setup();
  await monitor.start();
  video.offline.add('CAM1');
  watched('CAM1');
  assert.equal(monitor.stats('CAM1')?.watching, false);
  assert.equal(log.problems().length, 0);
  assert.equal(log.find(/running/), undefined, 'not running, so not logged as running');
  video.offline.delete('CAM1');
  registry.markOnline('CAM1', '127.0.0.1', true);
  assert.equal(monitor.stats('CAM1')?.watching, true);

  video.failure = new Error('hub broken');
  registry.markOnline('CAM2', '127.0.0.1', true);
  assert.throws(() => registry.changeMotionSettings('CAM2', { enabled: true }), /hub broken/);
  await monitor.stop();
});

test('frames that do not decode: counted, one warn line per camera and minute with the number left out', async () => {
  const { monitor, watched, feed, log, setClock } = setup();
  await monitor.start();
  watched('CAM1');
  watched('CAM2');
  for (let i = 0; i < 5; i++) await feed('CAM1', BROKEN, T0 + i * 1000);
  await feed('CAM2', BROKEN, T0);
  assert.equal(monitor.stats('CAM1')?.decodeErrors, 5);
  assert.equal(monitor.stats('CAM1')?.framesAnalysed, 0);
  const first = log.problems();
  assert.deepEqual(
    first.map((line) => [line.level, line.msg, line.camera, line.bytes, line.suppressed]),
    [
      [
        40,
        'a frame of 3 bytes does not decode (Corrupt JPEG data: premature end of data segment); motion detection skipped it',
        'CAM1',
        3,
        0,
      ],
      [
        40,
        'a frame of 3 bytes does not decode (Corrupt JPEG data: premature end of data segment); motion detection skipped it',
        'CAM2',
        3,
        0,
      ],
    ],
  );
  assert.equal(first[0]?.err, 'Corrupt JPEG data: premature end of data segment');
  // A minute on the wall clock after the first line: the next one counts the four left out.
  setClock(T0 + 59_999);
  await feed('CAM1', BROKEN, T0 + 10_000);
  assert.equal(log.problems().length, 2);
  setClock(T0 + 60_000);
  await feed('CAM1', BROKEN, T0 + 20_000);
  const next = log.problems()[2];
  assert.equal(
    next?.msg,
    'a frame of 3 bytes does not decode (Corrupt JPEG data: premature end of data segment); motion detection skipped it (5 more like it since the last such line)',
  );
  assert.equal(next?.suppressed, 5);
  // A good frame after all that is analysed.
  await feed('CAM1', STILL, T0 + 30_000);
  assert.equal(monitor.stats('CAM1')?.framesAnalysed, 1);
  await monitor.stop();
});

test('analysisMs sums the time from frame to verdict: at least the decode time, at most the time the test waited', async () => {
  const { monitor, watched, decoder, video } = setup();
  await monitor.start();
  watched('CAM1');
  decoder.delayMs = 25;
  const frames = 3;
  let waited = 0;
  for (let i = 0; i < frames; i++) {
    const before = performance.now();
    video.frame('CAM1', STILL, T0 + i * 1000);
    await analysed(monitor, 'CAM1', i + 1);
    waited += performance.now() - before;
  }
  const analysisMs = monitor.stats('CAM1')?.analysisMs ?? -1;
  assert.ok(analysisMs >= frames * 20, `analysisMs ${analysisMs} covers the three 25 ms decodes`);
  assert.ok(analysisMs <= waited, `analysisMs ${analysisMs} is within the ${waited.toFixed(1)} ms the test waited`);
  await monitor.stop();
});

test('without a decode option the monitor decodes the JPEGs itself (sharp, 80×60 grey)', async () => {
  const log = captureLog();
  const registry = new CameraRegistry();
  const video = new FakeVideoSource();
  const monitor = new MotionMonitor({ registry, media: video, logger: log.logger });
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  const clip = await motionClip('noise', { stillBefore: 1, eventFrames: 1, stillAfter: 1 });
  video.frame('CAM1', clip.frames[0] as Buffer, T0);
  await analysed(monitor, 'CAM1', 1);
  assert.equal(monitor.stats('CAM1')?.decodeErrors, 0);
  assert.equal(log.problems().length, 0);
  await monitor.stop();
});

test('a stop that happens while a registry event is being delivered: the monitor ignores that event', async () => {
  const { registry, monitor, video } = setup();
  // Subscribed before the monitor, so it hears each event first and stops the monitor in the middle.
  registry.on('motion-settings', (camera) => {
    if (camera.motion?.enabled === true) void monitor.stop();
  });
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  assert.equal(video.subscriptions.length, 0, 'nothing subscribed after stop');
  assert.equal(monitor.stats('CAM1'), undefined);
});

test('stop ends the expiry timer: after a restart exactly one timer runs (its ticks are the new start’s)', async () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const { registry, monitor, watched, feed, setClock } = setup({ holdMs: 300 });
  await monitor.start(); // a timer ticking at 75, 150, … (mock time)
  mock.timers.tick(10);
  await monitor.stop();
  await monitor.start(); // ticks at 85, 160, …
  watched('CAM1');
  const lastAt = await play(feed, 'CAM1', [MOVING, MOVING], T0);
  setClock(lastAt + 300);
  mock.timers.tick(64); // mock time 74
  mock.timers.tick(1); // 75: the first start's tick, if its timer were still running
  assert.equal(registry.get('CAM1')?.motionDetected === true, true, 'no tick from the stopped timer');
  mock.timers.tick(10); // 85
  assert.equal(registry.get('CAM1')?.motionDetected === true, false);
  await monitor.stop();
});

test('a watch that is already switched off stops silently: offline, forgotten; a camera never watched can be forgotten', async () => {
  const { registry, monitor, watched, messages } = setup();
  await monitor.start();
  registry.markOnline('CAM0', '127.0.0.1', true);
  assert.equal(registry.remove('CAM0'), true);
  watched('CAM1');
  registry.changeMotionSettings('CAM1', { enabled: false });
  registry.markOffline('CAM1', 'test');
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.remove('CAM1');
  await monitor.stop();
  assert.deepEqual(messages(/stopped/), ['CAM1: motion detection stopped (detection switched off)']);
  assert.equal(monitor.stats('CAM1'), undefined);
});
