/**
 * How long until Home Assistant would know about 200 cameras: 200 × registry.markOnline, then
 * wait until a subscriber on a real mosquitto has every camera's discovery config and its
 * availability `online`. Run: npx tsx bench/mqtt-discovery.ts [cameras] [rounds]
 */
import { performance } from 'node:perf_hooks';
import { CameraRegistry } from '../src/camera/registry.js';
import { MqttBridge } from '../src/ha/bridge.js';
import { HaTopics } from '../src/ha/topics.js';
import { createLogger } from '../src/log.js';
import { MosquittoBroker } from '../test/support/mosquitto.js';
import { FakeCameraControl, FakeSnapshotSource } from '../test/ha/fakes.js';
import { MqttRecorder, waitUntil } from '../test/ha/mqtt-recorder.js';

const cameras = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 5);
const topics = new HaTopics('a9_v720', 'homeassistant');
const ids = Array.from({ length: cameras }, (_, i) => `0800c0${i.toString(16).padStart(6, '0').toUpperCase()}`);

async function round(
  broker: MosquittoBroker,
): Promise<{ markMs: number; discoveryMs: number; onlineMs: number; messages: number; bytes: number; configBytes: number }> {
  const registry = new CameraRegistry();
  const bridge = new MqttBridge({
    config: {
      mqtt: { url: broker.url },
      discoveryPrefix: 'homeassistant',
      baseTopic: 'a9_v720',
      snapshotIntervalSeconds: 0,
      snapshotTimeoutSeconds: 5,
    },
    registry,
    control: new FakeCameraControl(registry),
    snapshots: new FakeSnapshotSource(registry),
    logger: createLogger('warn'),
    addonVersion: 'bench',
    dashboardUrl: 'http://127.0.0.1:1234/',
  });
  const rec = await MqttRecorder.connect(broker.url, ['homeassistant/device/+/config', 'a9_v720/+/availability']);
  await bridge.start();
  await waitUntil(() => bridge.connected, 'bridge connected');
  await rec.waitForMessage(topics.bridgeDiscovery);
  const start = rec.mark;
  const discoveryTopics = new Set(ids.map((id) => topics.cameraDiscovery(id)));
  const availabilityTopics = new Set(ids.map((id) => topics.cameraAvailability(id)));
  const seenDiscovery = new Set<string>();
  const seenOnline = new Set<string>();
  let discoveryMs = 0;
  let onlineMs = 0;
  let scanned = start + 1;

  const t0 = performance.now();
  const markStart = t0;
  for (const [i, id] of ids.entries()) registry.markOnline(id, `10.0.${i >> 8}.${i & 255}`, true);
  const markMs = performance.now() - markStart;
  await waitUntil(
    () => {
      for (; scanned < rec.messages.length; scanned++) {
        const m = rec.messages[scanned];
        if (!m) continue;
        if (discoveryTopics.has(m.topic) && m.text !== '') {
          seenDiscovery.add(m.topic);
          if (seenDiscovery.size === cameras) discoveryMs = m.at - t0;
        }
        if (availabilityTopics.has(m.topic) && m.text === 'online') {
          seenOnline.add(m.topic);
          if (seenOnline.size === cameras) onlineMs = m.at - t0;
        }
      }
      return seenDiscovery.size === cameras && seenOnline.size === cameras;
    },
    'all discovery and availability messages',
    60_000,
  );
  const received = rec.messages.slice(start + 1);
  await bridge.stop();
  await rec.close();
  // Start the next round from an empty broker.
  await broker.restart();
  const configs = received.filter((m) => discoveryTopics.has(m.topic));
  return {
    markMs,
    discoveryMs,
    onlineMs,
    messages: received.length,
    bytes: received.reduce((n, m) => n + m.payload.length, 0),
    configBytes: configs.reduce((n, m) => n + m.payload.length, 0) / Math.max(1, configs.length),
  };
}

const broker = await MosquittoBroker.create();
try {
  const results = [];
  for (let i = 0; i < rounds; i++) {
    const r = await round(broker);
    results.push(r);
    console.log(
      `round ${i + 1}: ${cameras} × markOnline took ${r.markMs.toFixed(1)} ms (synchronous publishing included); all discovery configs received after ${r.discoveryMs.toFixed(1)} ms, all availability "online" after ${r.onlineMs.toFixed(1)} ms (${r.messages} messages, ${(r.bytes / 1024).toFixed(0)} KiB)`,
    );
  }
  const sorted = results.map((r) => r.discoveryMs).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(
    `median time to all ${cameras} discovery configs: ${median.toFixed(1)} ms (min ${sorted[0]?.toFixed(1)}, max ${sorted[sorted.length - 1]?.toFixed(1)})`,
  );
  console.log(`one camera's discovery config: ${results[0]?.configBytes.toFixed(0)} bytes`);
} finally {
  await broker.dispose();
}
