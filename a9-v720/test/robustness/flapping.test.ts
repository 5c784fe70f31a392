/**
 * 100 simulated cameras on flapping Wi-Fi: for ~15 s each one disconnects (FIN), resets (RST),
 * goes silent or comes back at random. Afterwards the registry, the sessions, the open TCP
 * connections and the retained MQTT states must agree exactly with which cameras are connected.
 * (bench/faults.ts runs the same for 60 s against the server as a child process.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MosquittoBroker } from '../support/mosquitto.js';
import { startHarness, type Harness } from '../support/app-harness.js';
import { TEST_TIMING } from '../ha/harness.js';
import { waitUntil } from '../ha/mqtt-recorder.js';
import { chaosFleet, compareOnline, compareRetained, eventuallyAgrees, flap, seededRandom, settle } from './chaos.js';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20241126);
const FLAP_MS = Number(process.env['FLAP_MS'] ?? 15_000);

let broker: MosquittoBroker;
let h: Harness;
before(async () => {
  broker = await MosquittoBroker.create();
  h = await startHarness({ mqtt: { url: broker.url }, offlineAfterSeconds: 2, logLevel: 'info' }, { mqttTiming: TEST_TIMING });
  await waitUntil(() => h.app.mqtt.connected, 'bridge connected');
});
after(async () => {
  await h.stop();
  await broker.dispose();
});

test(`100 cameras flapping for ${FLAP_MS / 1000} s: registry, sessions, connections and retained MQTT states match reality exactly`, async () => {
  const random = seededRandom(SEED);
  const cameras = chaosFleet(100, h.app.ports.http, '0800c0C', { random: seededRandom(SEED + 1) });
  const started = await Promise.allSettled(cameras.map((camera) => camera.start()));
  assert.equal(started.filter((r) => r.status === 'fulfilled').length, 100, 'all 100 register');
  try {
    const result = await flap(cameras, FLAP_MS, random);
    const { stats, down } = result;
    assert.ok(
      stats.stops > 50 && stats.resets > 50 && stats.freezes > 5 && stats.starts > 30,
      `enough chaos happened: ${JSON.stringify(stats)}`,
    );
    assert.ok(down.size > 0 && down.size < 100, `a mix of up and down at the end (${down.size} down)`);
    await settle(cameras, result, 20_000);

    const serverView = (): string[] => {
      const online = new Set(
        h.app.registry
          .list()
          .filter((c) => c.online)
          .map((c) => c.id),
      );
      const problems = compareOnline(cameras, online);
      const connected = cameras.filter((c) => c.isConnected).length;
      if (h.app.sessions.size !== connected) problems.push(`${h.app.sessions.size} sessions for ${connected} connected cameras`);
      if (h.app.controlServer.connectionCount !== connected)
        problems.push(`${h.app.controlServer.connectionCount} TCP connections for ${connected} connected cameras`);
      if (h.app.registry.size !== 100) problems.push(`registry knows ${h.app.registry.size} cameras, not 100`);
      return problems;
    };
    assert.deepEqual(await eventuallyAgrees(serverView, 5_000), [], 'server view matches reality');
    assert.deepEqual(
      await eventuallyAgrees(async () => (await compareRetained(broker.url, cameras)).mismatches, 10_000),
      [],
      'broker matches reality',
    );
    // Stable, not a lucky moment: still in agreement a little later.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.deepEqual(serverView(), []);
    assert.deepEqual((await compareRetained(broker.url, cameras)).mismatches, []);
    // Nothing unexpected went wrong on the server: only the expected kinds of warnings (silent
    // connections timed out, and a UDP probe that arrives just after its camera's TCP reset).
    const unexpected = h.log.problems().filter((line) => !/nothing valid received|MQTT|which has no TCP session/.test(line.msg));
    assert.deepEqual(
      unexpected.map((line) => line.msg),
      [],
      'no unexpected warnings or errors',
    );
  } finally {
    for (const camera of cameras) camera.stop();
  }
});
