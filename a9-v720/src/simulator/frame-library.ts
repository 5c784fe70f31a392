/**
 * Real JPEG frames for the camera simulator, read from `./frames/` next to this module so it
 * works from src (tsx) and from dist — the build must copy src/simulator/frames to
 * dist/simulator/frames, tsc does not copy .jpg files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FRAMES_DIR_URL = new URL('./frames/', import.meta.url);

export type FrameSet = 'blue' | 'green';
export const FRAME_SETS: readonly FrameSet[] = ['blue', 'green'];

/** The frames of one colour set, in animation order. Reads the disk on every call: cache the result. */
export function loadFrameSet(set: FrameSet, dirUrl: URL = FRAMES_DIR_URL): Buffer[] {
  const dir = fileURLToPath(dirUrl);
  const names = readdirSync(dir)
    .filter((name) => name.startsWith(`${set}-`) && name.endsWith('.jpg'))
    .sort((a, b) => frameIndex(a) - frameIndex(b));
  if (names.length === 0) {
    throw new Error(`no ${set}-*.jpg frames in ${dir} (was src/simulator/frames copied to the build output?)`);
  }
  return names.map((name) => readFileSync(new URL(name, dirUrl)));
}

function frameIndex(name: string): number {
  return Number.parseInt(name.slice(name.indexOf('-') + 1), 10);
}

/** Every frame of every set (tests use this to round-trip them all). */
export function loadAllFrames(dirUrl: URL = FRAMES_DIR_URL): Buffer[] {
  return FRAME_SETS.flatMap((set) => loadFrameSet(set, dirUrl));
}

/**
 * Frames for one simulated camera: the colour set and the starting offset are derived from the
 * id, so several simulated cameras look different without extra files.
 */
export function framesForCamera(cameraId: string, dirUrl: URL = FRAMES_DIR_URL): Buffer[] {
  const hash = [...cameraId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const frames = loadFrameSet(FRAME_SETS[hash % FRAME_SETS.length] ?? 'blue', dirUrl);
  const offset = (hash >>> 1) % frames.length;
  return [...frames.slice(offset), ...frames.slice(0, offset)];
}
