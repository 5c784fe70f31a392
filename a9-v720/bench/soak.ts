/**
 * Soak run: 200 simulated cameras heartbeating (5 s, as real ones do) and 10 of them streaming to
 * MJPEG viewers, against one server process (compiled build) with a real mosquitto, for a long
 * time. Samples server RSS, heap and CPU every --sample seconds, prints a table, frames delivered,
 * a leak verdict (mean RSS/heap of the last third vs the first third of the samples) and every
 * warn/error line the server wrote.
 * Run: npx tsx bench/soak.ts [--seconds 600] [--sample 30] [--cameras 200] [--streaming 10] [--viewers 1]
 */
import { createFleet, stopFleet } from '../src/simulator/fleet.js';
import { MosquittoBroker } from '../test/support/mosquitto.js';
import { openMjpeg, type MjpegViewer } from '../test/support/media-client.js';
import { CpuMeter, mb, processUsage, sleep, startServerProcess, numberArg } from './support.js';

const arg = numberArg;
const seconds = arg('seconds', 600);
const sampleSeconds = arg('sample', 30);
const cameraCount = arg('cameras', 200);
const streamingCount = arg('streaming', 10);
const viewersPerCamera = arg('viewers', 1);
/** Growth of the last third over the first third that we call a leak. */
const LEAK_RSS_MB = 20;
const LEAK_HEAP_MB = 10;

interface Sample {
  readonly at: number;
  readonly rss: number;
  readonly heap: number;
  readonly cpu: number;
  readonly online: number;
  readonly frames: number;
}

async function main(): Promise<void> {
  const broker = await MosquittoBroker.create();
  const server = await startServerProcess({ mqtt_url: broker.url, offline_after: 20 });
  const pid = server.child.pid!;
  const cameras = createFleet({
    count: streamingCount,
    host: '127.0.0.1',
    httpPort: server.ports.http,
    heartbeatMs: 5000,
    fps: 10,
    idPrefix: '0800c0S',
  });
  // Only the streaming ones get frames; the rest just heartbeat.
  const idle = createFleet({
    count: cameraCount,
    host: '127.0.0.1',
    httpPort: server.ports.http,
    heartbeatMs: 5000,
    withMedia: false,
    idPrefix: '0800c0S',
  });
  const fleet = [...cameras.slice(0, streamingCount), ...idle.slice(streamingCount)];
  const started = Date.now();
  const connected = await Promise.allSettled(fleet.map((camera) => camera.start()));
  console.log(
    `${connected.filter((r) => r.status === 'fulfilled').length}/${fleet.length} cameras registered in ${Date.now() - started} ms`,
  );

  const viewers: MjpegViewer[] = [];
  for (const camera of fleet.slice(0, streamingCount)) {
    for (let i = 0; i < viewersPerCamera; i++) viewers.push(openMjpeg(server.ports.web, camera.id));
  }
  let intact = 0;
  let corrupt = 0;
  /** Counts and then drops the parts received so far: the soak must not grow our own memory. */
  const countFrames = (): number => {
    for (const viewer of viewers) {
      for (const part of viewer.parts) {
        if (part[0] === 0xff && part[1] === 0xd8 && part[part.length - 2] === 0xff && part[part.length - 1] === 0xd9) intact++;
        else corrupt++;
      }
      viewer.parts.length = 0;
    }
    return intact + corrupt;
  };

  const cpu = new CpuMeter(pid);
  const samples: Sample[] = [];
  const take = async (): Promise<void> => {
    const usage = processUsage(pid);
    const stats = (await (await fetch(`http://127.0.0.1:${server.ports.web}/api/stats`)).json()) as {
      online: number;
      memory: { heapUsed: number };
    };
    samples.push({
      at: (Date.now() - started) / 1000,
      rss: usage.rssBytes,
      heap: stats.memory.heapUsed,
      cpu: cpu.sample(),
      online: stats.online,
      frames: countFrames(),
    });
    const s = samples[samples.length - 1]!;
    console.log(
      `t=${s.at.toFixed(0).padStart(5)} s  rss ${mb(s.rss).padStart(9)}  heap ${mb(s.heap).padStart(9)}  cpu ${s.cpu.toFixed(1).padStart(5)} %  online ${s.online}  frames ${s.frames}`,
    );
  };
  await sleep(2000);
  await take();
  const end = started + seconds * 1000;
  while (Date.now() < end) {
    await sleep(Math.min(sampleSeconds * 1000, Math.max(0, end - Date.now())));
    await take();
  }

  for (const viewer of viewers) viewer.close();
  stopFleet(fleet);
  await server.stop();
  await broker.dispose();

  const sent = fleet.slice(0, streamingCount).reduce((n, c) => n + c.stats.framesSent, 0);
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs: readonly Sample[], key: 'rss' | 'heap' | 'cpu'): number => xs.reduce((n, s) => n + s[key], 0) / xs.length;
  const first = samples.slice(0, third);
  const last = samples.slice(-third);
  const rssGrowth = mean(last, 'rss') - mean(first, 'rss');
  const heapGrowth = mean(last, 'heap') - mean(first, 'heap');
  console.log('\n| t (s) | RSS | heap | CPU % | online | frames to viewers |');
  console.log('|---|---|---|---|---|---|');
  for (const s of samples)
    console.log(`| ${s.at.toFixed(0)} | ${mb(s.rss)} | ${mb(s.heap)} | ${s.cpu.toFixed(1)} | ${s.online} | ${s.frames} |`);
  console.log(`\nduration ${seconds} s, ${fleet.length} cameras (${streamingCount} streaming, ${viewers.length} MJPEG viewers)`);
  console.log(
    `frames: sent ${sent} by the streaming cameras, delivered ${intact} intact parts to viewers (${corrupt} not a JPEG), expected ≈ ${sent * viewersPerCamera}`,
  );
  console.log(`mean CPU ${mean(samples, 'cpu').toFixed(1)} % of one core; peak RSS ${mb(Math.max(...samples.map((s) => s.rss)))}`);
  const leak = rssGrowth > LEAK_RSS_MB * 1024 * 1024 || heapGrowth > LEAK_HEAP_MB * 1024 * 1024;
  console.log(
    `leak verdict: ${leak ? 'POSSIBLE LEAK' : 'no leak'} (last third vs first third: RSS ${rssGrowth >= 0 ? '+' : ''}${mb(rssGrowth)}, heap ${heapGrowth >= 0 ? '+' : ''}${mb(heapGrowth)}; thresholds ${LEAK_RSS_MB} / ${LEAK_HEAP_MB} MB)`,
  );
  const lines = server.problems.filter((line) => line.trim() !== '');
  console.log(`server warn/error lines: ${lines.length}`);
  for (const line of lines.slice(0, 50)) console.log(`  ${line.trim()}`);
  if (samples.some((s) => s.online !== fleet.length)) console.log('WARNING: not every camera stayed online in every sample');
  process.exit(leak || corrupt > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
