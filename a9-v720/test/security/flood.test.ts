/**
 * A LAN host floods the add-on with made-up camera ids (issue 11, "made-up ids flood
 * everything"): HTTP bootstrap requests and TCP registrations from 127.0.0.x, which stand in
 * for other hosts. The registry, the saved file and the retained MQTT messages must stay
 * bounded, the log must stay short, and a real camera must keep working throughout.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_BOOTSTRAP_LIMITS } from '../../src/camera/bootstrap-server.js';
import { encodeCameraJson } from '../../src/protocol/messages.js';
import { rawBootstrapRequest, rawHttpExchange } from '../../src/simulator/bootstrap-client.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { TEST_TIMING } from '../ha/harness.js';
import { MqttRecorder } from '../ha/mqtt-recorder.js';

const REAL = '0800c0F00001';
let broker: MosquittoBroker;
let h: Harness;

before(async () => {
  broker = await MosquittoBroker.create();
  h = await startHarness(
    { mqtt: { url: broker.url }, maxCameras: 16, logLevel: 'info' },
    { mqttTiming: TEST_TIMING, limits: { unregisteredTtlMs: 1500 } },
  );
  await waitFor(() => h.app.mqtt.connected, 'bridge connected');
});
after(async () => {
  await h.stop();
  await broker.dispose();
});

const fakeId = (i: number): string => `0800c0${i.toString(16).toUpperCase().padStart(6, '0')}`;

/** Registers `uid` over a raw TCP connection from `localAddress`; resolves with whether it was answered. */
function rawRegister(uid: string, localAddress: string): Promise<{ answered: boolean; socket: net.Socket }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: h.app.ports.tcp, localAddress }, () =>
      socket.write(encodeCameraJson({ code: 100, uid, token: '00000000', domain: 'v720.naxclow.com' })),
    );
    let done = false;
    const finish = (answered: boolean): void => {
      if (done) return;
      done = true;
      resolve({ answered, socket });
    };
    socket.once('data', () => finish(true));
    socket.once('close', () => finish(false));
    socket.once('error', () => finish(false));
  });
}

test('made-up ids over HTTP and TCP: bounded registry, file and MQTT; one line per kind; the real camera stays', async () => {
  const camera = h.camera(REAL, { heartbeatMs: 300 });
  await camera.start();
  await waitFor(() => h.app.registry.get(REAL)?.online === true, 'real camera online');
  const warnsBefore = h.log.problems().length;

  // 400 bootstrap requests with made-up ids from one host.
  let accepted = 0;
  let refused = 0;
  const floodStarted = performance.now();
  for (let i = 0; i < 400; i++) {
    const answer = await rawHttpExchange('127.0.0.1', h.app.ports.http, rawBootstrapRequest(fakeId(i), '1'), { localAddress: '127.0.0.2' });
    if (answer.status === 200) accepted++;
    else if (answer.status === 429) refused++;
  }
  // The bucket refills while the loop runs (slowly on a loaded machine): allow what it can have
  // refilled in the time the loop really took, not a figure that assumes a fast machine.
  const floodSeconds = (performance.now() - floodStarted) / 1000;
  const allowed = DEFAULT_BOOTSTRAP_LIMITS.capacity + Math.ceil(DEFAULT_BOOTSTRAP_LIMITS.refillPerSecond * floodSeconds);
  assert.ok(
    accepted <= allowed,
    `the source was rate-limited: ${accepted} accepted (at most ${allowed} in ${floodSeconds.toFixed(1)} s), ${refused} refused`,
  );
  assert.equal(accepted + refused, 400, `every request answered 200 or 429 (${accepted} + ${refused})`);
  assert.ok(refused >= 200, `${refused} refused with 429`);
  assert.ok(h.app.registry.size <= 16, `registry holds ${h.app.registry.size} cameras (max_cameras 16)`);
  assert.equal(h.app.registry.get(REAL)?.online, true);

  // 100 TCP registrations with made-up ids from another host.
  const sockets: net.Socket[] = [];
  let answered = 0;
  for (let i = 0; i < 100; i++) {
    const result = await rawRegister(fakeId(10_000 + i), '127.0.0.3');
    sockets.push(result.socket);
    if (result.answered) answered++;
  }
  for (const socket of sockets) socket.destroy();
  assert.ok(answered <= 20, `registrations from one host are rate-limited: ${answered} of 100 answered`);
  assert.ok(h.app.registry.size <= 16, `registry holds ${h.app.registry.size} cameras`);
  assert.equal(h.app.registry.get(REAL)?.online, true, 'the real camera is still online');
  assert.ok(h.log.find(/camera limit reached: 16 cameras are registered/), 'the cap is explained once');
  // Fake registrations never answer base info: once gone, a new real camera pushes one out.
  await waitFor(() => h.app.registry.onlineCount === 1, 'fake registrations offline');
  const newcomer = h.camera('0800c0F00003', { heartbeatMs: 300 });
  await newcomer.start();
  await waitFor(() => h.app.registry.get('0800c0F00003')?.online === true, 'a new real camera gets in despite the cap');
  newcomer.stop();

  // Ids that only bootstrapped expire; nothing about them ever reached MQTT.
  await waitFor(() => h.app.registry.list().every((c) => c.registered), 'unregistered ids expired', 10_000);
  const retained = await MqttRecorder.retained(broker.url, ['homeassistant/#', 'a9_v720/#']);
  const devices = [...retained.keys()].filter((topic) => /^homeassistant\/device\/a9v720_0800c0.*\/config$/.test(topic));
  const registered = h.app.registry.list().filter((c) => c.registered).length;
  assert.equal(devices.length, registered, `one HA device per registered camera (${devices.length} discovery configs)`);
  assert.ok(registered <= 16, `at most 16 registered cameras, got ${registered}`);
  assert.ok(retained.size < 16 * 12 + 20, `${retained.size} retained messages`);
  // Every expiry is a registry change, so the store's debounced save catches up with the last one.
  await waitFor(() => {
    try {
      const saved = JSON.parse(readFileSync(path.join(h.dataDir, 'cameras.json'), 'utf8')) as { cameras: unknown[] };
      return saved.cameras.length === registered;
    } catch {
      return false;
    }
  }, 'cameras.json saved');

  // A handful of warnings, not hundreds: one per kind (rate, cap, timeouts), each with a count.
  const newWarnings = h.log.problems().slice(warnsBefore);
  assert.ok(newWarnings.length <= 8, `log lines at warn or above: ${newWarnings.length}\n${newWarnings.map((l) => l.msg).join('\n')}`);
  camera.stop();
});

test("the pwd is bound to the address that asked: a stranger does not get the camera's token", async () => {
  const pwdFrom = async (localAddress: string): Promise<string> => {
    const answer = await rawHttpExchange('127.0.0.1', h.app.ports.http, rawBootstrapRequest(REAL, '1'), { localAddress });
    return (JSON.parse(answer.body) as { data: { pwd: string } }).data.pwd;
  };
  const own = await pwdFrom('127.0.0.1');
  assert.equal(await pwdFrom('127.0.0.1'), own, 'stable for the same address');
  assert.notEqual(await pwdFrom('127.0.0.9'), own, 'another address gets another pwd');
});
