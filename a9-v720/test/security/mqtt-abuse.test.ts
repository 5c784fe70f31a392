/**
 * Whoever can publish to the broker (issue 11, "smaller"): oversized command payloads, command
 * floods, commands for made-up cameras, and a burst of spoofed HA birth messages. Real mosquitto.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HaTopics } from '../../src/ha/topics.js';
import { createHarness, type Harness } from '../ha/harness.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { MosquittoBroker } from '../support/mosquitto.js';

const CAM = '0800c0M00001';
const T = new HaTopics('a9_v720', 'homeassistant');
let broker: MosquittoBroker;
let h: Harness;
let rec: MqttRecorder;

before(async () => {
  broker = await MosquittoBroker.create();
  h = createHarness(broker.url, { timing: { birthDelayMs: [0, 20], birthMinIntervalMs: 60_000 } });
  rec = await MqttRecorder.connect(broker.url);
  await h.bridge.start();
  await waitUntil(() => h.bridge.connected, 'bridge connected');
  h.registry.markOnline(CAM, '192.168.1.50', true);
  await rec.waitForMessage(T.cameraAvailability(CAM), 'online');
});
after(async () => {
  await h.bridge.stop();
  await rec.close();
  await broker.dispose();
});

const warnings = (pattern: RegExp) => h.log.problems().filter((line) => pattern.test(line.msg));

test('an oversized command payload is dropped unread with one log line', async () => {
  const calls = h.control.calls.length;
  await rec.publish(T.cameraCommand(CAM, 'ir_led'), Buffer.alloc(1_000_000, 0x4f));
  await rec.publish(T.cameraCommand(CAM, 'ir_led'), Buffer.alloc(300_000, 0x4f));
  await waitUntil(() => warnings(/dropped a 1000000-byte command/).length === 1, 'the oversize line');
  await h.bridge.idle();
  assert.equal(h.control.calls.length, calls, 'nothing reached the camera');
  assert.equal(warnings(/-byte command on/).length, 1, 'one line per kind, not per message');
});

test('400 commands in a burst: a handful reach the camera, the rest are dropped with one line', async () => {
  const calls = h.control.calls.length;
  await Promise.all(Array.from({ length: 400 }, (_, i) => rec.publish(T.cameraCommand(CAM, 'ir_led'), i % 2 ? 'ON' : 'OFF')));
  await waitUntil(
    () => warnings(/too many commands for this camera/).filter((line) => line['camera'] === CAM).length >= 1,
    'rate-limit line',
  );
  await new Promise((resolve) => setTimeout(resolve, 500));
  await h.bridge.idle();
  const forwarded = h.control.calls.length - calls;
  assert.ok(forwarded >= 5 && forwarded <= 15, `${forwarded} of 400 forwarded`);
  assert.equal(warnings(/too many commands/).length, 1);
});

test('commands for 200 made-up cameras: one warn line', async () => {
  const before = warnings(/command for unknown camera/).length;
  await Promise.all(Array.from({ length: 200 }, (_, i) => rec.publish(`a9_v720/0800c0X${String(i).padStart(5, '0')}/ir_led/set`, 'ON')));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await h.bridge.idle();
  assert.equal(warnings(/command for unknown camera/).length - before, 1);
});

test('a burst of spoofed HA births re-publishes discovery once', async () => {
  const mark = rec.mark;
  for (let i = 0; i < 20; i++) {
    await rec.publish('homeassistant/status', 'online');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const republished = rec.messages.filter((m) => m.seq > mark && m.topic === T.cameraDiscovery(CAM));
  assert.equal(republished.length, 1, `${republished.length} re-publishes of the camera's discovery`);
  assert.equal(h.log.lines.filter((line) => /Home Assistant is online/.test(line.msg)).length, 1);
});
