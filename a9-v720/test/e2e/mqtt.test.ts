/**
 * The whole chain with real parts: camera simulator ⇄ server ⇄ mosquitto ⇄ a client acting
 * as Home Assistant.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { TEST_TIMING } from '../ha/harness.js';
import { taggedFrames } from '../support/media-client.js';
import type { DeviceDiscoveryPayload } from '../../src/ha/discovery.js';

let broker: MosquittoBroker;
let h: Harness;
let ha: MqttRecorder;
const ID = '0800c0F00001';

before(async () => {
  broker = await MosquittoBroker.create();
  h = await startHarness({ mqtt: { url: broker.url } }, { mqttTiming: TEST_TIMING });
  ha = await MqttRecorder.connect(broker.url, ['#']);
  await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
});
after(async () => {
  await ha.close();
  await h.stop();
  await broker.dispose();
});

test('a simulated camera becomes an HA device: discovery retained, connectivity on, then off when it leaves', async () => {
  const frames = taggedFrames(ID);
  const camera = h.camera(ID, { frames, reconnect: false });
  await camera.start();
  const discovery = await ha.waitForMessage(`homeassistant/device/a9v720_${ID}/config`);
  assert.equal(discovery.retain, true);
  const payload = JSON.parse(discovery.text) as DeviceDiscoveryPayload;
  assert.equal(payload.device.serial_number, ID);
  assert.equal(payload.device.manufacturer, 'Naxclow');
  assert.deepEqual(payload.device.via_device, 'a9v720_bridge');
  assert.equal(payload.components['connectivity']?.['device_class'], 'connectivity');
  assert.equal(payload.components['connectivity']?.['unique_id'], `a9v720_${ID}_connectivity`);
  await ha.waitForMessage(`a9_v720/${ID}/availability`, 'online');
  assert.equal(ha.latest(`a9_v720/${ID}/availability`)?.retain, true);

  // Base info arrives with the first command-mode handshake; a switch then appears and works.
  const mark = ha.messages.length;
  await ha.publish(`a9_v720/${ID}/snapshot/set`, 'PRESS');
  const image = await ha.waitFor((m) => m.topic === `a9_v720/${ID}/image` && m.seq >= mark, 'image published', { timeoutMs: 15_000 });
  assert.ok(
    frames.some((frame) => frame.equals(image.payload)),
    'published image is a frame the camera sent',
  );
  await ha.waitFor(
    (m) => m.topic === `homeassistant/device/a9v720_${ID}/config` && 'ir_led' in (JSON.parse(m.text) as DeviceDiscoveryPayload).components,
    'IR LED entity appears with base info',
  );
  assert.equal((await ha.waitForMessage(`a9_v720/${ID}/ir_led`)).text, 'OFF');

  await ha.publish(`a9_v720/${ID}/ir_led/set`, 'ON');
  await ha.waitForMessage(`a9_v720/${ID}/ir_led`, 'ON');
  assert.deepEqual(
    camera.commands.filter((c) => c.code === 202),
    [{ code: 202, IrLed: 1 }],
  );
  await ha.publish(`a9_v720/${ID}/orientation/set`, 'rotate 180');
  await ha.waitForMessage(`a9_v720/${ID}/orientation`, 'rotate 180');
  assert.deepEqual(
    camera.commands.filter((c) => c.code === 216),
    [{ code: 216, mirrorFlip: 4 }],
  );

  // Invalid payloads are ignored; nothing reaches the camera.
  await ha.publish(`a9_v720/${ID}/ir_led/set`, 'MAYBE');
  await h.app.mqtt.idle();
  assert.equal(camera.commands.filter((c) => c.code === 202).length, 1);

  camera.stop();
  await ha.waitForMessage(`a9_v720/${ID}/availability`, 'offline');
});

test('forgetting a camera in the dashboard API clears its retained topics (no ghost entities)', async () => {
  const response = await fetch(`http://127.0.0.1:${h.app.ports.web}/api/cameras/${ID}`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(response.status, 204);
  await waitFor(() => ha.latest(`homeassistant/device/a9v720_${ID}/config`)?.payload.length === 0, 'discovery cleared');
  const retained = await MqttRecorder.retained(broker.url, [`a9_v720/${ID}/#`, `homeassistant/device/a9v720_${ID}/config`]);
  assert.equal(retained.size, 0, `still retained: ${[...retained.keys()].join(', ')}`);
});

test('the broker restarting mid-run: the bridge reconnects and the broker again holds the truth', async () => {
  const camera = h.camera('0800c0F00002');
  await camera.start();
  await ha.waitForMessage('a9_v720/0800c0F00002/availability', 'online');
  await ha.close();
  await broker.restart();
  await waitUntil(() => h.app.mqtt.connected, 'bridge reconnected', 15_000);
  const held = await waitForRetained('a9_v720/0800c0F00002/availability', 'online');
  assert.equal(held, 'online');
  ha = await MqttRecorder.connect(broker.url, ['#']);
  camera.stop();
});

async function waitForRetained(topic: string, text: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const retained = await MqttRecorder.retained(broker.url, [topic]);
    const value = retained.get(topic)?.text;
    if (value === text) return value;
    if (Date.now() > deadline) throw new Error(`broker never held ${topic} = ${text} (has ${value})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
