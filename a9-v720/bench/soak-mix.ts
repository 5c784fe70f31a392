/**
 * Soak with a home's mix (issue 22 item 8): 16 cameras at 10 fps with ~25 KB frames on a lossy
 * network (3 % loss, 5 % neighbour swaps, resends of what the confirms did not list), half of them
 * with PCM audio (firmware 202312111512) and half with A-law, one MJPEG viewer each, and 4 more
 * cameras that reboot every 40 s (power off, back 5 s later: new TCP, new UDP socket), against one
 * server process (the compiled build, loopback only). Every 30 s it prints RSS, heapUsed,
 * heapTotal, external, arrayBuffers and V8's new/old space sizes (read inside the server by
 * bench/memory-probe.mjs), the frames the viewers got and the machine's load; at the end a
 * verdict: "flat after warm-up" when, after the first --warmup minutes (default 3, or a fifth of a
 * shorter run), RSS in the second half never rises more than --tolerance MB (default 5) over the
 * highest RSS of the first half, else "NOT flat" with the step.
 * Run: npx tsx bench/soak-mix.ts [--minutes 60] [--sample 30] [--warmup 3] [--tolerance 5]
 * Node flags for the server: BENCH_SERVER_NODE_ARGS; allocator settings (MALLOC_ARENA_MAX=2) reach
 * the server through the environment.
 */
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import type { SimulatedCamera } from '../src/simulator/simulated-camera.js';
import { openMjpeg, type MjpegViewer } from '../test/support/media-client.js';
import { loadAverage, startProbedServer, type ProcessMemory } from './memory-support.js';
import { addonNodeFlags, framesOf, mb, numberArg, sleep } from './support.js';

const minutes = numberArg('minutes', 60);
const sampleSeconds = numberArg('sample', 30);
const warmupMinutes = Math.min(numberArg('warmup', 3), minutes / 5);
const toleranceMb = numberArg('tolerance', 5);
const STREAMING = 16;
const REBOOTING = 4;
const REBOOT_EVERY_MS = 40_000;
const REBOOT_DOWN_MS = 5_000;
const LOSSY = { impairments: { loss: 0.03, swap: 0.05 }, resend: { graceMs: 20, resendDelayMs: 10, maxResends: 2 } } as const;

interface Sample {
  readonly minute: number;
  readonly memory: ProcessMemory;
  readonly frames: number;
  readonly online: number;
  readonly load: string;
}

const probed = await startProbedServer({ offline_after: 20 });
const { ports } = probed.server;
const fleetOf = (count: number, idPrefix: string, pcm: boolean): SimulatedCamera[] =>
  createFleet({
    count,
    host: '127.0.0.1',
    httpPort: ports.http,
    fps: 10,
    heartbeatMs: 5000,
    idPrefix,
    framesFor: framesOf,
    overrides: pcm ? { ...LOSSY, audioFormat: 'pcm16', firmware: '202312111512' } : LOSSY,
    // Distinct 127.0.x.y per camera across the three fleets.
    firstOctet: idPrefix === '0800c0P' ? 11 : idPrefix === '0800c0A' ? 41 : 71,
  });
const streaming = [...fleetOf(STREAMING / 2, '0800c0P', true), ...fleetOf(STREAMING / 2, '0800c0A', false)];
const rebooting = fleetOf(REBOOTING, '0800c0B', false);
const started = Date.now();
await Promise.allSettled([...streaming, ...rebooting].map((camera) => camera.start()));
const viewers: MjpegViewer[] = streaming.map((camera) => openMjpeg(ports.web, camera.id));

/** Counts the parts received since the last call and lets them go (the bench's own memory stays flat). */
const takeFrames = (): number => {
  let count = 0;
  for (const viewer of viewers) {
    count += viewer.parts.length;
    viewer.parts.length = 0;
  }
  return count;
};
let frames = 0;
const drainer = setInterval(() => (frames += takeFrames()), 1000);

let reboots = 0;
const rebootTimer = setInterval(() => {
  for (const camera of rebooting) {
    camera.stop();
    reboots++;
    setTimeout(() => void camera.start().catch(() => undefined), REBOOT_DOWN_MS);
  }
}, REBOOT_EVERY_MS);

const samples: Sample[] = [];
const print = (s: Sample): void => {
  const m = s.memory;
  const space = (name: string): string => mb(m.spaces[name]?.size ?? 0);
  console.log(
    `| ${s.minute.toFixed(1)} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.heapTotal)} | ${space('new_space')} | ${space('old_space')} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${s.frames} | ${s.online} | ${s.load} |`,
  );
};
console.log(
  `${STREAMING} lossy cameras streaming (${STREAMING / 2} PCM, ${STREAMING / 2} A-law), 1 viewer each, ${REBOOTING} rebooting every ${REBOOT_EVERY_MS / 1000} s; ${minutes} min, a sample every ${sampleSeconds} s; server node flags: ${[...addonNodeFlags(), process.env.BENCH_SERVER_NODE_ARGS ?? ''].join(' ').trim() || '(none)'}; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(unset)'}`,
);
console.log('| min | RSS | heapUsed | heapTotal | new space | old space | external | arrayBuffers | frames to viewers | online | load |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const end = started + minutes * 60_000;
while (Date.now() < end) {
  await sleep(Math.min(sampleSeconds * 1000, Math.max(0, end - Date.now())));
  const info = (await (await fetch(`http://127.0.0.1:${ports.web}/api/info`)).json()) as { online: number };
  frames += takeFrames();
  const sample: Sample = {
    minute: (Date.now() - started) / 60_000,
    memory: await probed.memory(),
    frames,
    online: info.online,
    load: loadAverage(),
  };
  frames = 0;
  samples.push(sample);
  print(sample);
}

clearInterval(rebootTimer);
clearInterval(drainer);
const live = await probed.memory('gc');
for (const viewer of viewers) viewer.close();
stopFleet([...streaming, ...rebooting]);
await probed.server.stop();

const sent = streaming.reduce((n, camera) => n + camera.stats.framesSent, 0);
const delivered = samples.reduce((n, s) => n + s.frames, 0);
console.log(
  `\nframes sent ${sent}, delivered to viewers ${delivered}; ${reboots} reboots; live heap after a full GC at the end ${mb(live.heapUsed)} (heapUsed before it ${mb(samples.at(-1)?.memory.heapUsed ?? 0)}); peak RSS ${mb(live.peakRss)}`,
);
const afterWarmup = samples.filter((s) => s.minute >= warmupMinutes);
const half = Math.floor(afterWarmup.length / 2);
if (half === 0) {
  console.log('verdict: too short to judge (fewer than two samples after the warm-up)');
} else {
  const firstMax = Math.max(...afterWarmup.slice(0, half).map((s) => s.memory.rss));
  const laterMax = Math.max(...afterWarmup.slice(half).map((s) => s.memory.rss));
  const rise = laterMax - firstMax;
  const flat = rise <= toleranceMb * 1024 * 1024;
  console.log(
    `verdict: ${flat ? 'flat after warm-up' : 'NOT flat after warm-up'} (after ${warmupMinutes} min: highest RSS ${mb(firstMax)} in the first half, ${mb(laterMax)} in the second, ${rise >= 0 ? '+' : ''}${mb(rise)}; tolerance ${toleranceMb} MB)`,
  );
}
if (probed.server.problems.length > 0) {
  console.log(`server warn/error lines: ${probed.server.problems.length}; the first:`);
  for (const line of probed.server.problems.slice(0, 5)) console.log(`  ${line.trim().slice(0, 300)}`);
}
