/**
 * Issue benchmark: N simulated cameras register and heartbeat every 5 s for D seconds against
 * one server process. Prints time until all are online, heartbeat answer latency p50/p99,
 * server CPU % and peak RSS, and offline false positives (must be 0).
 * Run: npx tsx bench/core-registration.ts [--cameras 1000] [--seconds 60]
 * Targets: all online < 10 s, p99 < 20 ms, RSS < 150 MB.
 */
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import { CpuMeter, mb, percentile, processUsage, sleep, startServerProcess, numberArg } from './support.js';

const arg = numberArg;
const cameraCount = arg('cameras', 1000);
const seconds = arg('seconds', 60);

const server = await startServerProcess({ offline_after: 20 });
const pid = server.child.pid!;
const cpu = new CpuMeter(pid);
const fleet = createFleet({
  count: cameraCount,
  host: '127.0.0.1',
  httpPort: server.ports.http,
  heartbeatMs: 5000,
  withMedia: false,
  idPrefix: '0800c0B',
});
let disconnects = 0;
for (const camera of fleet) camera.on('disconnected', () => disconnects++);

const started = performance.now();
// Cameras boot over a second or so, like a house full of them after a power cut.
await Promise.allSettled(
  fleet.map(async (camera, i) => {
    await sleep((i / cameraCount) * 1000);
    await camera.start();
  }),
);
let onlineAfterMs = Number.NaN;
for (;;) {
  const info = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/info`)).json()) as { online: number };
  if (info.online >= cameraCount) {
    onlineAfterMs = performance.now() - started;
    break;
  }
  if (performance.now() - started > 60_000) break;
  await sleep(50);
}
const cpuSamples: number[] = [];
const runUntil = started + seconds * 1000;
while (performance.now() < runUntil) {
  await sleep(5000);
  cpuSamples.push(cpu.sample());
}
const list = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/cameras`)).json()) as Array<{ online: boolean }>;
const offlineNow = list.filter((c) => !c.online).length;
const latencies = fleet.flatMap((camera) => camera.stats.heartbeatLatenciesMs);
const usage = processUsage(pid);
const reRegistrations = fleet.reduce((n, camera) => n + Math.max(0, camera.stats.registrations - 1), 0);
stopFleet(fleet);
await server.stop();

const result = {
  cameras: cameraCount,
  seconds,
  allOnlineAfterMs: Math.round(onlineAfterMs),
  heartbeatAnswers: latencies.length,
  heartbeatP50Ms: Number(percentile(latencies, 50).toFixed(2)),
  heartbeatP99Ms: Number(percentile(latencies, 99).toFixed(2)),
  serverCpuPercentAvg: Number((cpuSamples.reduce((a, b) => a + b, 0) / Math.max(1, cpuSamples.length)).toFixed(1)),
  serverCpuPercentMax: Number(Math.max(...cpuSamples).toFixed(1)),
  serverPeakRss: mb(usage.peakRssBytes),
  offlineFalsePositives: offlineNow + disconnects + reRegistrations,
  serverWarnings: server.problems.length,
};
console.log(JSON.stringify(result, null, 2));
const pass =
  onlineAfterMs < 10_000 && result.heartbeatP99Ms < 20 && usage.peakRssBytes < 150 * 1024 * 1024 && result.offlineFalsePositives === 0;
console.log(pass ? 'targets met' : 'TARGETS MISSED');
if (server.problems.length) console.log(server.problems.slice(0, 5).join('\n'));
