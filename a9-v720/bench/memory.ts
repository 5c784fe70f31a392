/**
 * Issue 22 item 8: the server's memory in three scenarios, each against a fresh server process
 * (the compiled build, loopback only), each printed with RSS, peak RSS, heapUsed, heapTotal,
 * external and arrayBuffers (read inside the server by bench/memory-probe.mjs) and the machine's
 * load beside it:
 *   idle        no camera for --idle-seconds after start (default 20): the median RSS of the
 *               second half (one sample a second; a GC at the wrong moment moves one sample by MBs);
 *   registered  --registered cameras (default 1000) registering over a second and heartbeating every
 *               5 s (as bench/core-registration.ts), --seconds after all are online;
 *   streaming   --streaming cameras (default 6) at 10 fps with ~25 KB frames, one MJPEG viewer each
 *               (as bench/media-streaming.ts), --seconds after every viewer has its first frame.
 * Targets (issue 22): idle RSS ≤ 65 MB, peak RSS ≤ 130 MB with 1000 registered cameras, ≤ 85 MB
 * with 6 cameras streaming to one viewer each.
 * Run: npx tsx bench/memory.ts [--seconds 30] [--idle-seconds 10] [--registered 1000] [--streaming 6]
 *        [--only idle,registered,streaming] [--snapshot-dir DIR] (a heap snapshot per scenario, at its end)
 */
import path from 'node:path';
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import { openMjpeg, type MjpegViewer } from '../test/support/media-client.js';
import { loadAverage, memoryLine, startProbedServer, type ProbedServer, type ProcessMemory } from './memory-support.js';
import { addonNodeFlags, framesOf, mb, numberArg, percentile, processUsage, sleep } from './support.js';

const seconds = numberArg('seconds', 30);
const idleSeconds = numberArg('idle-seconds', 20);
const registeredCount = numberArg('registered', 1000);
const streamingCount = numberArg('streaming', 6);
const only = stringArg('only')?.split(',');
const snapshotDir = stringArg('snapshot-dir');

const MB = 1024 * 1024;
const TARGETS = { idle: 65 * MB, registered: 130 * MB, streaming: 85 * MB } as const;
type Scenario = keyof typeof TARGETS;

interface ScenarioResult {
  readonly scenario: Scenario;
  readonly what: string;
  /** The figure held against the target: the settled RSS (idle) or the peak RSS (the others). */
  readonly judged: number;
  readonly end: ProcessMemory;
  /** heapUsed after a full GC at the end: what is live. */
  readonly liveHeap: number;
  /** The figures of the sample with the highest RSS. */
  readonly atPeak: ProcessMemory | undefined;
  readonly load: string;
  readonly notes: string;
}

function stringArg(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The end of a scenario: figures as they are, then (optionally) a heap snapshot, then the live heap after a GC. */
async function finish(
  probed: ProbedServer,
  sampler: Sampler,
  scenario: Scenario,
): Promise<{ end: ProcessMemory; liveHeap: number; atPeak: ProcessMemory | undefined }> {
  sampler.stop();
  await sleep(50);
  const end = await probed.memory();
  if (snapshotDir !== undefined) await probed.memory({ snapshot: path.resolve(snapshotDir, `${scenario}.heapsnapshot`) });
  const afterGc = await probed.memory('gc');
  return { end, liveHeap: afterGc.heapUsed, atPeak: sampler.atPeak };
}

/**
 * Samples the server's memory every second from start to end of a scenario: the figures at the
 * highest RSS seen say what the peak was made of (VmHWM alone says only how high it was).
 */
class Sampler {
  atPeak: ProcessMemory | undefined;
  /** Every sample's time (ms since the epoch) and RSS. */
  readonly rss: { at: number; rss: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private lastPrinted = 0;
  private busy = false;

  constructor(private readonly probed: ProbedServer) {
    this.timer = setInterval(() => void this.sample(), 1000);
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const m = await this.probed.memory();
      if (this.atPeak === undefined || m.rss > this.atPeak.rss) this.atPeak = m;
      this.rss.push({ at: Date.now(), rss: m.rss });
      if (Date.now() - this.lastPrinted >= 10_000) {
        this.lastPrinted = Date.now();
        console.log(`  ${memoryLine(m)}  load ${loadAverage()}`);
      }
    } catch {
      // The server is stopping: the last samples are enough.
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function idle(): Promise<ScenarioResult> {
  const probed = await startProbedServer();
  const sampler = new Sampler(probed);
  const secondHalf = Date.now() + (idleSeconds * 1000) / 2;
  await sleep(idleSeconds * 1000);
  const { end, liveHeap, atPeak } = await finish(probed, sampler, 'idle');
  const settled = sampler.rss.filter((s) => s.at >= secondHalf).map((s) => s.rss);
  await probed.server.stop();
  return {
    scenario: 'idle',
    what: `no camera, median RSS of the last ${idleSeconds / 2} s of ${idleSeconds} s`,
    judged: settled.length > 0 ? percentile(settled, 50) : end.rss,
    end,
    liveHeap,
    atPeak,
    load: loadAverage(),
    notes: '',
  };
}

async function registered(): Promise<ScenarioResult> {
  const probed = await startProbedServer({ offline_after: 20 });
  const sampler = new Sampler(probed);
  const web = probed.server.ports.web;
  const fleet = createFleet({
    count: registeredCount,
    host: '127.0.0.1',
    httpPort: probed.server.ports.http,
    heartbeatMs: 5000,
    withMedia: false,
    idPrefix: '0800c0R',
  });
  const started = performance.now();
  // Cameras boot over a second, like a house full of them after a power cut.
  await Promise.allSettled(
    fleet.map(async (camera, i) => {
      await sleep((i / registeredCount) * 1000);
      await camera.start();
    }),
  );
  let online = 0;
  while (performance.now() - started < 60_000) {
    online = ((await (await fetch(`http://127.0.0.1:${web}/api/info`)).json()) as { online: number }).online;
    if (online >= registeredCount) break;
    await sleep(100);
  }
  const onlineAfterMs = Math.round(performance.now() - started);
  await sleep(seconds * 1000);
  const { end, liveHeap, atPeak } = await finish(probed, sampler, 'registered');
  stopFleet(fleet);
  await probed.server.stop();
  return {
    scenario: 'registered',
    what: `${registeredCount} cameras heartbeating, ${seconds} s`,
    judged: end.peakRss,
    end,
    liveHeap,
    atPeak,
    load: loadAverage(),
    notes: `${online}/${registeredCount} online after ${onlineAfterMs} ms`,
  };
}

async function streaming(): Promise<ScenarioResult> {
  const probed = await startProbedServer();
  const sampler = new Sampler(probed);
  const web = probed.server.ports.web;
  const fleet = createFleet({
    count: streamingCount,
    host: '127.0.0.1',
    httpPort: probed.server.ports.http,
    fps: 10,
    heartbeatMs: 5000,
    idPrefix: '0800c0N',
    framesFor: framesOf,
  });
  await Promise.all(fleet.map((camera) => camera.start()));
  const viewers: MjpegViewer[] = fleet.map((camera) => openMjpeg(web, camera.id));
  const deadline = performance.now() + 15_000;
  while (viewers.some((viewer) => viewer.parts.length === 0) && performance.now() < deadline) await sleep(100);
  // Count the parts and let them go, so the bench's own memory stays small.
  const received = viewers.map(() => 0);
  const drain = (): void =>
    viewers.forEach((viewer, i) => {
      received[i]! += viewer.parts.length;
      viewer.parts.length = 0;
    });
  const drainer = setInterval(drain, 500);
  const sentBefore = fleet.reduce((n, camera) => n + camera.stats.framesSent, 0);
  drain();
  const receivedBefore = received.reduce((a, b) => a + b, 0);
  const cpuBefore = processUsage(probed.server.child.pid!).cpuMs;
  await sleep(seconds * 1000);
  // Server CPU per delivered frame: the price of a smaller young generation (more scavenges), if any.
  const cpuMs = processUsage(probed.server.child.pid!).cpuMs - cpuBefore;
  const { end, liveHeap, atPeak } = await finish(probed, sampler, 'streaming');
  clearInterval(drainer);
  drain();
  const sent = fleet.reduce((n, camera) => n + camera.stats.framesSent, 0) - sentBefore;
  const delivered = received.reduce((a, b) => a + b, 0) - receivedBefore;
  for (const viewer of viewers) viewer.close();
  stopFleet(fleet);
  await probed.server.stop();
  return {
    scenario: 'streaming',
    what: `${streamingCount} cameras × 10 fps × 25 KB, 1 MJPEG viewer each, ${seconds} s`,
    judged: end.peakRss,
    end,
    liveHeap,
    atPeak,
    load: loadAverage(),
    notes: `frames sent ${sent}, delivered to viewers ${delivered}, server CPU ${(cpuMs / Math.max(1, delivered)).toFixed(2)} ms per delivered frame${viewers.some((_, i) => received[i] === 0) ? '; A VIEWER GOT NOTHING' : ''}`,
  };
}

const scenarios: Record<Scenario, () => Promise<ScenarioResult>> = { idle, registered, streaming };
const results: ScenarioResult[] = [];
console.log(`server node flags: ${[...addonNodeFlags(), process.env.BENCH_SERVER_NODE_ARGS ?? ''].join(' ').trim() || '(none)'}`);
for (const name of Object.keys(scenarios) as Scenario[]) {
  if (only !== undefined && !only.includes(name)) continue;
  console.log(`${name}: load ${loadAverage()}`);
  results.push(await scenarios[name]());
}

console.log(
  '\n| scenario | judged RSS | target | RSS at end | peak RSS | heapUsed | live heap after GC | heapTotal | external | arrayBuffers | load (1/5/15 min) | notes |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const m = r.end;
  console.log(
    `| ${r.scenario}: ${r.what} | ${mb(r.judged)} | ≤ ${mb(TARGETS[r.scenario])} | ${mb(m.rss)} | ${mb(m.peakRss)} | ${mb(m.heapUsed)} | ${mb(r.liveHeap)} | ${mb(m.heapTotal)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${r.load} | ${r.notes} |`,
  );
}
for (const r of results) {
  const spaces = Object.entries(r.end.spaces)
    .filter(([, space]) => space.size > 0)
    .map(([name, space]) => `${name} ${mb(space.used)}/${mb(space.size)}`)
    .join(', ');
  console.log(`${r.scenario} heap spaces at the end (used/size): ${spaces}`);
  if (r.atPeak) console.log(`${r.scenario} at the highest sampled RSS: ${memoryLine(r.atPeak)}`);
}
const met = results.every((r) => r.judged <= TARGETS[r.scenario]);
console.log(met ? 'targets met' : 'TARGETS MISSED');
