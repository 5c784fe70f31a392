/**
 * Motion detection end to end with real parts: simulated cameras streaming real JPEG clips
 * (a shape walking through, sensor noise, a sudden brightness change) over UDP ⇄ the server ⇄
 * mosquitto ⇄ a client acting as Home Assistant, plus the web API and a restart.
 * Timing is asserted as ordering (motion on while the shape is still walking), never as speed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { MqttRecorder } from '../ha/mqtt-recorder.js';
import { TEST_TIMING } from '../ha/harness.js';
import { motionClip, type MotionClip } from '../../src/simulator/motion-scenes.js';
import type { SimulatedCamera } from '../../src/simulator/simulated-camera.js';

const HOLD_MS = 1500;
const WALKER = '0800c0E00001';
const NOISY = '0800c0E00002';
const LIGHTS = '0800c0E00003';

let broker: MosquittoBroker;
let h: Harness;
let ha: MqttRecorder;
let walk: MotionClip;
const cameras = new Map<string, SimulatedCamera>();
/** performance.now()-free wall times of frames sent, per camera: [index, Date.now()]. */
const sent = new Map<string, { index: number; at: number }[]>();

const topic = (id: string, key: string): string => `a9_v720/${id}/${key}`;
// Every mutating request goes as JSON, as the dashboard sends it (the server refuses anything else).
const web = (path: string, init?: RequestInit): Promise<Response> =>
  fetch(`http://127.0.0.1:${h.app.ports.web}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init?.headers } });

before(async () => {
  broker = await MosquittoBroker.create();
  h = await startHarness({ mqtt: { url: broker.url } }, { mqttTiming: TEST_TIMING, motion: { holdMs: HOLD_MS } });
  ha = await MqttRecorder.connect(broker.url, ['#']);
  await waitFor(() => h.app.mqtt.connected, 'bridge connected');
  // 10 fps: 1 s still, 2 s walking, 3 s still, looping.
  walk = await motionClip('walk', { stillBefore: 10, eventFrames: 20, stillAfter: 30 });
  const clips: [string, MotionClip][] = [
    [WALKER, walk],
    [NOISY, await motionClip('noise', { stillBefore: 10, eventFrames: 20, stillAfter: 10 })],
    [LIGHTS, await motionClip('lights', { stillBefore: 10, eventFrames: 20, stillAfter: 10 })],
  ];
  for (const [id, clip] of clips) {
    const camera = h.camera(id, { frames: clip.frames, fps: 10 });
    const log: { index: number; at: number }[] = [];
    sent.set(id, log);
    camera.on('frameSent', (_jpeg, index) => log.push({ index, at: Date.now() }));
    cameras.set(id, camera);
    await camera.start();
    await ha.waitForMessage(topic(id, 'availability'), 'online');
  }
});

after(async () => {
  await ha.close();
  await h.stop();
  await broker.dispose();
});

test('every camera gets the motion entities; detection is off by default and opens no stream', async () => {
  for (const id of [WALKER, NOISY, LIGHTS]) {
    type Components = Record<string, { platform: string; device_class?: string }>;
    const componentsOf = (text: string): Components => (JSON.parse(text) as { components: Components }).components;
    const discovery = await ha.waitFor(
      (m) => m.topic === `homeassistant/device/a9v720_${id}/config` && 'motion_sensitivity' in componentsOf(m.text),
      `discovery of ${id} with motion entities`,
    );
    const components = componentsOf(discovery.text);
    assert.equal(components['motion']?.device_class, 'motion');
    assert.equal(components['motion_detection']?.platform, 'switch');
    assert.equal(components['motion_sensitivity']?.platform, 'number');
    assert.equal((await ha.waitForMessage(topic(id, 'motion'))).text, 'OFF');
    assert.equal((await ha.waitForMessage(topic(id, 'motion_detection'))).text, 'OFF');
    assert.equal((await ha.waitForMessage(topic(id, 'motion_sensitivity'))).text, '50');
    assert.equal(h.app.media.stats(id).streamOpen, false);
    assert.equal(cameras.get(id)?.isStreaming, false);
  }
});

test('the walking shape: motion on while it walks (its frame published as the image first), off again after the hold time', async (t) => {
  const mark = ha.mark;
  await ha.publish(topic(WALKER, 'motion_detection/set'), 'ON');
  await ha.waitForMessage(topic(WALKER, 'motion_detection'), 'ON', { afterSeq: mark });
  await waitFor(() => cameras.get(WALKER)?.isStreaming === true, 'detection opened the stream');

  const on = await ha.waitForMessage(topic(WALKER, 'motion'), 'ON', { afterSeq: mark, timeoutMs: 20_000 });
  const onAt = Date.now();
  const frames = sent.get(WALKER) ?? [];
  const n = walk.frames.length;
  // The last frame sent before "ON" arrived must be within the walk of the same pass: motion was
  // reported while the shape was still in the picture (the walk lasts 2 s).
  const lastBeforeOn = frames.filter((f) => f.at <= onAt).at(-1);
  assert.ok(lastBeforeOn, 'frames were sent');
  const position = lastBeforeOn.index % n;
  assert.ok(
    position >= walk.eventStart && position < walk.eventEnd,
    `motion reported at clip frame ${position} (walk is ${walk.eventStart}–${walk.eventEnd - 1})`,
  );
  const firstWalkFrame = frames.find((f) => f.index % n === walk.eventStart && f.index >= lastBeforeOn.index - position);
  t.diagnostic(`motion on ${onAt - (firstWalkFrame?.at ?? onAt)} ms after the shape entered`);

  // The camera image right before "motion ON" is a frame of the walk.
  const image = ha.messages.filter((m) => m.topic === topic(WALKER, 'image') && m.seq > mark && m.seq < on.seq).at(-1);
  assert.ok(image, 'image published before motion ON');
  const walkFrames = walk.frames.slice(walk.eventStart, walk.eventEnd);
  assert.ok(
    walkFrames.some((frame) => frame.equals(image.payload)),
    'the published image is a frame with the shape',
  );
  assert.equal(image.retain, true);

  const off = await ha.waitForMessage(topic(WALKER, 'motion'), 'OFF', { afterSeq: on.seq, timeoutMs: 20_000 });
  assert.ok(off.at - on.at >= HOLD_MS - 50, `off ${Math.round(off.at - on.at)} ms after on, hold is ${HOLD_MS}`);
  // Off before the shape comes back in the next pass: one walk is one event.
  assert.equal(
    ha.messages.filter((m) => m.topic === topic(WALKER, 'motion') && m.text === 'ON' && m.seq > mark && m.seq < off.seq).length,
    1,
  );
  const lastMotion = await ha.waitForMessage(topic(WALKER, 'last_motion'), undefined, { afterSeq: mark });
  assert.ok(Math.abs(Date.parse(lastMotion.text) - onAt) < 5_000, lastMotion.text);
  assert.equal(h.app.registry.get(WALKER)?.motionDetected, false);
});

test('sensor noise and a sudden brightness change: analysed for a whole clip, never motion', async () => {
  const mark = ha.mark;
  for (const id of [NOISY, LIGHTS]) await ha.publish(topic(id, 'motion_detection/set'), 'ON');
  for (const id of [NOISY, LIGHTS]) await ha.waitForMessage(topic(id, 'motion_detection'), 'ON', { afterSeq: mark });
  // Two full passes of each 4 s clip (the bright phase switches on and off in each).
  for (const id of [NOISY, LIGHTS]) {
    const startCount = h.app.motion.stats(id)?.framesAnalysed ?? 0;
    await waitFor(() => (h.app.motion.stats(id)?.framesAnalysed ?? 0) >= startCount + 40, `${id}: two passes analysed`, 40_000);
  }
  for (const id of [NOISY, LIGHTS]) {
    assert.equal(ha.messages.filter((m) => m.topic === topic(id, 'motion') && m.text === 'ON').length, 0, `${id} never reported motion`);
    assert.equal(h.app.motion.stats(id)?.events, 0);
    assert.equal(h.app.motion.stats(id)?.decodeErrors, 0);
  }
  for (const id of [NOISY, LIGHTS]) await ha.publish(topic(id, 'motion_detection/set'), 'OFF');
  for (const id of [NOISY, LIGHTS]) await waitFor(() => cameras.get(id)?.isStreaming === false, `${id} stream closed after switching off`);
});

test('sensitivity from HA and the web API; invalid values are refused; the switch closes the stream', async () => {
  let mark = ha.mark;
  await ha.publish(topic(WALKER, 'motion_sensitivity/set'), '80');
  await ha.waitForMessage(topic(WALKER, 'motion_sensitivity'), '80', { afterSeq: mark });
  await ha.publish(topic(WALKER, 'motion_sensitivity/set'), '500');
  // idle() only covers commands the bridge has already received: wait until it has seen this one.
  await waitFor(() => h.log.find(/invalid payload "500" for motion_sensitivity/) !== undefined, 'one clear line for the bad payload');
  await h.app.mqtt.idle();
  assert.equal(h.app.registry.get(WALKER)?.motion?.sensitivity, 80);

  const read = await web(`/api/cameras/${WALKER}/motion`);
  assert.equal(read.status, 200);
  const state = (await read.json()) as Record<string, unknown>;
  assert.equal(state['enabled'], true);
  assert.equal(state['sensitivity'], 80);
  assert.equal(typeof state['detected'], 'boolean');
  assert.equal(typeof state['lastMotionAt'], 'string');

  mark = ha.mark;
  const put = await web(`/api/cameras/${WALKER}/motion`, { method: 'PUT', body: JSON.stringify({ sensitivity: 35 }) });
  assert.equal(put.status, 200);
  assert.equal(((await put.json()) as Record<string, unknown>)['sensitivity'], 35);
  await ha.waitForMessage(topic(WALKER, 'motion_sensitivity'), '35', { afterSeq: mark });
  for (const [body, status] of [
    ['{"sensitivity": 0}', 400],
    ['{"sensitivity": 20.5}', 400],
    ['{"enabled": "yes"}', 400],
    ['{"colour": 1}', 400],
    ['{}', 400],
    ['not json', 400],
  ] as const) {
    const response = await web(`/api/cameras/${WALKER}/motion`, { method: 'PUT', body });
    assert.equal(response.status, status, body);
    assert.equal(typeof ((await response.json()) as Record<string, unknown>)['error'], 'string');
  }
  assert.equal((await web('/api/cameras/0800c0EFFFFF/motion')).status, 404);
  assert.equal((await web('/api/cameras/0800c0EFFFFF/motion', { method: 'POST', body: '{"enabled":true}' })).status, 404);
  // The camera list carries the motion state for the dashboard.
  const list = (await (await web('/api/cameras')).json()) as { id: string; motion: { enabled: boolean; sensitivity: number } }[];
  assert.deepEqual(
    list.find((c) => c.id === WALKER)?.motion && {
      ...list.find((c) => c.id === WALKER)?.motion,
      lastMotionAt: undefined,
      detected: undefined,
    },
    { enabled: true, sensitivity: 35, lastMotionAt: undefined, detected: undefined },
  );

  mark = ha.mark;
  const off = await web(`/api/cameras/${WALKER}/motion`, { method: 'POST', body: '{"enabled": false}' });
  assert.equal(off.status, 200);
  await ha.waitForMessage(topic(WALKER, 'motion_detection'), 'OFF', { afterSeq: mark });
  await waitFor(() => cameras.get(WALKER)?.isStreaming === false, 'stream closed once nothing consumes it');
});

test('the choice survives a restart: detection resumes by itself when the camera is back', async () => {
  let mark = ha.mark;
  await ha.publish(topic(WALKER, 'motion_detection/set'), 'ON');
  await ha.waitForMessage(topic(WALKER, 'motion_detection'), 'ON', { afterSeq: mark });
  await waitFor(() => cameras.get(WALKER)?.isStreaming === true, 'streaming for detection');
  cameras.get(WALKER)?.stop();
  await h.restart();
  const restored = h.app.registry.get(WALKER);
  assert.deepEqual(restored?.motion, { enabled: true, sensitivity: 35 });
  assert.equal(restored?.motionDetected, false);
  assert.equal(typeof restored?.lastMotionAt, 'number');
  assert.deepEqual(h.app.registry.get(NOISY)?.motion, { enabled: false, sensitivity: 50 });
  mark = ha.mark;
  // The restarted server listens on new ephemeral ports: the camera comes back as a new simulator.
  const again = h.camera(WALKER, { frames: walk.frames, fps: 10 });
  await again.start();
  await waitFor(() => h.app.registry.get(WALKER)?.online === true, 'camera reconnected', 30_000);
  await waitFor(() => again.isStreaming, 'detection reopened the stream', 30_000);
  await ha.waitForMessage(topic(WALKER, 'motion_detection'), 'ON', { afterSeq: mark });
  await ha.waitForMessage(topic(WALKER, 'motion_sensitivity'), '35', { afterSeq: mark });
  await ha.waitForMessage(topic(WALKER, 'motion'), 'ON', { afterSeq: mark, timeoutMs: 30_000 });
  const retained = await MqttRecorder.retained(broker.url, [`a9_v720/${WALKER}/#`]);
  assert.equal(retained.get(topic(WALKER, 'motion_detection'))?.text, 'ON');
  assert.equal(retained.get(topic(WALKER, 'motion_sensitivity'))?.text, '35');
});
