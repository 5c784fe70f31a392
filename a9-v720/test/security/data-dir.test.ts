/**
 * The data directory (issue 11, "smaller"): a symlink planted at the atomic save's temporary name
 * is never followed, and a data dir that cannot be used stops the start with one clear line, not
 * a stack trace.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic } from '../../src/util/atomic-file.js';
import { NO_DNS } from '../support/no-dns.js';

const root = mkdtempSync(path.join(tmpdir(), 'a9-datadir-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a symlink planted at the temporary name is not followed: the target stays untouched', () => {
  const dir = path.join(root, 'data');
  mkdirSync(dir);
  const victim = path.join(root, 'victim.txt');
  writeFileSync(victim, 'precious\n');
  const file = path.join(dir, 'cameras.json');
  symlinkSync(victim, `${file}.${process.pid}.tmp`);
  writeFileAtomic(file, '{"version":1,"cameras":[]}\n');
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'the link target was not written');
  assert.equal(readFileSync(file, 'utf8'), '{"version":1,"cameras":[]}\n');
  assert.equal(lstatSync(file).isSymbolicLink(), false);
});

/** Runs the real entry point with a data dir and returns its exit code and output. */
function runServer(dataDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', '--data-dir', dataDir, '--listen', '127.0.0.1', '--dns-server', NO_DNS],
      {
        cwd: new URL('../..', import.meta.url),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SUPERVISOR_TOKEN: '' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('a data dir that is not a directory: exit 1 with one clear line, no stack trace', async () => {
  const notADir = path.join(root, 'plain-file');
  writeFileSync(notADir, 'x');
  const { code, output } = await runServer(path.join(notADir, 'data'));
  assert.equal(code, 1, output);
  assert.match(output, /data directory .*plain-file\/data is not usable \(ENOTDIR\): it must be a writable directory/);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
});

test('a directory named secret.key: exit 1 with one clear line, no stack trace', async () => {
  const dir = path.join(root, 'with-dir-secret');
  mkdirSync(path.join(dir, 'secret.key'), { recursive: true });
  const { code, output } = await runServer(dir);
  assert.equal(code, 1, output);
  assert.match(output, /secret\.key is a directory; remove or rename it/);
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace');
});
