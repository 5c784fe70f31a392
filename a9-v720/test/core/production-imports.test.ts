/**
 * The production entry point loads no demo code: `main.ts` without `--demo` must not resolve a
 * module of src/simulator/ (nor src/demo.ts), while `--demo` does; nor, with the JSON options the
 * Supervisor writes, the YAML parser. Each run is a real process
 * with a module resolve hook (test/support/import-recorder.mjs) that records every module URL it
 * resolves, static and dynamic imports alike.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { within } from '../support/within.js';

const ADDON_DIR = fileURLToPath(new URL('../../', import.meta.url));
const RECORDER = fileURLToPath(new URL('../support/import-recorder.mjs', import.meta.url));

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve) => {
          const server = net.createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Starts src/main.ts with `args`, waits for `ready` on its output, stops it with SIGTERM; the modules it resolved. */
async function modulesResolvedBy(args: readonly string[], ready: RegExp): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'a9-imports-'));
  const log = path.join(dir, 'resolved.txt');
  writeFileSync(log, '');
  const [http, tcp, web] = await freePorts(3);
  // JSON, as the Supervisor writes it.
  const options = path.join(dir, 'options.json');
  writeFileSync(options, JSON.stringify({ http_port: http, tcp_port: tcp, web_port: web }));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      RECORDER,
      'src/main.ts',
      '--options',
      options,
      '--data-dir',
      path.join(dir, 'data'),
      '--listen',
      '127.0.0.1',
      ...args,
    ],
    { cwd: ADDON_DIR, env: { ...process.env, A9_IMPORT_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (ready.test(output)) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        void exited.then((how) => reject(new Error(`main ended (${how}) before ${ready}:\n${output}`)));
      }),
      60_000,
      `${ready} from main ${args.join(' ')}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
  // Main installs its SIGTERM handler after the lines waited for: either way it ends at once.
  assert.match(await within(exited, 20_000, 'main to end on SIGTERM'), /^(exit 0|SIGTERM)$/, `main stops on SIGTERM:\n${output}`);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

const fromSrc = (urls: readonly string[], pattern: RegExp): string[] =>
  urls.filter((url) => url.startsWith('file:') && pattern.test(path.relative(ADDON_DIR, fileURLToPath(url)).split(path.sep).join('/')));

test('without --demo, main resolves no module of src/simulator/ and not src/demo.ts', { timeout: 120_000 }, async () => {
  const urls = await modulesResolvedBy([], /listening on 127\.0\.0\.1/);
  // The recorder saw the production path itself (a recorder that records nothing would pass the rest).
  for (const module of ['src/main.ts', 'src/config.ts', 'src/app.ts', 'src/web/server.ts'])
    assert.equal(fromSrc(urls, new RegExp(`^${module.replace('.', '\\.')}$`)).length > 0, true, `${module} was not recorded`);
  assert.deepEqual(fromSrc(urls, /^src\/simulator\//), [], 'simulator modules on the production path');
  assert.deepEqual(fromSrc(urls, /^src\/demo\.ts$/), [], 'the demo module on the production path');
  // JSON options need no YAML parser (it costs resident memory; config.ts loads it only for YAML).
  assert.deepEqual(
    urls.filter((url) => url.includes('/node_modules/yaml/')),
    [],
    'the yaml package on the production path',
  );
});

test('with --demo, the same recorder sees the simulator loaded', { timeout: 120_000 }, async () => {
  const urls = await modulesResolvedBy(['--demo', '1'], /demo mode: /);
  assert.ok(fromSrc(urls, /^src\/demo\.ts$/).length > 0, 'src/demo.ts was imported for --demo');
  assert.ok(fromSrc(urls, /^src\/simulator\/fleet\.ts$/).length > 0, 'the simulator fleet was imported for --demo');
});
