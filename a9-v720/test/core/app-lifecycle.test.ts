/**
 * The App's parts with real sockets, mosquitto and a data dir: a start that fails midway undoes
 * what it started; stop runs in the reverse order of start (MQTT offline first, viewers ended
 * cleanly, cameras offline as a shutdown, listeners closed; the order itself is unit-tested in
 * lifecycle.test.ts); and every part that listened to the
 * registry (MQTT bridge, motion monitor, store, a dashboard event stream, the App's own wiring)
 * has unsubscribed once the App is stopped.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { CAMERA_CHANGE_EVENTS, type RegistryEvent } from '../../src/camera/registry.js';
import { App } from '../../src/app.js';
import { resolveCameraAddress } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';
import { freePort, MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, testConfig, waitFor } from '../support/app-harness.js';
import { captureLog } from '../support/log-capture.js';
import { openMjpeg, taggedFrames } from '../support/media-client.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { TEST_TIMING } from '../ha/harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const EVENTS: readonly RegistryEvent[] = [...CAMERA_CHANGE_EVENTS, 'removed', 'full'];

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
  // Bridge, store, event stream and one more part each follow these (journeys: state; motion: settings).
  for (const event of ['online', 'offline', 'state', 'removed'] as const) assert.ok(registry.listenerCount(event) >= 4, event);
  for (const event of ['settings', 'name', 'motion-settings', 'motion'] as const) assert.ok(registry.listenerCount(event) >= 3, event);

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

/** Resolves true when a TCP listener can be opened on `port` (then closes it again). */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

test('a start that fails midway stops the parts already started, in reverse, and says which port to change', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'a9-test-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '127.0.0.1' }, resolve));
  t.after(() => new Promise((resolve) => blocker.close(resolve)));
  const busyPort = (blocker.address() as net.AddressInfo).port;
  const [webPort, httpPort] = [await freePort(), await freePort()];
  const log = captureLog('debug');
  const config = testConfig({ dataDir, webPort, httpPort, tcpPort: busyPort });
  const app = new App({ config, logger: log.logger, cameraAddress: resolveCameraAddress(config.serverIp, undefined) });

  await assert.rejects(app.start(), (error: unknown) => {
    assert.ok(error instanceof StartupError, `a StartupError, got ${String(error)}`);
    assert.match(error.message, new RegExp(`^TCP control port ${busyPort} is already in use .*change the option "tcp_port"$`));
    return true;
  });
  // The web and bootstrap listeners it had opened are closed again; the store and the wiring let go.
  assert.equal(await canListen(webPort), true, 'web port free again');
  assert.equal(await canListen(httpPort), true, 'bootstrap port free again');
  for (const event of EVENTS) assert.equal(app.registry.listenerCount(event), 0, event);
  assert.ok(readFileSync(path.join(dataDir, 'cameras.json'), 'utf8').includes('"cameras"'), 'the store wrote its final state');
  await app.stop();
  assert.deepEqual(log.problems(), [], 'nothing failed while undoing the start');
});

test('stop with real parts: MQTT says offline, the viewer ends with its closing boundary, cameras go offline as a shutdown, every listener closes', async (t) => {
  const broker = await MosquittoBroker.create();
  t.after(() => broker.dispose());
  const h = await startHarness({ mqtt: { url: broker.url } }, { mqttTiming: TEST_TIMING });
  t.after(() => h.stop());
  await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
  const id = '0800c0D00002';
  const camera = h.camera(id, { frames: taggedFrames(id), fps: 20, reconnect: false });
  await camera.start();
  await waitFor(() => h.app.registry.get(id)?.online === true, 'camera online');
  const viewer = openMjpeg(h.app.ports.web, id);
  await waitFor(() => viewer.parts.length >= 2, 'viewer gets frames');
  const ha = await MqttRecorder.connect(broker.url, [`a9_v720/${id}/availability`]);
  t.after(() => ha.close());
  await ha.waitForMessage(`a9_v720/${id}/availability`, 'online');
  const mark = ha.mark;
  const { ports } = h.app;

  await h.app.stop();
  assert.deepEqual(await viewer.ended, { closingBoundary: true }, 'the hub ended the viewer before the web server closed');
  assert.equal(h.app.registry.get(id)?.offlineReason, 'server shutting down', 'sessions ended before their connections were cut');
  // The bridge stopped while still connected: the camera's retained availability says offline.
  await ha.waitForMessage(`a9_v720/${id}/availability`, 'offline', { afterSeq: mark });
  for (const port of [ports.web, ports.http, ports.tcp]) assert.equal(await canListen(port), true, `port ${port} closed`);
  await h.app.stop();
});
