/**
 * Broker faults: mosquitto stopped while cameras come, go and change settings, then started
 * again; and the broker cut off from the add-on while Home Assistant keeps publishing commands.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { freePort, MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, waitFor } from '../support/app-harness.js';
import { TEST_TIMING } from '../ha/harness.js';
import { MqttRecorder, waitUntil } from '../ha/mqtt-recorder.js';
import { chaosFleet, compareRetained, eventuallyAgrees, seededRandom } from './chaos.js';

const OUTAGE_MS = Number(process.env['OUTAGE_MS'] ?? 5_000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test(`mosquitto down for ${OUTAGE_MS / 1000} s while cameras come and go: afterwards discovery and every state match reality`, async () => {
  const broker = await MosquittoBroker.create();
  const h = await startHarness({ mqtt: { url: broker.url }, offlineAfterSeconds: 2, logLevel: 'info' }, { mqttTiming: TEST_TIMING });
  const cameras = chaosFleet(30, h.app.ports.http, '0800c0K', { random: seededRandom(5) });
  try {
    await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
    await Promise.all(cameras.slice(0, 20).map((camera) => camera.start()));
    assert.deepEqual(await eventuallyAgrees(async () => (await compareRetained(broker.url, cameras.slice(0, 20))).mismatches, 10_000), []);
    // Base info for one camera so it has an IR LED switch whose state will change during the outage.
    const lit = cameras[0]!;
    await h.app.sessions.sendSetting(lit.id, { code: 202, IrLed: 0 });
    await waitFor(() => h.app.registry.get(lit.id)?.baseInfo?.IrLed === 0, 'base info');

    await broker.stop();
    const downAt = Date.now();
    await waitFor(() => !h.app.mqtt.connected, 'bridge noticed the outage');
    // While the broker is away: 5 leave, 10 new ones arrive, 3 reset and come back, one changes a setting.
    for (const camera of cameras.slice(15, 20)) camera.stop();
    await Promise.all(cameras.slice(20, 30).map((camera) => camera.start()));
    for (const camera of cameras.slice(5, 8)) camera.crash();
    await h.app.sessions.sendSetting(lit.id, { code: 202, IrLed: 1 });
    await waitFor(() => cameras.slice(5, 8).every((c) => c.isConnected && c.stats.registrations === 2), 'reset cameras back');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    assert.equal(h.app.mqtt.connected, false, 'the broker really was down the whole time');
    await broker.start();
    await waitUntil(() => h.app.mqtt.connected, 'bridge reconnected', 15_000);

    const mismatches = await eventuallyAgrees(async () => {
      const { mismatches: found } = await compareRetained(broker.url, cameras);
      const held = await MqttRecorder.retained(broker.url, [`a9_v720/${lit.id}/ir_led`]);
      if (held.get(`a9_v720/${lit.id}/ir_led`)?.text !== 'ON')
        found.push(`ir_led of ${lit.id} is ${held.get(`a9_v720/${lit.id}/ir_led`)?.text ?? '(nothing)'}, camera has it ON`);
      return found;
    }, 10_000);
    assert.deepEqual(mismatches, []);
    assert.equal(cameras.filter((c) => c.isConnected).length, 25);
    // One line when the connection is lost, one when it is back: not one per retry.
    assert.equal(h.log.lines.filter((l) => /MQTT connection to .* lost/.test(l.msg)).length, 1);
    const unreachableLines = h.log.lines.filter((l) => /not reachable/.test(l.msg)).length;
    assert.ok(unreachableLines <= 1, `at most one "not reachable" line per outage, got ${unreachableLines}`);
  } finally {
    for (const camera of cameras) camera.stop();
    await h.stop();
    await broker.dispose();
  }
});

/** A TCP relay to the broker that can be cut (connections reset, new ones refused) and restored. */
class BrokerLink {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    readonly port: number,
    private readonly brokerPort: number,
  ) {}

  static async create(brokerPort: number): Promise<BrokerLink> {
    const link = new BrokerLink(await freePort(), brokerPort);
    await link.restore();
    return link;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  restore(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.brokerPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }

  cut(): Promise<void> {
    for (const socket of this.sockets) socket.resetAndDestroy();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

test('commands Home Assistant publishes while the add-on cannot reach the broker are not replayed when it reconnects', async () => {
  const broker = await MosquittoBroker.create();
  const link = await BrokerLink.create(broker.port);
  const h = await startHarness({ mqtt: { url: link.url }, logLevel: 'info' }, { mqttTiming: TEST_TIMING });
  const ha = await MqttRecorder.connect(broker.url, ['a9_v720/#']);
  const camera = h.camera('0800c0K10001', { reconnect: false });
  try {
    await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
    await camera.start();
    await h.app.sessions.get(camera.id)?.ensureCommandMode();
    await ha.waitForMessage(`a9_v720/${camera.id}/ir_led`, 'OFF');

    await link.cut();
    await waitFor(() => !h.app.mqtt.connected, 'bridge cut off');
    // HA (still connected to the broker) sends commands: QoS 1, and one wrongly retained.
    await ha.publish(`a9_v720/${camera.id}/ir_led/set`, 'ON', { qos: 1 });
    await ha.publish(`a9_v720/${camera.id}/orientation/set`, 'flip', { qos: 1 });
    await ha.publish(`a9_v720/${camera.id}/status_led/set`, 'OFF', { qos: 1, retain: true });
    await sleep(1000);
    await link.restore();
    await waitUntil(() => h.app.mqtt.connected, 'bridge reconnected', 15_000);
    await waitUntil(
      () => h.log.find(/ignored retained command on a9_v720\/0800c0K10001\/status_led\/set/),
      'retained command seen and ignored',
    );
    await sleep(1000);
    await h.app.mqtt.idle();
    assert.deepEqual(
      camera.commands.filter((c) => c.code === 202 || c.code === 210 || c.code === 216),
      [],
      'none of the commands from the outage reached the camera',
    );
    // The path works: a command sent now is applied, and it is the only one.
    await ha.publish(`a9_v720/${camera.id}/status_led/set`, '', { qos: 1, retain: true });
    await ha.publish(`a9_v720/${camera.id}/ir_led/set`, 'ON', { qos: 1 });
    await ha.waitForMessage(`a9_v720/${camera.id}/ir_led`, 'ON');
    assert.deepEqual(
      camera.commands.filter((c) => c.code === 202 || c.code === 210 || c.code === 216),
      [{ code: 202, IrLed: 1 }],
    );
  } finally {
    camera.stop();
    await ha.close();
    await h.stop();
    await link.cut();
    await broker.dispose();
  }
});
