/**
 * Runs the REAL pairing helper (src/pairing/a9-pair.py, or a filled-in copy of it) with the
 * machine's python3, as a user would on a laptop: a child process with arguments, its output
 * and exit code collected, the run bounded.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './within.js';

export const HELPER_FILE = fileURLToPath(new URL('../../src/pairing/a9-pair.py', import.meta.url));

export interface HelperRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runHelper(
  args: readonly string[],
  options: { file?: string; env?: NodeJS.ProcessEnv; boundMs?: number } = {},
): Promise<HelperRun> {
  const child = spawn('python3', [options.file ?? HELPER_FILE, ...args], {
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  try {
    const code = await within(exited, options.boundMs ?? 30_000, 'exit of python3 a9-pair.py');
    return { code, stdout, stderr };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The helper's failure output is one sentence on one line, prefixed "a9-pair: ". */
export function oneSentence(stderr: string): string | undefined {
  const lines = stderr.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) return undefined;
  const line = lines[0]!;
  return /^a9-pair: [A-Z].*[.?]$/.test(line) ? line : undefined;
}
