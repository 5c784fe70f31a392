import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CameraRegistry } from '../../src/camera/registry.js';
import { MediaHub } from '../../src/media/media-hub.js';
import { decodeGrey } from '../../src/media/motion/grey-image.js';
import { MotionMonitor } from '../../src/media/motion/motion-monitor.js';
import { motionClip } from '../../src/simulator/motion-scenes.js';
import { captureLog } from '../support/log-capture.js';

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A registry, a real hub (with a fake clock for frame times) and a monitor on top. */
function setup(options: { holdMs?: number; maxFps?: number } = {}) {
  const log = captureLog();
  const registry = new CameraRegistry();
  let clock = 1_000_000;
  const opens: string[] = [];
  const hub = new MediaHub({
    openStream: (id) => {
      opens.push(`open ${id}`);
      return Promise.resolve();
    },
    closeStream: (id) => {
      opens.push(`close ${id}`);
      return Promise.resolve();
    },
    isOnline: (id) => registry.get(id)?.online === true,
    logger: log.logger,
    lingerMs: 20,
    watchdogMs: 60_000,
    now: () => clock,
  });
  const decoded: number[] = [];
  const monitor = new MotionMonitor({
    registry,
    media: hub,
    logger: log.logger,
    holdMs: options.holdMs ?? 1000,
    maxFps: options.maxFps ?? 5,
    now: () => clock,
    decode: (jpeg) => {
      decoded.push(clock);
      return decodeGrey(jpeg);
    },
  });
  const setClock = (ms: number): void => {
    clock = ms;
  };
  return { log, registry, hub, monitor, opens, decoded, setClock, now: () => clock };
}

test('off by default; switching on opens the stream through the hub, switching off releases it', async () => {
  const { registry, hub, monitor, opens } = setup();
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  await sleep(10);
  assert.equal(hub.stats('CAM1').videoConsumers, 0, 'detection is off by default');
  registry.changeMotionSettings('CAM1', { enabled: true });
  assert.equal(hub.stats('CAM1').videoConsumers, 1);
  assert.equal(monitor.stats('CAM1')?.watching, true);
  registry.changeMotionSettings('CAM1', { sensitivity: 80 });
  assert.equal(hub.stats('CAM1').videoConsumers, 1, 'a sensitivity change does not resubscribe');
  registry.changeMotionSettings('CAM1', { enabled: false });
  assert.equal(hub.stats('CAM1').videoConsumers, 0);
  await until(() => opens.includes('close CAM1'), 'stream closed after the linger');
  assert.deepEqual(opens, ['open CAM1', 'close CAM1']);
  await monitor.stop();
});

test('frames are analysed at most 5 per second and dropped (never queued) while a decode is in flight', async () => {
  const { registry, hub, monitor, decoded, setClock } = setup();
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  const clip = await motionClip('noise', { stillBefore: 2, eventFrames: 2, stillAfter: 2 });
  // 25 fps for 4 s of camera time: 100 frames, each pushed after the previous decode finished.
  for (let i = 0; i < 100; i++) {
    setClock(1_000_000 + i * 40);
    hub.pushFrame('CAM1', clip.frames[i % clip.frames.length] as Buffer);
    await until(() => monitor.stats('CAM1')?.framesAnalysed === decoded.length, 'decode done');
  }
  assert.ok(decoded.length >= 19 && decoded.length <= 21, `analysed ${decoded.length} of 100 frames in 4 s`);
  assert.equal(monitor.stats('CAM1')?.framesSkipped, 100 - decoded.length);
  // A burst while a decode is in flight: only the first of the burst is taken.
  const before = decoded.length;
  setClock(2_000_000);
  for (let i = 0; i < 10; i++) hub.pushFrame('CAM1', clip.frames[0] as Buffer);
  await until(() => monitor.stats('CAM1')?.framesAnalysed === before + 1, 'burst decoded');
  assert.equal(decoded.length, before + 1);
  await monitor.stop();
});

test('the walking shape: image event first, then motion on in the registry; off after the hold time; offline resets it', async () => {
  const { registry, hub, monitor, setClock, now } = setup({ holdMs: 1000 });
  const order: string[] = [];
  monitor.on('start', (id, jpeg) => order.push(`image ${id} ${jpeg.length}`));
  // A listener that ends its own subscription hears the first event only.
  const heardOnce: string[] = [];
  const unsubscribe = monitor.on('start', (id) => {
    heardOnce.push(id);
    unsubscribe();
  });
  registry.onEach(['motion-settings', 'motion'], (camera) => {
    const last = order.at(-1);
    const entry = `motion ${camera.motionDetected === true}`;
    if (camera.motion && last !== entry) order.push(entry);
  });
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  const clip = await motionClip('walk', { stillBefore: 6, eventFrames: 10, stillAfter: 14 });
  let motionStartedAtFrame = -1;
  for (let i = 0; i < clip.frames.length; i++) {
    setClock(1_000_000 + i * 200);
    hub.pushFrame('CAM1', clip.frames[i] as Buffer);
    await until(() => monitor.stats('CAM1')?.framesAnalysed === i + 1, `frame ${i} analysed`);
    if (motionStartedAtFrame < 0 && registry.get('CAM1')?.motionDetected) motionStartedAtFrame = i;
  }
  assert.ok(
    motionStartedAtFrame >= clip.eventStart && motionStartedAtFrame < clip.eventStart + 5,
    `motion at frame ${motionStartedAtFrame}`,
  );
  assert.equal(order[0], 'motion false', 'enabling publishes the settings with motion off');
  assert.match(order[1] ?? '', /^image CAM1 \d+$/);
  assert.deepEqual(order.slice(2), ['motion true', 'motion false']);
  assert.equal(registry.get('CAM1')?.lastMotionAt, 1_000_000 + motionStartedAtFrame * 200);
  assert.equal(monitor.stats('CAM1')?.events, 1);

  // Motion again, then the camera drops off: motion is off and the hub subscription is gone.
  for (let i = clip.eventStart; i < clip.eventStart + 4; i++) {
    setClock(now() + 200);
    hub.pushFrame('CAM1', clip.frames[i] as Buffer);
    await sleep(20);
  }
  await until(() => registry.get('CAM1')?.motionDetected === true, 'second event');
  assert.equal(monitor.stats('CAM1')?.events, 2);
  assert.deepEqual(heardOnce, ['CAM1'], 'the unsubscribed listener missed the second event');
  registry.markOffline('CAM1', 'test');
  hub.cameraOffline('CAM1');
  assert.equal(registry.get('CAM1')?.motionDetected, false);
  assert.equal(hub.stats('CAM1').videoConsumers, 0);
  // Back online: watching again, detection still enabled.
  registry.markOnline('CAM1', '127.0.0.1', true);
  assert.equal(hub.stats('CAM1').videoConsumers, 1);
  await monitor.stop();
  assert.equal(hub.stats('CAM1').videoConsumers, 0);
});

test('the hold time also runs out when frames stop coming', async () => {
  const { registry, hub, monitor, setClock } = setup({ holdMs: 300 });
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  const clip = await motionClip('walk', { stillBefore: 4, eventFrames: 8, stillAfter: 0 });
  for (let i = 0; i < 8; i++) {
    setClock(1_000_000 + i * 200);
    hub.pushFrame('CAM1', clip.frames[i] as Buffer);
    await until(() => monitor.stats('CAM1')?.framesAnalysed === i + 1, `frame ${i}`);
  }
  assert.equal(registry.get('CAM1')?.motionDetected, true);
  setClock(1_000_000 + 8 * 200 + 300);
  await until(() => registry.get('CAM1')?.motionDetected === false, 'expired by the timer');
  await monitor.stop();
});

test('a frame that does not decode is skipped with one log line per minute; the next frames still count', async () => {
  const { registry, hub, monitor, log, setClock } = setup();
  await monitor.start();
  registry.markOnline('CAM1', '127.0.0.1', true);
  registry.changeMotionSettings('CAM1', { enabled: true });
  const clip = await motionClip('noise', { stillBefore: 1, eventFrames: 1, stillAfter: 1 });
  for (let i = 0; i < 5; i++) {
    setClock(1_000_000 + i * 1000);
    hub.pushFrame('CAM1', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 1, 2, 3, 0xff, 0xd9]));
    await until(() => monitor.stats('CAM1')?.decodeErrors === i + 1, `error ${i}`);
  }
  setClock(1_010_000);
  hub.pushFrame('CAM1', clip.frames[0] as Buffer);
  await until(() => monitor.stats('CAM1')?.framesAnalysed === 1, 'good frame analysed');
  const lines = log.lines.filter((line) => /does not decode/.test(line.msg));
  assert.equal(lines.length, 1);
  assert.match(lines[0]?.msg ?? '', /^a frame of 11 bytes does not decode/);
  assert.equal(lines[0]?.['camera'], 'CAM1');
  await monitor.stop();
});
