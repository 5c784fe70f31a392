/**
 * Benchmark plumbing: runs the server as a child process (so its CPU and memory are its
 * own), samples /proc for CPU and RSS, and summarises latencies. Loopback only.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { NO_DNS } from '../test/support/no-dns.js';
import { loadAllFrames } from '../src/simulator/frame-library.js';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  child: ChildProcess;
  ports: { http: number; tcp: number; web: number };
  dataDir: string;
  stop(): Promise<void>;
  /** Lines the server logged at warn or above. */
  problems: string[];
}

let built = false;

/**
 * The node flags the add-on starts with: those between `exec node` and `/app/dist/main.js` in
 * run.sh, so a benchmark measures the server as the add-on runs it. BENCH_ADDON_FLAGS=0 leaves
 * them out (to measure what they change).
 */
export function addonNodeFlags(): string[] {
  if (process.env.BENCH_ADDON_FLAGS === '0') return [];
  const runSh = readFileSync(new URL('../run.sh', import.meta.url), 'utf8');
  const line = /^exec node (.*)\/app\/dist\/main\.js\s*$/m.exec(runSh);
  if (!line) throw new Error('run.sh has no "exec node … /app/dist/main.js" line to take the flags from');
  return (line[1] ?? '').split(/\s+/).filter(Boolean);
}

/** `extraArgs` go to the server's command line (e.g. `--demo 50`). */
export async function startServerProcess(options: Record<string, unknown> = {}, extraArgs: readonly string[] = []): Promise<ServerProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'a9-bench-'));
  const ports = { http: await freePort(), tcp: await freePort(), web: await freePort() };
  const optionsFile = path.join(dataDir, 'options.json');
  writeFileSync(
    optionsFile,
    JSON.stringify({
      http_port: ports.http,
      tcp_port: ports.tcp,
      web_port: ports.web,
      server_ip: '127.0.0.1',
      log_level: 'warn',
      // The harness reads the server's JSON lines.
      log_format: 'json',
      // Benchmarks run fleets of hundreds of cameras; bench/flood.ts measures the default cap.
      max_cameras: 1000,
      ...options,
    }),
  );
  const root = new URL('..', import.meta.url);
  // Measure what the add-on runs: the compiled build, not the TypeScript loader (built once per
  // benchmark process: a bench that starts several servers measures the same build).
  if (!built) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    built = true;
  }
  // The add-on's own node flags (run.sh), then flags for the server only (NODE_OPTIONS refuses
  // some, e.g. --cpu-prof; a later V8 flag overrides an earlier one):
  // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npx tsx bench/media-streaming.ts
  const nodeArgs = [...addonNodeFlags(), ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      'dist/main.js',
      '--options',
      optionsFile,
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1',
      '--dns-server',
      NO_DNS,
      ...extraArgs,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const problems: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (/"level":(4|5|6)0/.test(line)) problems.push(line);
  });
  child.stderr?.on('data', (chunk: Buffer) => problems.push(chunk.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports.web}/api/info`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start: ${problems.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    ports,
    dataDir,
    problems,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (user+system, ms) and RSS (bytes) of a process, from /proc. */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number; peakRssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: (ticks * 1000) / 100, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

export class CpuMeter {
  private last: { at: number; cpuMs: number };
  constructor(private readonly pid: number) {
    this.last = { at: performance.now(), cpuMs: processUsage(pid).cpuMs };
  }
  /** CPU % of one core since the previous call. */
  sample(): number {
    const now = { at: performance.now(), cpuMs: processUsage(this.pid).cpuMs };
    const percent = ((now.cpuMs - this.last.cpuMs) / (now.at - this.last.at)) * 100;
    this.last = now;
    return percent;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A numeric `--name value` command-line flag, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
}

/** Library frames padded with a JPEG comment to ~25 KB and tagged per camera (still valid JPEGs). */
export function framesOf(tag: string): Buffer[] {
  return loadAllFrames().map((jpeg) => {
    const text = Buffer.from(tag.padEnd(Math.max(tag.length, 25_000 - jpeg.length - 4), '.'), 'ascii');
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), text]);
    segment.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
  });
}
