/** MqttBridge against a real mosquitto, driven through a real CameraRegistry. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { buildBridgeDiscovery, buildCameraDiscovery } from '../../src/ha/discovery.js';
import { HaTopics } from '../../src/ha/topics.js';
import { MosquittoBroker } from '../support/mosquitto.js';
import { createHarness, type Harness } from './harness.js';
import { MqttRecorder, waitUntil, type Received } from './mqtt-recorder.js';
import type { MqttBridgeTiming } from '../../src/ha/bridge.js';
import { BARE_CAMERA_KEYS } from './expected-entities.js';
import { CameraRegistry } from '../../src/camera/registry.js';
import { JourneyBook } from '../../src/camera/setup/journey.js';
import { SetupMonitor } from '../../src/camera/setup/setup-monitor.js';
import { createResolver } from '../../src/camera/setup/dns-check.js';
import { startFakeDns } from '../support/fake-dns.js';
import { captureLog } from '../support/log-capture.js';

const CAM = '0800c00128F8';
const T = new HaTopics('a9_v720', 'homeassistant');
const ctx = { topics: T, addonVersion: '0.1.0-test', dashboardUrl: 'http://127.0.0.1:1234/' };
const BASE_INFO = {
  IrLed: 1,
  devPower: 100,
  speedGrade: 1,
  moveAlert: 0,
  sdMoveMode: 0,
  wifiName: 'home',
  instLed: 1,
  sdDevStatus: 0,
  mirrorFlip: 0,
  version: '202212011602',
};

interface Setup extends Harness {
  broker: MosquittoBroker;
  rec: MqttRecorder;
}

async function setup(t: TestContext, timing: Partial<MqttBridgeTiming> = {}): Promise<Setup> {
  const broker = await MosquittoBroker.create();
  const harness = createHarness(broker.url, { timing });
  const rec = await MqttRecorder.connect(broker.url);
  t.after(async () => {
    await harness.bridge.stop();
    await rec.close();
    await broker.dispose();
  });
  await harness.bridge.start();
  await waitUntil(() => harness.bridge.connected, 'bridge connected');
  return { ...harness, broker, rec };
}

const json = (message: Received): unknown => JSON.parse(message.text);

/** Everything under the camera's topics and its discovery topic, as the broker retains it. */
async function retainedFor(url: string, id: string): Promise<Map<string, string>> {
  const all = await MqttRecorder.retained(url);
  const out = new Map<string, string>();
  for (const [topic, message] of all) {
    if (topic.startsWith(`a9_v720/${id}/`) || topic === T.cameraDiscovery(id)) out.set(topic, message.text);
  }
  return out;
}

/** Polls the broker's retained messages for the camera until `done` holds. */
async function waitForRetained(
  url: string,
  id: string,
  done: (held: Map<string, string>) => boolean,
  what: string,
): Promise<Map<string, string>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const held = await retainedFor(url, id).catch(() => new Map<string, string>());
    if (done(held)) return held;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; held: ${JSON.stringify([...held])}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('MqttBridge with a real broker', () => {
  it('publishes exact, retained discovery and states for the bridge and a camera', async (t) => {
    const s = await setup(t);
    const bridgeConfig = await s.rec.waitForMessage(T.bridgeDiscovery);
    assert.equal(bridgeConfig.retain, true);
    assert.deepEqual(
      json(bridgeConfig),
      JSON.parse(JSON.stringify(buildBridgeDiscovery({ camerasOnline: 0, version: '0.1.0-test' }, ctx).payload)),
    );
    assert.equal((await s.rec.waitForMessage(T.bridgeState, 'online')).retain, true);
    assert.equal((await s.rec.waitForMessage('a9_v720/bridge/version', '0.1.0-test')).retain, true);

    const record = s.registry.markOnline(CAM, '192.168.1.50', true);
    assert.ok(record, 'markOnline returns the camera record');
    const config = await s.rec.waitForMessage('homeassistant/device/a9v720_0800c00128F8/config');
    assert.equal(config.retain, true);
    const payload = json(config) as { device: Record<string, unknown>; components: Record<string, Record<string, unknown>> };
    assert.deepEqual(payload, JSON.parse(JSON.stringify(buildCameraDiscovery(record, ctx).payload)));
    assert.deepEqual(payload.device['identifiers'], ['a9v720_0800c00128F8']);
    assert.equal(payload.device['via_device'], 'a9v720_bridge');
    assert.equal(payload.device['serial_number'], CAM);
    assert.deepEqual(Object.keys(payload.components), BARE_CAMERA_KEYS);

    const expected = new Map([
      ['homeassistant/device/a9v720_0800c00128F8/config', JSON.stringify(buildCameraDiscovery(record, ctx).payload)],
      ['a9_v720/0800c00128F8/availability', 'online'],
      ['a9_v720/0800c00128F8/ip_address', '192.168.1.50'],
      ['a9_v720/0800c00128F8/last_seen', new Date(record.lastSeen).toISOString()],
      ['a9_v720/0800c00128F8/streaming', 'OFF'],
      ['a9_v720/0800c00128F8/motion', 'OFF'],
      ['a9_v720/0800c00128F8/motion_detection', 'OFF'],
      ['a9_v720/0800c00128F8/motion_sensitivity', '50'],
    ]);
    for (const [topic, text] of expected) {
      const message = await s.rec.waitForMessage(topic, text);
      assert.equal(message.retain, true, `${topic} retained`);
    }
    assert.deepEqual(await retainedFor(s.broker.url, CAM), expected);
    assert.equal((await s.rec.waitForMessage('a9_v720/bridge/cameras_online', '1')).retain, true);
    assert.deepEqual(s.log.problems(), []);
  });

  it('announces a restored camera that registered before as offline; one seen only at bootstrap is no device', async (t) => {
    const s = await setup(t);
    // A made-up id in an HTTP request: no discovery, no state topics, nothing to clear when it expires.
    const stranger = '0800c0FAKE01';
    s.registry.noteBootstrap(stranger, '192.168.1.66', '202212011602');
    s.registry.restore([
      {
        id: CAM,
        ip: '192.168.1.50',
        online: false,
        firstSeen: 1,
        lastSeen: 2,
        state: 'offline',
        registered: true,
        firmware: '202212011602',
      },
    ]);
    s.registry.noteBootstrap(CAM, '192.168.1.50', '202212011602');
    const config = await s.rec.waitForMessage(T.cameraDiscovery(CAM));
    assert.equal((json(config) as { device: Record<string, unknown> }).device['sw_version'], '202212011602');
    assert.equal((await s.rec.waitForMessage(T.cameraAvailability(CAM))).text, 'offline');
    await s.rec.waitForMessage('a9_v720/bridge/cameras_online', '0');
    const mark = s.rec.mark;
    assert.equal(s.registry.expireUnregistered(0).includes(stranger), true);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'online', { afterSeq: mark });
    assert.deepEqual(
      s.rec.messages.filter((m) => m.topic.includes(stranger)).map((m) => m.topic),
      [],
      'nothing was ever published for the id that only bootstrapped',
    );
  });

  it('shows connectivity ON then OFF within a second of the registry event', async (t) => {
    const s = await setup(t);
    let since = Date.now();
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'online');
    assert.ok(Date.now() - since < 1000, `online took ${Date.now() - since} ms`);
    const mark = s.rec.mark;
    since = Date.now();
    s.registry.markOffline(CAM, 'heartbeat timeout');
    const off = await s.rec.waitForMessage(T.cameraAvailability(CAM), 'offline', { afterSeq: mark });
    assert.ok(Date.now() - since < 1000, `offline took ${Date.now() - since} ms`);
    assert.equal(off.retain, true);
    await s.rec.waitForMessage('a9_v720/bridge/cameras_online', '0', { afterSeq: mark });
  });

  it('announces setting entities only when base info arrives', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'online');
    assert.equal(s.rec.on(T.cameraEntity(CAM, 'ir_led')).length, 0);
    const mark = s.rec.mark;
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    const config = await s.rec.waitForMessage(T.cameraDiscovery(CAM), undefined, { afterSeq: mark });
    const payload = json(config) as { device: Record<string, unknown>; components: Record<string, unknown> };
    assert.equal(payload.device['sw_version'], '202212011602');
    for (const key of ['ir_led', 'status_led', 'orientation', 'battery', 'wifi_network']) assert.ok(key in payload.components, key);
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON', { afterSeq: mark });
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'status_led'), 'ON', { afterSeq: mark });
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'orientation'), 'normal', { afterSeq: mark });
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'battery'), '100', { afterSeq: mark });
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'wifi_network'), 'home', { afterSeq: mark });
    // A state change that leaves the entity set alone does not re-send discovery.
    const mark2 = s.rec.mark;
    s.registry.setState(CAM, 'streaming');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'streaming'), 'ON', { afterSeq: mark2 });
    assert.equal(s.rec.messages.filter((m) => m.seq > mark2 && m.topic === T.cameraDiscovery(CAM)).length, 0);
  });

  it('turns HA commands into SettingCommands; the state follows the camera echo only', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON');

    let mark = s.rec.mark;
    await s.rec.publish(T.cameraCommand(CAM, 'ir_led'), 'OFF');
    await waitUntil(() => s.control.calls.length === 1, 'sendSetting call');
    assert.deepEqual(s.control.calls[0], { cameraId: CAM, command: { code: 202, IrLed: 0 } });
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'OFF', { afterSeq: mark });

    mark = s.rec.mark;
    await s.rec.publish(T.cameraCommand(CAM, 'orientation'), 'rotate 180');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'orientation'), 'rotate 180', { afterSeq: mark });
    assert.deepEqual(s.control.calls[1]?.command, { code: 216, mirrorFlip: 4 });

    await s.rec.publish(T.cameraCommand(CAM, 'status_led'), 'OFF');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'status_led'), 'OFF');
    assert.deepEqual(s.control.calls[2]?.command, { code: 210, instLed: 0 });

    await s.rec.publish(T.cameraCommand(CAM, 'restart'), 'PRESS');
    await waitUntil(() => s.control.calls.length === 4, 'restart call');
    assert.deepEqual(s.control.calls[3]?.command, { code: 299, reboot: 1 });

    // No echo → no state change (never optimistic). The later status LED echo proves the
    // bridge has published everything it was going to publish for the first command.
    s.control.echo = false;
    mark = s.rec.mark;
    await s.rec.publish(T.cameraCommand(CAM, 'ir_led'), 'ON');
    await waitUntil(() => s.control.calls.length === 5, 'unechoed call');
    await s.bridge.idle();
    s.control.echo = true;
    await s.rec.publish(T.cameraCommand(CAM, 'status_led'), 'ON');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'status_led'), 'ON', { afterSeq: mark });
    assert.equal(s.rec.messages.filter((m) => m.seq > mark && m.topic === T.cameraEntity(CAM, 'ir_led')).length, 0);
    assert.equal(s.registry.get(CAM)?.baseInfo?.IrLed, 0);
  });

  it('ignores invalid and offline commands with one log line each, and never replays them', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON');

    await s.rec.publish(T.cameraCommand(CAM, 'orientation'), 'sideways');
    await waitUntil(() => s.log.find(/invalid payload "sideways"/), 'invalid payload log');
    await s.rec.publish(T.cameraCommand(CAM, 'nonsense'), 'ON');
    await waitUntil(() => s.log.find(/no command "nonsense" for this camera/), 'unknown entity log');
    await s.rec.publish(T.cameraCommand('FFFFFFFFFFFF', 'ir_led'), 'ON');
    await waitUntil(() => s.log.find(/unknown camera/), 'unknown camera log');

    s.registry.markOffline(CAM, 'test');
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'offline');
    await s.rec.publish(T.cameraCommand(CAM, 'ir_led'), 'OFF');
    await waitUntil(() => s.log.find(/is offline; ir_led=OFF dropped/), 'offline drop log');
    const mark = s.rec.mark;
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'online', { afterSeq: mark });
    // A fresh command still works, and it is the only one that ever reached the camera.
    await s.rec.publish(T.cameraCommand(CAM, 'status_led'), 'OFF');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'status_led'), 'OFF');
    await s.bridge.idle();
    assert.deepEqual(s.control.calls, [{ cameraId: CAM, command: { code: 210, instLed: 0 } }]);
    for (const pattern of [/invalid payload/, /is offline; ir_led=OFF dropped/]) {
      assert.equal(s.log.lines.filter((line) => pattern.test(line.msg)).length, 1, String(pattern));
    }
  });

  it('never acts on a retained command it finds when subscribing', async (t) => {
    const broker = await MosquittoBroker.create();
    const h = createHarness(broker.url);
    const rec = await MqttRecorder.connect(broker.url);
    t.after(async () => {
      await h.bridge.stop();
      await rec.close();
      await broker.dispose();
    });
    await rec.publish(T.cameraCommand(CAM, 'ir_led'), 'OFF', { qos: 1, retain: true });
    h.registry.markOnline(CAM, '192.168.1.50', true);
    h.registry.mergeBaseInfo(CAM, BASE_INFO);
    await h.bridge.start();
    await waitUntil(() => h.log.find(/ignored retained command/), 'retained command log');
    await h.bridge.idle();
    assert.deepEqual(h.control.calls, []);
    assert.equal(h.log.lines.filter((l) => /ignored retained command/.test(l.msg)).length, 1);
  });

  it('snapshot button publishes the source JPEG, retained, on the camera topic', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await s.rec.waitForMessage(T.cameraAvailability(CAM), 'online');
    await s.rec.publish(T.cameraCommand(CAM, 'snapshot'), 'PRESS');
    const image = await s.rec.waitForMessage(T.cameraEntity(CAM, 'image'));
    assert.equal(image.retain, true);
    assert.ok(image.payload.equals(s.snapshots.imageFor(CAM)), 'image bytes equal the source bytes');
    assert.deepEqual(s.snapshots.calls, [{ cameraId: CAM, timeoutMs: 5000 }]);
    const retained = await MqttRecorder.retained(s.broker.url, [T.cameraEntity(CAM, 'image')]);
    assert.ok(
      retained.get(T.cameraEntity(CAM, 'image'))?.payload.equals(s.snapshots.imageFor(CAM)),
      'the broker retains the image with the source bytes',
    );
  });

  it('takes interval snapshots of online cameras and skips one while another is in flight', async (t) => {
    const s = await setup(t, { snapshotIntervalMs: 100 });
    s.snapshots.hold();
    s.registry.markOnline(CAM, '192.168.1.50', true);
    await waitUntil(() => s.snapshots.calls.length >= 1, 'first interval snapshot');
    // Several intervals pass while the first snapshot hangs: no second request.
    await new Promise((resolve) => setTimeout(resolve, 450));
    assert.equal(s.snapshots.calls.length, 1);
    s.snapshots.release();
    const image = await s.rec.waitForMessage(T.cameraEntity(CAM, 'image'));
    assert.ok(image.payload.equals(s.snapshots.imageFor(CAM)), 'image bytes equal the source bytes');
    await waitUntil(() => s.snapshots.calls.length >= 3, 'more interval snapshots');
    s.registry.markOffline(CAM, 'test');
    const count = s.snapshots.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.ok(s.snapshots.calls.length <= count + 1, 'no snapshots of offline cameras');
  });

  it('re-publishes all discovery, then all states, after Home Assistant comes online', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    s.registry.markOnline('56000b00054B', '192.168.1.51', true);
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON');
    await s.rec.waitForMessage(T.cameraAvailability('56000b00054B'), 'online');
    const mark = s.rec.mark;
    await s.rec.publish('homeassistant/status', 'online');
    const after = (topic: string) => s.rec.waitForMessage(topic, undefined, { afterSeq: mark });
    const discovery = [await after(T.bridgeDiscovery), await after(T.cameraDiscovery(CAM)), await after(T.cameraDiscovery('56000b00054B'))];
    const states = [
      await after(T.bridgeState),
      await after('a9_v720/bridge/cameras_online'),
      await after(T.cameraAvailability(CAM)),
      await after(T.cameraEntity(CAM, 'ir_led')),
      await after(T.cameraEntity(CAM, 'wifi_network')),
      await after(T.cameraAvailability('56000b00054B')),
    ];
    assert.ok(Math.max(...discovery.map((m) => m.seq)) < Math.min(...states.map((m) => m.seq)), 'discovery before states');
    for (const message of [...discovery, ...states]) assert.equal(message.retain, true, message.topic);
    assert.ok(s.log.find(/Home Assistant is online/), 'a log line says Home Assistant is online');
  });

  it("with a custom discovery prefix, HA's birth on homeassistant/status (and <prefix>/status) still re-publishes", async (t) => {
    const broker = await MosquittoBroker.create();
    const h = createHarness(broker.url, { config: { discoveryPrefix: 'ha/discovery' } });
    const rec = await MqttRecorder.connect(broker.url);
    t.after(async () => {
      await h.bridge.stop();
      await rec.close();
      await broker.dispose();
    });
    const custom = new HaTopics('a9_v720', 'ha/discovery');
    await h.bridge.start();
    await waitUntil(() => h.bridge.connected, 'bridge connected');
    h.registry.markOnline(CAM, '192.168.1.50', true);
    await rec.waitForMessage(custom.cameraDiscovery(CAM));
    for (const birthTopic of ['homeassistant/status', 'ha/discovery/status']) {
      const mark = rec.mark;
      await rec.publish(birthTopic, 'online');
      const again = await rec.waitForMessage(custom.cameraDiscovery(CAM), undefined, { afterSeq: mark });
      assert.equal(again.retain, true, birthTopic);
      await rec.waitForMessage(custom.cameraAvailability(CAM), 'online', { afterSeq: mark });
    }
    // HA's last will ("offline") triggers nothing: the broker delivers it before the next "online".
    const mark = rec.mark;
    await rec.publish('homeassistant/status', 'offline');
    await rec.publish('homeassistant/status', 'online');
    await rec.waitForMessage(custom.cameraDiscovery(CAM), undefined, { afterSeq: mark });
    assert.equal(h.log.lines.filter((line) => /Home Assistant is online/.test(line.msg)).length, 3);
  });

  it('reconnects after a broker restart and re-publishes everything', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON');
    await s.broker.restart();
    await waitUntil(() => !s.bridge.connected, 'bridge noticed the restart');
    s.registry.mergeBaseInfo(CAM, { IrLed: 0 }); // changed while disconnected
    await waitUntil(() => s.bridge.connected, 'bridge reconnected');
    const held = await waitForRetained(
      s.broker.url,
      CAM,
      (m) => m.get(T.cameraEntity(CAM, 'ir_led')) === 'OFF',
      'retained state after restart',
    );
    assert.equal(held.get(T.cameraAvailability(CAM)), 'online');
    assert.ok(held.has(T.cameraDiscovery(CAM)), 'camera discovery retained after the restart');
    const bridgeHeld = await MqttRecorder.retained(s.broker.url, ['a9_v720/bridge/#', T.bridgeDiscovery]);
    assert.equal(bridgeHeld.get(T.bridgeState)?.text, 'online');
    assert.ok(bridgeHeld.has(T.bridgeDiscovery), 'bridge discovery retained after the restart');
    assert.ok(s.log.find(/connection to .* lost/), 'a log line says the broker connection was lost');
  });

  it('clears retained discovery and state topics of a removed camera', async (t) => {
    const s = await setup(t);
    s.registry.markOnline(CAM, '192.168.1.50', true);
    s.registry.mergeBaseInfo(CAM, BASE_INFO);
    await s.rec.publish(T.cameraCommand(CAM, 'snapshot'), 'PRESS');
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'image'));
    await s.rec.waitForMessage(T.cameraEntity(CAM, 'ir_led'), 'ON');
    const retainedBefore = (await retainedFor(s.broker.url, CAM)).size;
    assert.ok(retainedBefore >= 10, `at least 10 retained topics for the camera, got ${retainedBefore}`);
    const mark = s.rec.mark;
    s.registry.remove(CAM);
    const cleared = await s.rec.waitForMessage(T.cameraDiscovery(CAM), '', { afterSeq: mark });
    assert.equal(cleared.retain, true);
    await s.rec.waitForMessage('a9_v720/bridge/cameras_online', '0', { afterSeq: mark });
    assert.deepEqual(await retainedFor(s.broker.url, CAM), new Map());
  });

  it('publishes offline on stop for the bridge and every camera, within two seconds', async (t) => {
    const s = await setup(t);
    const ids = ['0800c0E00001', '0800c0E00002', '0800c0E00003'];
    for (const id of ids) s.registry.markOnline(id, '192.168.1.60', true);
    s.registry.markOnline('0800c0E00004', '192.168.1.61', true);
    s.registry.markOffline('0800c0E00004', 'test');
    for (const id of ids) await s.rec.waitForMessage(T.cameraAvailability(id), 'online');
    await s.rec.waitForMessage(T.cameraAvailability('0800c0E00004'), 'offline');
    const mark = s.rec.mark;
    const started = Date.now();
    await s.bridge.stop();
    assert.ok(Date.now() - started < 2500, `stop took ${Date.now() - started} ms`);
    const offline = await s.rec.waitForMessage(T.bridgeState, 'offline', { afterSeq: mark });
    assert.equal(offline.retain, true);
    for (const id of ids)
      assert.equal((await s.rec.waitForMessage(T.cameraAvailability(id), 'offline', { afterSeq: mark })).retain, true, id);
    const held = await MqttRecorder.retained(s.broker.url, [T.bridgeState, 'a9_v720/+/availability']);
    assert.equal(held.get(T.bridgeState)?.text, 'offline');
    for (const id of [...ids, '0800c0E00004']) assert.equal(held.get(T.cameraAvailability(id))?.text, 'offline', id);
  });
});

describe('MqttBridge process death', () => {
  it('leaves "offline" on the bridge topic through its last will when killed', async (t) => {
    const broker = await MosquittoBroker.create();
    const rec = await MqttRecorder.connect(broker.url);
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./child-bridge.ts', import.meta.url)), broker.url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(async () => {
      child.kill('SIGKILL');
      await rec.close();
      await broker.dispose();
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitUntil(() => out.includes('connected'), 'child bridge connected', 20_000);
    await rec.waitForMessage(T.bridgeState, 'online');
    const mark = rec.mark;
    child.kill('SIGKILL');
    const will = await rec.waitForMessage(T.bridgeState, 'offline', { afterSeq: mark });
    assert.equal(will.retain, true);
  });
});

describe('MqttBridge and the setup check', () => {
  it('the bridge device gets the "Camera setup" problem sensor: ON with the problems as attributes, OFF once fixed', async (t) => {
    const dns = await startFakeDns({ 'v720.naxclow.com': { kind: 'a', addresses: ['47.88.1.2'] } });
    const broker = await MosquittoBroker.create();
    const registry = new CameraRegistry();
    const journeys = new JourneyBook(registry);
    const monitor = new SetupMonitor({
      registry,
      journeys,
      resolver: createResolver([dns.server], 500),
      logger: captureLog().logger,
      thisHost: () => ['10.0.0.2'],
      cameraAddress: () => '10.0.0.2',
      ports: () => ({ mode: 'addon', mapping: {}, mappingUnknown: false }),
      timing: { evaluateEveryMs: 50, dnsMinIntervalMs: 0 },
    });
    const harness = createHarness(broker.url, { registry, deps: { setup: monitor } });
    const rec = await MqttRecorder.connect(broker.url);
    t.after(async () => {
      await harness.bridge.stop();
      await monitor.stop();
      await rec.close();
      await broker.dispose();
      await dns.close();
    });
    await monitor.start();
    await harness.bridge.start();
    await waitUntil(() => harness.bridge.connected, 'bridge connected');

    const state = await rec.waitForMessage('a9_v720/bridge/setup_problem', 'ON');
    assert.equal(state.retain, true);
    const problem =
      'v720.naxclow.com points at the vendor cloud (47.88.1.2), not at this host (10.0.0.2), so cameras never reach the add-on: point *.naxclow.com at 10.0.0.2 in your DNS server';
    const attributes = await rec.waitForMessage(
      'a9_v720/bridge/setup_problem/attributes',
      JSON.stringify({ problems: [`${problem} (DOCS §1 DNS)`], summary: `1 error; first: ${problem}` }),
    );
    assert.equal(attributes.retain, true);
    const config = JSON.parse((await MqttRecorder.retained(broker.url)).get(T.bridgeDiscovery)?.text ?? '{}') as {
      components: Record<string, unknown>;
    };
    assert.deepEqual(config.components['setup_problem'], {
      platform: 'binary_sensor',
      unique_id: 'a9v720_bridge_setup_problem',
      default_entity_id: 'binary_sensor.a9v720_bridge_setup_problem',
      name: 'Camera setup',
      availability: [{ topic: 'a9_v720/bridge/state' }],
      state_topic: 'a9_v720/bridge/setup_problem',
      json_attributes_topic: 'a9_v720/bridge/setup_problem/attributes',
      qos: 1,
      device_class: 'problem',
      payload_on: 'ON',
      payload_off: 'OFF',
      entity_category: 'diagnostic',
    });
    assert.deepEqual(
      config,
      JSON.parse(JSON.stringify(buildBridgeDiscovery({ camerasOnline: 0, version: '0.1.0-test', setup: monitor.status() }, ctx).payload)),
    );

    // The user fixes the DNS rewrite and presses "Check again".
    dns.records.set('v720.naxclow.com', { kind: 'a', addresses: ['10.0.0.2'] });
    await monitor.refresh();
    await rec.waitForMessage('a9_v720/bridge/setup_problem', 'OFF');
    await rec.waitForMessage(
      'a9_v720/bridge/setup_problem/attributes',
      JSON.stringify({ problems: [], summary: 'No setup problems found, but no camera has registered yet: power-cycle a camera' }),
    );
  });
});

describe('MqttBridge without a reachable broker', () => {
  it('stops promptly while the broker is unreachable', async () => {
    const broker = await MosquittoBroker.create({ start: false });
    const h = createHarness(broker.url);
    try {
      await h.bridge.start();
      await waitUntil(() => h.log.find(/not reachable/), 'connection problem logged');
      const started = Date.now();
      await h.bridge.stop();
      assert.ok(Date.now() - started < 2500, `stop took ${Date.now() - started} ms`);
    } finally {
      await broker.dispose();
    }
  });

  it('survives a broker that is down at start and connects when it comes up', async (t) => {
    const broker = await MosquittoBroker.create({ start: false });
    const h = createHarness(broker.url);
    t.after(async () => {
      await h.bridge.stop();
      await broker.dispose();
    });
    await h.bridge.start();
    h.registry.markOnline(CAM, '192.168.1.50', true);
    h.registry.mergeBaseInfo(CAM, BASE_INFO);
    await waitUntil(() => h.log.find(/not reachable/), 'connection problem logged');
    assert.equal(h.bridge.connected, false);
    await broker.start();
    await waitUntil(() => h.bridge.connected, 'bridge connected once the broker is up');
    const held = await waitForRetained(
      broker.url,
      CAM,
      (m) => m.get(T.cameraEntity(CAM, 'ir_led')) === 'ON',
      'camera published after the broker came up',
    );
    assert.equal(held.get(T.cameraAvailability(CAM)), 'online');
    assert.ok(held.has(T.cameraDiscovery(CAM)), 'camera discovery retained once the broker came up');
    assert.equal(h.log.lines.filter((l) => /not reachable/.test(l.msg)).length, 1, 'one warning per outage');
  });

  it('runs without MQTT when nothing is configured, and says so once', async (t) => {
    const h = createHarness(undefined);
    t.after(() => h.bridge.stop());
    await h.bridge.start();
    assert.equal(h.bridge.status.mode, 'disabled');
    h.registry.markOnline(CAM, '192.168.1.50', true);
    h.registry.markOffline(CAM, 'test');
    await h.bridge.start();
    assert.equal(h.log.lines.filter((l) => /MQTT disabled/.test(l.msg)).length, 1);
  });
});
