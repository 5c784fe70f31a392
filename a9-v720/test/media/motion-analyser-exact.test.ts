/**
 * MotionAnalyser on tiny hand-made images where every number can be worked out by hand: which
 * pixels count as moving, the exact moving area and gain, the thresholds exactly at and one past
 * their limits, the learning rates, the hysteresis and the hold time at a clock far from zero.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GreyImage } from '../../src/media/motion/grey-image.js';
import {
  clampSensitivity,
  DEFAULT_HOLD_MS,
  MotionAnalyser,
  thresholdsFor,
  type MotionAnalyserOptions,
} from '../../src/media/motion/motion-analyser.js';

const SIZE = 10;
/** A clock far from zero: `at - last` mistaken for `at + last` shows at once. */
const T = 1.7e12;

/** A 10×10 image of grey 100 with the listed pixels ([x, y]) set to `value`. */
function image(pixels: readonly (readonly [number, number])[] = [], value = 200, background = 100): GreyImage {
  const data = new Uint8Array(SIZE * SIZE).fill(background);
  for (const [x, y] of pixels) data[y * SIZE + x] = value;
  return { width: SIZE, height: SIZE, data };
}

/** The pixels of a w×h block with its top-left corner at (x0, y0). */
function block(x0: number, y0: number, w: number, h: number): [number, number][] {
  const pixels: [number, number][] = [];
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) pixels.push([x, y]);
  return pixels;
}

/** Sensitivity 1: a pixel changes by more than 48 grey levels, 6 % (6 of 100 pixels) is motion. */
function analyser(options: MotionAnalyserOptions = {}): MotionAnalyser {
  const a = new MotionAnalyser({ sensitivity: 1, settleFrames: 0, holdMs: 1000, ...options });
  assert.equal(a.analyse(image(), T - 1000).kind, 'learning');
  return a;
}

test('thresholds: sensitivity 1 is 48 levels over 6 %, 100 is 10 levels over 0.1 %; 50 sits geometrically between; values are rounded and clamped', () => {
  assert.deepEqual(thresholdsFor(1), { pixelDelta: 48, minArea: 0.06 });
  const s50 = thresholdsFor(50);
  assert.ok(Math.abs(s50.pixelDelta - 48 * (10 / 48) ** (49 / 99)) < 1e-12, `${s50.pixelDelta}`);
  assert.ok(Math.abs(s50.minArea - 0.06 * (0.001 / 0.06) ** (49 / 99)) < 1e-15, `${s50.minArea}`);
  assert.ok(
    Math.abs(s50.pixelDelta - 22.0) < 0.5 && Math.abs(s50.minArea - 0.0079) < 0.0002,
    `about 22 levels over 0.79 %, got ${JSON.stringify(s50)}`,
  );
  assert.equal(clampSensitivity(50.4), 50);
  assert.equal(clampSensitivity(50.5), 51);
  assert.equal(clampSensitivity(0), 1);
  assert.equal(clampSensitivity(101), 100);
  assert.equal(clampSensitivity(100), 100);
  assert.equal(clampSensitivity(1), 1);
  assert.deepEqual(thresholdsFor(50.4), thresholdsFor(50));
  assert.equal(DEFAULT_HOLD_MS, 10_000);
});

test('a changed pixel counts only with at least 3 changed neighbours: a 2×2 block counts, an L of three does not', () => {
  const a = analyser();
  const l = [
    [6, 6],
    [7, 6],
    [6, 7],
  ] as const;
  assert.deepEqual(a.analyse(image([...block(1, 1, 2, 2), ...l]), T), { kind: 'still', movingArea: 0.04, gain: 1, motion: false });
  assert.deepEqual(a.analyse(image([...l]), T + 200), { kind: 'still', movingArea: 0, gain: 1, motion: false });
});

test('neighbours stop at the image edges: blocks in the corners count fully, lines on opposite edges do not wrap into each other', () => {
  const a = analyser();
  // 3×3 blocks in two corners: 18 pixels, each with 3 or more changed neighbours inside the image.
  assert.deepEqual(a.analyse(image([...block(0, 0, 3, 3), ...block(7, 7, 3, 3)]), T).movingArea, 0.18);
  // A vertical line of 3 on the left edge and one on the right edge, one row apart: each pixel has
  // at most 2 changed neighbours; across the edge (previous/next row's far end) it would have 5.
  const b = analyser();
  assert.deepEqual(b.analyse(image([...block(0, 3, 1, 3), ...block(9, 2, 1, 3)]), T), {
    kind: 'still',
    movingArea: 0,
    gain: 1,
    motion: false,
  });
  // The same at the top and bottom rows: nothing to count beyond them.
  const c = analyser();
  assert.equal(c.analyse(image([...block(3, 0, 3, 1), ...block(3, 9, 3, 1)]), T).movingArea, 0);
});

test('pixel threshold: a difference of exactly 48 is no change, 49 is', () => {
  const a = analyser();
  assert.equal(a.analyse(image(block(2, 2, 3, 3), 148), T).movingArea, 0);
  const b = analyser();
  assert.equal(b.analyse(image(block(2, 2, 3, 3), 149), T).movingArea, 0.09);
  const darker = analyser();
  assert.equal(darker.analyse(image(block(2, 2, 3, 3), 51), T).movingArea, 0.09, 'darker counts too');
});

test('area threshold: exactly 6 % is an active frame, 4 % is still; two active frames in a row start the event', () => {
  const a = analyser();
  assert.deepEqual(a.analyse(image(block(2, 2, 3, 2)), T), { kind: 'active', movingArea: 0.06, gain: 1, motion: false });
  assert.deepEqual(a.analyse(image(block(2, 2, 3, 2)), T + 200), {
    kind: 'active',
    movingArea: 0.06,
    gain: 1,
    motion: true,
    transition: 'start',
  });
  const b = analyser();
  assert.equal(b.analyse(image(block(2, 2, 2, 2)), T).kind, 'still');
});

test('hysteresis: during an event half the start area (3 %) keeps it active; the event ends exactly holdMs after the last active frame', () => {
  const a = analyser();
  a.analyse(image(block(2, 2, 3, 3)), T);
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T + 200).transition, 'start');
  assert.deepEqual(a.analyse(image(block(5, 5, 2, 2)), T + 400), { kind: 'active', movingArea: 0.04, gain: 1, motion: true });
  assert.deepEqual(a.analyse(image(), T + 400 + 999), { kind: 'still', movingArea: 0, gain: 1, motion: true });
  assert.deepEqual(a.analyse(image(), T + 400 + 1000), { kind: 'still', movingArea: 0, gain: 1, motion: false, transition: 'end' });
  assert.equal(a.motion, false);
});

test('expire ends an event exactly holdMs after the last active frame (default 10 s), and only once', () => {
  const a = new MotionAnalyser({ sensitivity: 1, settleFrames: 0 });
  a.analyse(image(), T - 1000);
  a.analyse(image(block(2, 2, 3, 3)), T);
  a.analyse(image(block(2, 2, 3, 3)), T + 200);
  assert.equal(a.motion, true);
  assert.equal(a.expire(T + 200 + 9_999), undefined);
  assert.equal(a.motion, true);
  assert.equal(a.expire(T + 200 + 10_000), 'end');
  assert.equal(a.motion, false);
  assert.equal(a.expire(T + 200 + 20_000), undefined);
  // After expiry a new event needs two active frames again.
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T + 30_000).motion, false);
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T + 30_200).transition, 'start');
});

test('startFrames: 1 starts on the first active frame, 3 on the third; 0 means 1; a still frame in between starts the count again', () => {
  const one = analyser({ startFrames: 0 });
  assert.equal(one.analyse(image(block(2, 2, 3, 3)), T).transition, 'start');
  const three = analyser({ startFrames: 3 });
  const kinds = [block(2, 2, 3, 3), block(2, 2, 3, 3), [], block(2, 2, 3, 3), block(2, 2, 3, 3), block(2, 2, 3, 3)].map(
    (pixels, i) => three.analyse(image(pixels), T + i * 200).transition ?? '-',
  );
  assert.deepEqual(kinds, ['-', '-', '-', '-', '-', 'start']);
});

test('settle frames: the first frame and the next settleFrames (default 2) only learn; a negative count means none', () => {
  const a = new MotionAnalyser({ sensitivity: 1 });
  const moving = image(block(2, 2, 3, 3));
  assert.deepEqual(
    [image(), moving, moving, moving].map((f, i) => a.analyse(f, T + i * 200).kind),
    ['learning', 'learning', 'learning', 'active'],
  );
  assert.deepEqual(a.analyse(moving, T + 800), { kind: 'active', movingArea: 0.09, gain: 1, motion: true, transition: 'start' });
  const none = new MotionAnalyser({ sensitivity: 1, settleFrames: -1 });
  none.analyse(image(), T);
  assert.equal(none.analyse(moving, T + 200).kind, 'active');
});

test('global change: exactly half the picture changed is still judged as motion; one pixel more re-learns the scene', () => {
  const half = analyser();
  assert.deepEqual(half.analyse(image(block(0, 0, 10, 5)), T), { kind: 'active', movingArea: 0.5, gain: 1, motion: false });
  const more = analyser();
  // 51 pixels at 200: the median ratio is now 2 (the gain), so the 49 unchanged ones change after
  // normalising; the raw count (51) is over the limit.
  assert.deepEqual(more.analyse(image([...block(0, 0, 10, 5), [0, 5]]), T), {
    kind: 'global-change',
    movingArea: 0.51,
    gain: 2,
    motion: false,
  });
  // The new scene is the background, and settle frames (none here) follow.
  assert.deepEqual(more.analyse(image([...block(0, 0, 10, 5), [0, 5]]), T + 200), { kind: 'still', movingArea: 0, gain: 1, motion: false });
});

test('global change with a custom fraction; it interrupts a run of active frames', () => {
  const a = analyser({ globalChangeFraction: 0.08 });
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T).kind, 'global-change');
  const b = analyser({ globalChangeFraction: 0.09 });
  assert.equal(b.analyse(image(block(2, 2, 3, 3)), T).kind, 'active');
  assert.equal(b.analyse(image(block(0, 0, 10, 6)), T + 200).kind, 'global-change');
  // The background is now the 10×6 block scene; an active frame after it is the first of a new run.
  const after = image([...block(0, 0, 10, 6), ...block(2, 7, 3, 3)]);
  assert.deepEqual(b.analyse(after, T + 400), { kind: 'active', movingArea: 0.09, gain: 1, motion: false });
  assert.equal(b.analyse(after, T + 600).transition, 'start');
});

test('gain: a uniformly brighter frame (110 on 100) is divided out with the median log ratio, in steps of 1/32 octave', () => {
  const a = analyser();
  const verdict = a.analyse(image([], 0, 110), T);
  assert.deepEqual(verdict, { kind: 'still', movingArea: 0, gain: 2 ** (4 / 32), motion: false });
  // A block 60 levels over a 110 scene on a 100 background: normalised it is 66 over, it moves.
  const b = analyser();
  const brighter = { ...image([], 0, 110) };
  for (const [x, y] of block(2, 2, 3, 3)) brighter.data[y * SIZE + x] = 170;
  assert.deepEqual(b.analyse(brighter, T), { kind: 'active', movingArea: 0.09, gain: 2 ** (4 / 32), motion: false });
});

test('learning: where nothing moves the background follows at 5 % a frame, where something moves at 0.5 %', () => {
  // A 40-level change is under the 48 threshold: learnt at 5 %, the background becomes 102.
  const still = analyser();
  assert.equal(still.analyse(image(block(2, 2, 3, 3), 140), T).movingArea, 0);
  assert.equal(still.analyse(image(block(2, 2, 3, 3), 150), T + 200).movingArea, 0, '150 - 102 = 48: no change');
  const unlearnt = analyser();
  assert.equal(unlearnt.analyse(image(block(2, 2, 3, 3), 150), T).movingArea, 0.09, '150 - 100 = 50');
  // A moving block (200) is learnt at 0.5 %: 100.5, so 149 is still 48.5 over.
  const moving = analyser();
  assert.equal(moving.analyse(image(block(2, 2, 3, 3)), T).movingArea, 0.09);
  assert.equal(moving.analyse(image(block(2, 2, 3, 3), 149), T + 200).movingArea, 0.09);
  // Custom rates: learnt at 50 %, the 140 block makes the background 120.
  const fast = analyser({ learnRate: 0.5, foregroundLearnRate: 0.5 });
  fast.analyse(image(block(2, 2, 3, 3), 140), T);
  assert.equal(fast.analyse(image(block(2, 2, 3, 3), 168), T + 200).movingArea, 0, '168 - 120 = 48');
  // 168 is learnt as still: 144. 200 is 56 over, moving, learnt at the foreground rate: 172.
  assert.equal(fast.analyse(image(block(2, 2, 3, 3), 200), T + 400).movingArea, 0.09);
  assert.equal(fast.analyse(image(block(2, 2, 3, 3), 200), T + 600).movingArea, 0, '200 - 172 = 28');
});

test('a frame of another size starts over: it is learnt, not compared', () => {
  const a = analyser();
  const wide: GreyImage = { width: 20, height: 5, data: new Uint8Array(100).fill(200) };
  assert.deepEqual(a.analyse(wide, T), { kind: 'learning', movingArea: 0, gain: 1, motion: false });
  assert.deepEqual(a.analyse({ width: 20, height: 5, data: new Uint8Array(100).fill(200) }, T + 200), {
    kind: 'still',
    movingArea: 0,
    gain: 1,
    motion: false,
  });
  // Same pixel count, other shape: also a new scene.
  assert.equal(a.analyse(image([], 0, 200), T + 400).kind, 'learning');
});

test('reset forgets the background and the event; setSensitivity changes the thresholds from the next frame', () => {
  const a = analyser();
  a.analyse(image(block(2, 2, 3, 3)), T);
  a.analyse(image(block(2, 2, 3, 3)), T + 200);
  assert.equal(a.motion, true);
  a.reset();
  assert.equal(a.motion, false);
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T + 400).kind, 'learning');
  assert.equal(a.analyse(image(block(2, 2, 3, 3)), T + 600).kind, 'still', 'the block is background now');
  const b = analyser();
  assert.equal(b.analyse(image(block(2, 2, 2, 2), 130), T).kind, 'still');
  b.setSensitivity(100);
  assert.deepEqual(b.analyse(image(block(2, 2, 2, 2), 130), T + 200), { kind: 'active', movingArea: 0.04, gain: 1, motion: false });
});

test('gain at the ends of the scale: a dark scene halving (4 → 2) and black turning white (0 → 255, +8 octaves, the last bin)', () => {
  const dark = analyser();
  dark.analyse(image([], 0, 4), T); // the background is now 4 (a global change from 100)
  assert.deepEqual(dark.analyse(image([], 0, 2), T + 200), { kind: 'still', movingArea: 0, gain: 2 ** (-24 / 32), motion: false });
  const black = new MotionAnalyser({ sensitivity: 1, settleFrames: 0 });
  black.analyse(image([], 0, 0), T);
  assert.deepEqual(black.analyse(image([], 0, 255), T + 200), { kind: 'global-change', movingArea: 1, gain: 256, motion: false });
});

test('a change of width or of height alone is a new scene', () => {
  const a = analyser();
  assert.equal(a.analyse({ width: 20, height: 10, data: new Uint8Array(200).fill(100) }, T).kind, 'learning');
  const b = analyser();
  assert.equal(b.analyse({ width: 10, height: 20, data: new Uint8Array(200).fill(100) }, T).kind, 'learning');
});

test('global change by raw difference: exactly 48 levels on most pixels is not one', () => {
  const a = analyser();
  // 51 pixels 48 brighter: no raw change; normalised by the median ratio they match the background.
  assert.deepEqual(a.analyse(image([...block(0, 0, 10, 5), [0, 5]], 148), T), {
    kind: 'still',
    movingArea: 0,
    gain: 2 ** (18 / 32),
    motion: false,
  });
});

test('global change after normalising: most pixels off the median ratio, though fewer than half changed raw', () => {
  // Background: 49 bright pixels, 2 dark ones, 49 more bright ones.
  const background = image([...block(0, 5, 10, 5)], 100);
  for (const [x, y] of [
    [0, 4],
    [1, 4],
  ] as const)
    background.data[y * SIZE + x] = 20;
  const a = new MotionAnalyser({ sensitivity: 1, settleFrames: 0 });
  a.analyse(background, T);
  // Rows 0–4 but the two dark pixels fall to a quarter (49 raw changes), the dark ones halve, rows 5–9 stay:
  // the median ratio is the dark ones' 1/2, so after normalising 98 pixels are off.
  const frame = image([...block(0, 5, 10, 5)], 100, 25);
  frame.data[4 * SIZE] = 10;
  frame.data[4 * SIZE + 1] = 10;
  assert.deepEqual(a.analyse(frame, T + 200), { kind: 'global-change', movingArea: 0.98, gain: 2 ** (-30 / 32), motion: false });
});
