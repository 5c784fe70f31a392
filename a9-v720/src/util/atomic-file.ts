import { closeSync, fsyncSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Write to a temporary file, fsync, then rename over the target: a crash or power cut
 * leaves either the old or the new file, never a half-written one.
 */
export function writeFileAtomic(file: string, contents: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
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
