/**
 * A real mosquitto for tests: anonymous, no persistence, on a free ephemeral port of 127.0.0.1
 * (never 1883). It can be stopped and started again on the same port to simulate a broker
 * restart, and is always killed when the test process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const MOSQUITTO_BIN = process.env['MOSQUITTO_BIN'] ?? '/usr/sbin/mosquitto';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port the kernel just handed out on 127.0.0.1 (free at the time of the call). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class MosquittoBroker {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly dir: string;
  private readonly confFile: string;

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'a9v720-mosquitto-'));
    this.confFile = path.join(this.dir, 'mosquitto.conf');
    writeFileSync(
      this.confFile,
      [
        `listener ${port} 127.0.0.1`,
        'allow_anonymous true',
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'),
    );
  }

  /** A broker on a free port (or the given one), started unless `start: false`. */
  static async create(options: { port?: number; start?: boolean } = {}): Promise<MosquittoBroker> {
    const broker = new MosquittoBroker(options.port ?? (await freePort()));
    if (options.start !== false) await broker.start();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** What mosquitto printed (for assertion messages). */
  get log(): string {
    return this.output;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    if (this.child) return;
    const deadline = Date.now() + timeoutMs;
    // A just-stopped broker's port can take a moment to be bindable again: retry the spawn.
    for (;;) {
      const child = spawn(MOSQUITTO_BIN, ['-c', this.confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      running.add(child);
      let exited = false;
      child.once('exit', () => {
        exited = true;
        running.delete(child);
      });
      child.once('error', (error) => {
        this.output += `spawn error: ${error.message}\n`;
      });
      child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
      child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
      while (!exited && Date.now() < deadline) {
        if (await portAccepts(this.port)) {
          this.child = child;
          return;
        }
        await sleep(25);
      }
      if (!exited) child.kill('SIGKILL');
      if (Date.now() >= deadline) {
        throw new Error(`mosquitto did not accept connections on 127.0.0.1:${this.port}:\n${this.output}`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the broker and removes its temporary configuration. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
