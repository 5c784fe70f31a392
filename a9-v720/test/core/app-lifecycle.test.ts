/**
 * The App's parts and the registry: every part that listens to the registry while running
 * (MQTT bridge, motion monitor, store, a dashboard event stream, the App's own wiring) has
 * unsubscribed once the App is stopped. Real parts: mosquitto, sockets, the data dir.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import type { RegistryEvent } from '../../src/camera/registry.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor } from '../support/app-harness.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { TEST_TIMING } from '../ha/harness.js';

const EVENTS: readonly RegistryEvent[] = ['online', 'offline', 'updated', 'removed', 'full'];

/** Opens the dashboard's event stream and resolves once its first message arrived. */
function openEventStream(port: number): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/api/events' }, (response) => {
      response.once('data', () => resolve(request));
      response.on('error', () => undefined);
    });
    request.on('error', reject);
  });
}

test('after stop, a registry change reaches no stopped part', async (t) => {
  const broker = await MosquittoBroker.create();
  t.after(() => broker.dispose());
  const h = await startHarness({ mqtt: { url: broker.url } }, { mqttTiming: TEST_TIMING });
  t.after(() => h.stop());
  await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
  const stream = await openEventStream(h.app.ports.web);
  stream.on('error', () => undefined);
  const { registry } = h.app;
  for (const event of ['online', 'offline', 'updated', 'removed'] as const) assert.ok(registry.listenerCount(event) >= 4, event);

  await h.app.stop();
  // The event stream's cleanup runs when its socket's close event arrives.
  await waitFor(() => EVENTS.every((event) => registry.listenerCount(event) === 0), 'no registry listeners left');

  const ha = await MqttRecorder.connect(broker.url, ['#']);
  t.after(() => ha.close());
  const savedBefore = readFileSync(path.join(h.dataDir, 'cameras.json'), 'utf8');
  registry.markOnline('0800c0D00001', '127.0.0.1', true);
  registry.setState('0800c0D00001', 'command');
  registry.remove('0800c0D00001');
  // Longer than the store's save debounce (1 s): a store still listening would have written by now.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(readFileSync(path.join(h.dataDir, 'cameras.json'), 'utf8'), savedBefore, 'the stopped store wrote nothing');
  assert.deepEqual(
    ha.messages.filter((m) => m.topic.includes('0800c0D00001')).map((m) => m.topic),
    [],
    'the stopped bridge published nothing',
  );
});
