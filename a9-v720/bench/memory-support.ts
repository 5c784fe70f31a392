/**
 * Memory figures of a server started by bench/support.ts: RSS from /proc, and the process's own
 * process.memoryUsage() and V8 heap spaces through bench/memory-probe.mjs (loaded with --import
 * into the server only, answering SIGUSR2), so unchanged server code can be measured too.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mb, processUsage, sleep, startServerProcess, type ServerProcess } from './support.js';

export interface ProcessMemory {
  readonly rss: number;
  /** The process's peak RSS so far (VmHWM). */
  readonly peakRss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** V8's heap spaces (new_space, old_space, code_space, large_object_space, …): size and used bytes. */
  readonly spaces: Record<string, { size: number; used: number }>;
}

export interface ProbedServer {
  readonly server: ServerProcess;
  /** Memory now; `gc` first runs a full garbage collection in the server, `snapshot` writes a heap snapshot there. */
  memory(request?: 'gc' | { snapshot: string }): Promise<ProcessMemory>;
}

/** Starts the server with the memory probe; extra node flags still come from BENCH_SERVER_NODE_ARGS. */
export async function startProbedServer(options: Record<string, unknown> = {}): Promise<ProbedServer> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'a9-memory-')), 'memory.json');
  const probe = new URL('./memory-probe.mjs', import.meta.url).href;
  const saved = { args: process.env.BENCH_SERVER_NODE_ARGS, file: process.env.BENCH_MEMORY_FILE };
  process.env.BENCH_SERVER_NODE_ARGS = `--import ${probe} ${saved.args ?? ''}`;
  process.env.BENCH_MEMORY_FILE = file;
  let server: ServerProcess;
  try {
    server = await startServerProcess(options);
  } finally {
    restoreEnv('BENCH_SERVER_NODE_ARGS', saved.args);
    restoreEnv('BENCH_MEMORY_FILE', saved.file);
  }
  const pid = server.child.pid!;
  return {
    server,
    memory: async (request) => {
      rmSync(file, { force: true });
      if (request !== undefined) writeFileSync(`${file}.request`, request === 'gc' ? 'gc' : `snapshot:${request.snapshot}`);
      process.kill(pid, 'SIGUSR2');
      // A heap snapshot of a busy server takes seconds; the figures alone arrive within milliseconds.
      const deadline = Date.now() + (request === undefined ? 5000 : 120_000);
      while (!existsSync(file)) {
        if (Date.now() > deadline) throw new Error('the server did not answer the memory probe (was bench/memory-probe.mjs loaded?)');
        await sleep(20);
      }
      const figures = JSON.parse(readFileSync(file, 'utf8')) as Omit<ProcessMemory, 'peakRss'>;
      const usage = processUsage(pid);
      return { ...figures, rss: usage.rssBytes, peakRss: usage.peakRssBytes };
    },
  };
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** One line: RSS, peak RSS, heap used/total, external, array buffers. */
export function memoryLine(m: ProcessMemory): string {
  return `rss ${mb(m.rss).padStart(8)}  peak ${mb(m.peakRss).padStart(8)}  heapUsed ${mb(m.heapUsed).padStart(8)}  heapTotal ${mb(m.heapTotal).padStart(8)}  external ${mb(m.external).padStart(8)}  arrayBuffers ${mb(m.arrayBuffers).padStart(8)}`;
}

/** The load of the machine (1-minute average), to print beside every figure: RSS depends on it less than time does, but not never. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
