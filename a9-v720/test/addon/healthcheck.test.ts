/**
 * The container's HEALTHCHECK script (src/healthcheck.ts) as Docker runs it: a process whose exit
 * code says healthy (0) or unhealthy (1), against the real app and against dead, hung and
 * wrongly answering ports. Real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../support/app-harness.js';
import { within } from '../support/within.js';

const ADDON_DIR = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** Runs the health check as Docker would (one process), with `args`. */
function healthcheck(args: readonly string[]): Promise<Outcome> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/healthcheck.ts', ...args], {
    cwd: ADDON_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return within(
    new Promise((resolve) => child.once('exit', (code) => resolve({ code, output: output.trim(), ms: Date.now() - started }))),
    30_000,
    `the health check ${args.join(' ')} to exit`,
  );
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let h: Harness;
const extraServers: Array<net.Server | http.Server> = [];
before(async () => {
  h = await startHarness();
});
after(async () => {
  for (const server of extraServers) server.close();
  await h.stop();
});

const listen = async <S extends net.Server | http.Server>(server: S): Promise<number> => {
  extraServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
};

test('healthy against the running app: exit 0 and a line naming both ports', async () => {
  const { tcp, web } = h.app.ports;
  const result = await healthcheck(['--tcp', String(tcp), '--web', String(web)]);
  assert.equal(result.code, 0, result.output);
  assert.equal(result.output, `healthy: camera control port ${tcp} accepts connections, web server port ${web} answers`);
  assert.deepEqual(h.log.problems(), [], 'the probes leave no warning in the add-on log');
});

test('unhealthy (exit 1) when the control port is dead, when the web port is dead, and when both are', async () => {
  const { tcp, web } = h.app.ports;
  const dead = await deadPort();
  const noControl = await healthcheck(['--tcp', String(dead), '--web', String(web)]);
  assert.equal(noControl.code, 1, noControl.output);
  assert.equal(noControl.output, `unhealthy: camera control port ${dead}: ECONNREFUSED`);
  const noWeb = await healthcheck(['--tcp', String(tcp), '--web', String(dead)]);
  assert.equal(noWeb.code, 1, noWeb.output);
  assert.equal(noWeb.output, `unhealthy: web server port ${dead}: ECONNREFUSED`);
  const neither = await healthcheck(['--tcp', String(dead), '--web', String(dead)]);
  assert.equal(neither.code, 1, neither.output);
  assert.match(neither.output, /^unhealthy: camera control port \d+: ECONNREFUSED; web server port \d+: ECONNREFUSED$/);
});

test('unhealthy when the web port accepts but never answers (a hung process), within its own timeout', async () => {
  const hung = await listen(net.createServer(() => undefined));
  const result = await healthcheck(['--tcp', String(h.app.ports.tcp), '--web', String(hung), '--timeout-ms', '500']);
  assert.equal(result.code, 1, result.output);
  assert.equal(result.output, `unhealthy: web server port ${hung}: no answer within 500 ms`);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms (Docker's --timeout is 10 s)`);
});

test('unhealthy when the web port answers something other than 200', async () => {
  const failing = await listen(
    http.createServer((_request, response) => {
      response.statusCode = 503;
      response.end();
    }),
  );
  const result = await healthcheck(['--tcp', String(h.app.ports.tcp), '--web', String(failing)]);
  assert.equal(result.code, 1, result.output);
  assert.equal(result.output, `unhealthy: web server port ${failing}: answered 503`);
});

test('a misconfigured check is unhealthy with the reason, never silently healthy', async () => {
  for (const [args, reason] of [
    [[], /--tcp is required/],
    [['--tcp', '6123'], /--web is required/],
    [['--tcp', '0', '--web', '1234'], /--tcp must be a whole number from 1 to 65535, got "0"/],
    [['--tcp', '6123', '--web', '12x'], /--web must be a whole number/],
    [['--tcp', '6123', '--web'], /unknown or incomplete argument "--web"/],
    [['--port', '1'], /unknown or incomplete argument "--port"/],
  ] as const) {
    const result = await healthcheck(args);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.output}`);
    assert.match(result.output, /^unhealthy: health check misconfigured: /);
    assert.match(result.output, reason);
  }
});
