/**
 * Long fault runs against the server as a child process (compiled build) and a real mosquitto:
 *  1. flapping: 100 cameras disconnect (FIN), reset (RST), go silent and come back at random for
 *     --flap seconds (default 60); afterwards the API and the retained MQTT states must agree
 *     exactly with which cameras are connected.
 *  2. broker outage: mosquitto stopped for --outage seconds (default 30) while cameras leave,
 *     arrive and reset; after it is back, discovery and every state must match reality.
 * Prints what happened and the mismatches (none expected); exits 1 on any mismatch.
 * Run: npx tsx bench/faults.ts [--flap 60] [--outage 30] [--cameras 100] [--seed 1]
 */
import { MosquittoBroker } from '../test/support/mosquitto.js';
import { chaosFleet, compareOnline, compareRetained, eventuallyAgrees, flap, seededRandom, settle } from '../test/robustness/chaos.js';
import type { SimulatedCamera } from '../src/simulator/simulated-camera.js';
import { mb, processUsage, sleep, startServerProcess, type ServerProcess, numberArg } from './support.js';

const arg = numberArg;
const flapSeconds = arg('flap', 60);
const outageSeconds = arg('outage', 30);
const cameraCount = arg('cameras', 100);
const seed = arg('seed', 1);

async function onlineIds(server: ServerProcess): Promise<Set<string>> {
  const list = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/cameras`)).json()) as { id: string; online: boolean }[];
  return new Set(list.filter((c) => c.online).map((c) => c.id));
}

async function agreement(server: ServerProcess, broker: MosquittoBroker, cameras: readonly SimulatedCamera[]): Promise<string[]> {
  const api = await eventuallyAgrees(async () => compareOnline(cameras, await onlineIds(server)), 10_000);
  const mqtt = await eventuallyAgrees(async () => (await compareRetained(broker.url, cameras)).mismatches, 15_000);
  return [...api.map((m) => `API: ${m}`), ...mqtt.map((m) => `MQTT: ${m}`)];
}

async function flapping(): Promise<boolean> {
  const broker = await MosquittoBroker.create();
  const server = await startServerProcess({ mqtt_url: broker.url, offline_after: 5 });
  const cameras = chaosFleet(cameraCount, server.ports.http, '0800c0F', { random: seededRandom(seed + 1) });
  try {
    await Promise.allSettled(cameras.map((camera) => camera.start()));
    const rssBefore = processUsage(server.child.pid!).rssBytes;
    const t0 = Date.now();
    const result = await flap(cameras, flapSeconds * 1000, seededRandom(seed));
    await settle(cameras, result, 30_000);
    const mismatches = await agreement(server, broker, cameras);
    const rssAfter = processUsage(server.child.pid!).rssBytes;
    console.log(
      `flapping ${flapSeconds} s, ${cameraCount} cameras: ${JSON.stringify(result.stats)}, settled after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(
      `  connected at the end ${cameras.filter((c) => c.isConnected).length}, left down ${result.down.size}; server RSS ${mb(rssBefore)} → ${mb(rssAfter)}`,
    );
    console.log(`  mismatches: ${mismatches.length === 0 ? 'none' : `\n    ${mismatches.join('\n    ')}`}`);
    const unexpected = server.problems.filter((line) => !/nothing valid received|MQTT|which has no TCP session/.test(line));
    console.log(
      `  server warn/error lines: ${server.problems.length} (${unexpected.length} other than silent-connection, late-probe and MQTT notices)`,
    );
    for (const line of unexpected.slice(0, 20)) console.log(`    ${line.trim()}`);
    return mismatches.length === 0;
  } finally {
    for (const camera of cameras) camera.stop();
    await server.stop();
    await broker.dispose();
  }
}

async function brokerOutage(): Promise<boolean> {
  const broker = await MosquittoBroker.create();
  const server = await startServerProcess({ mqtt_url: broker.url, offline_after: 5 });
  const cameras = chaosFleet(60, server.ports.http, '0800c0O', { random: seededRandom(seed + 2) });
  try {
    await Promise.all(cameras.slice(0, 40).map((camera) => camera.start()));
    const ready = await eventuallyAgrees(async () => (await compareRetained(broker.url, cameras.slice(0, 40))).mismatches, 15_000);
    if (ready.length > 0) throw new Error(`not in agreement before the outage: ${ready.join('; ')}`);
    await broker.stop();
    const downAt = Date.now();
    // Spread the changes over the outage: leave, arrive, reset.
    const steps = [
      () => cameras.slice(30, 40).forEach((c) => c.stop()),
      () => void Promise.allSettled(cameras.slice(40, 60).map((c) => c.start())),
      () => cameras.slice(0, 10).forEach((c) => c.crash()),
      () => cameras.slice(10, 15).forEach((c) => c.stop()),
    ];
    for (const step of steps) {
      step();
      await sleep((outageSeconds * 1000) / (steps.length + 1));
    }
    await sleep(Math.max(0, outageSeconds * 1000 - (Date.now() - downAt)));
    await broker.start();
    const back = Date.now();
    const mismatches = await agreement(server, broker, cameras);
    console.log(
      `broker outage ${outageSeconds} s with 60 cameras: after restart, agreement in ${((Date.now() - back) / 1000).toFixed(1)} s`,
    );
    console.log(
      `  connected ${cameras.filter((c) => c.isConnected).length} of 60; mismatches: ${mismatches.length === 0 ? 'none' : `\n    ${mismatches.join('\n    ')}`}`,
    );
    const mqttLines = server.problems.filter((line) => /MQTT/.test(line));
    console.log(`  MQTT warn lines during the outage: ${mqttLines.length} (one when lost, one for the first failed retry expected)`);
    return mismatches.length === 0;
  } finally {
    for (const camera of cameras) camera.stop();
    await server.stop();
    await broker.dispose();
  }
}

async function main(): Promise<void> {
  const ok = [await flapping(), await brokerOutage()];
  process.exit(ok.every(Boolean) ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
