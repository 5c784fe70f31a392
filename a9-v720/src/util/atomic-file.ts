import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../errors.js';
import { errorMessage } from './error-message.js';

/**
 * Write to a temporary file, fsync, then rename over the target: a crash or power cut
 * leaves either the old or the new file, never a half-written one. The temporary file is
 * created exclusively ('wx': O_CREAT|O_EXCL), which never follows a symlink planted at its
 * name; whatever sits there (a leftover of a crash, or such a link) is unlinked first.
 */
export function writeFileAtomic(file: string, contents: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    unlinkSync(temp);
    fd = openSync(temp, 'wx', 0o600);
  }
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

/**
 * Removes temporary files an interrupted writeFileAtomic left behind (power cut between write
 * and rename). The real files were never touched, so these hold nothing worth keeping.
 */
export function removeStaleTempFiles(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!/\.\d+\.tmp$/.test(name)) continue;
    try {
      unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      // Not ours to worry about: the next start tries again.
    }
  }
  return removed;
}

/**
 * Makes sure the data directory exists and is writable, before anything is stored there: a clear
 * one-line start-up error instead of a stack trace from the first save.
 */
export function prepareDataDir(dir: string): void {
  const probe = path.join(dir, `.write-test.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(probe, 'wx', 0o600));
    unlinkSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
    throw new StartupError(`data directory ${dir} is not usable (${code}): it must be a writable directory`);
  }
}
