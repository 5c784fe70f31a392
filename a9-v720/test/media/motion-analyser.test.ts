import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GreyImage } from '../../src/media/motion/grey-image.js';
import { MotionAnalyser, thresholdsFor, type FrameVerdict, type MotionAnalyserOptions } from '../../src/media/motion/motion-analyser.js';

const W = 80;
const H = 60;

/** A textured still scene (deterministic), values 40..200. */
function scene(): Uint8Array {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = 60 + ((x * 7 + y * 13) % 50) + (y > 40 ? 60 : 0);
  return data;
}

function seededNoise(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff - 0.5;
  };
}

function frame(base: Uint8Array, edit?: (data: Uint8Array) => void, noise = 0, random = seededNoise(1)): GreyImage {
  const data = Uint8Array.from(base);
  edit?.(data);
  if (noise > 0)
    for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round((data[i] as number) + noise * 2 * random())));
  return { width: W, height: H, data };
}

function block(x0: number, y0: number, w: number, h: number, value: number): (data: Uint8Array) => void {
  return (data) => {
    for (let y = Math.max(0, y0); y < Math.min(H, y0 + h); y++)
      for (let x = Math.max(0, x0); x < Math.min(W, x0 + w); x++) data[y * W + x] = value;
  };
}

/** Feeds frames 200 ms apart (5 analysed fps), returning every verdict. */
function run(analyser: MotionAnalyser, frames: readonly GreyImage[], start = 0): FrameVerdict[] {
  return frames.map((f, i) => analyser.analyse(f, start + i * 200));
}

function stillFrames(n: number, noise = 2): GreyImage[] {
  const base = scene();
  const random = seededNoise(7);
  return Array.from({ length: n }, () => frame(base, undefined, noise, random));
}

const opts: MotionAnalyserOptions = { sensitivity: 50, holdMs: 1000 };

test('sensitivity maps 1..100 onto pixel and area thresholds, clamped, monotonic', () => {
  assert.deepEqual(thresholdsFor(1), { pixelDelta: 48, minArea: 0.06 });
  const top = thresholdsFor(100);
  assert.ok(
    Math.abs(top.pixelDelta - 10) < 1e-9 && Math.abs(top.minArea - 0.001) < 1e-12,
    `sensitivity 100 is 10 levels over 0.1 %, got ${JSON.stringify(top)}`,
  );
  assert.deepEqual(thresholdsFor(-5), thresholdsFor(1));
  assert.deepEqual(thresholdsFor(1000), thresholdsFor(100));
  let previous = thresholdsFor(1);
  for (let s = 2; s <= 100; s++) {
    const t = thresholdsFor(s);
    assert.ok(t.pixelDelta < previous.pixelDelta && t.minArea < previous.minArea, `sensitivity ${s} must be more sensitive than ${s - 1}`);
    previous = t;
  }
});

test('a still scene with sensor noise never reports motion, at any sensitivity', () => {
  for (const sensitivity of [1, 50, 100]) {
    const analyser = new MotionAnalyser({ ...opts, sensitivity });
    const verdicts = run(analyser, stillFrames(60, 4));
    assert.equal(verdicts[0]?.kind, 'learning');
    assert.ok(
      verdicts.every((v) => !v.motion && v.transition === undefined),
      `sensitivity ${sensitivity}`,
    );
    assert.ok(
      verdicts.slice(3).every((v) => v.kind === 'still'),
      `sensitivity ${sensitivity}`,
    );
  }
});

test('a shape walking across is one event: starts on the second active frame, ends after the hold time', () => {
  const analyser = new MotionAnalyser(opts);
  const base = scene();
  const random = seededNoise(3);
  const frames = [
    ...stillFrames(5),
    ...Array.from({ length: 12 }, (_, i) => frame(base, block(-10 + i * 8, 15, 10, 25, 20), 2, random)),
    ...stillFrames(10),
  ];
  const verdicts = run(analyser, frames);
  const transitions = verdicts.flatMap((v, i) => (v.transition ? [`${i}:${v.transition}`] : []));
  // Frame 5: the shape is barely in; frames 6+ are active → start at the second active frame.
  const firstActive = verdicts.findIndex((v) => v.kind === 'active');
  assert.ok(firstActive >= 5 && firstActive <= 6, `first active frame ${firstActive}`);
  assert.equal(transitions[0], `${firstActive + 1}:start`);
  assert.equal(transitions.length, 2, `one event only: ${transitions.join(' ')}`);
  const lastActive = verdicts.map((v) => v.kind).lastIndexOf('active');
  const end = Number(transitions[1]?.split(':')[0]);
  assert.ok(transitions[1]?.endsWith(':end'), `the second transition is the end: ${transitions.join(' ')}`);
  // Ends on the first frame at least holdMs (1000 ms = 5 frames) after the last active one.
  assert.equal(end, lastActive + 5);
  assert.ok(
    verdicts.slice(firstActive + 1, lastActive + 1).every((v) => v.motion),
    `motion on every frame from the start to the last active one: ${verdicts.map((v) => v.motion).join(',')}`,
  );
});

test('one noisy frame (a blob for a single frame) is no event', () => {
  const analyser = new MotionAnalyser(opts);
  const base = scene();
  const frames = [...stillFrames(5), frame(base, block(30, 20, 15, 15, 250)), ...stillFrames(10)];
  const verdicts = run(analyser, frames);
  assert.equal(verdicts[5]?.kind, 'active');
  assert.ok(
    verdicts.every((v) => !v.motion),
    `no motion on any frame: ${verdicts.map((v) => v.motion).join(',')}`,
  );
});

test('auto-exposure (the whole picture 8 % brighter) is normalised away, not motion, even at sensitivity 100', () => {
  const analyser = new MotionAnalyser({ ...opts, sensitivity: 100 });
  const base = scene();
  const brighter = Uint8Array.from(base, (v) => Math.round(v * 1.08));
  // Without normalisation, a fifth or more of the pixels would differ by more than the 10 grey levels.
  const raw = brighter.filter((v, i) => v - (base[i] as number) > 10).length / base.length;
  assert.ok(raw > 0.2 && raw < 0.5, `raw changed fraction ${raw}`);
  const random = seededNoise(5);
  const verdicts = run(analyser, [...stillFrames(5), ...Array.from({ length: 10 }, () => frame(brighter, undefined, 2, random))]);
  assert.ok(
    verdicts.slice(3).every((v) => v.kind === 'still' && !v.motion),
    verdicts.map((v) => v.kind).join(','),
  );
  assert.ok(Math.abs((verdicts[5]?.gain ?? 0) - 1.08) < 0.03, `gain ${verdicts[5]?.gain}`);
});

test('a day/night switch (most pixels change, not as a gain) is a global change: background re-learnt, no motion', () => {
  const analyser = new MotionAnalyser(opts);
  const base = scene();
  const night = Uint8Array.from(base, (v) => 255 - v);
  const random = seededNoise(9);
  const verdicts = run(analyser, [...stillFrames(5), ...Array.from({ length: 10 }, () => frame(night, undefined, 2, random))]);
  assert.equal(verdicts[5]?.kind, 'global-change');
  assert.ok(
    verdicts.slice(6).every((v) => v.kind === 'learning' || v.kind === 'still'),
    `learning or still after the switch: ${verdicts.map((v) => v.kind).join(',')}`,
  );
  assert.ok(
    verdicts.every((v) => !v.motion),
    `no motion on any frame: ${verdicts.map((v) => v.motion).join(',')}`,
  );
});

test('sensitivity decides about a small faint change; setSensitivity applies to the next frame', () => {
  const base = scene();
  const faint = (): GreyImage[] =>
    Array.from({ length: 6 }, () => frame(base, (d) => block(30, 20, 5, 5, 0)(d) /* 25 px, high contrast */));
  const lowSens = new MotionAnalyser({ ...opts, sensitivity: 1 });
  assert.ok(
    run(lowSens, [...stillFrames(5), ...faint()]).every((v) => !v.motion),
    'sensitivity 1 sees no motion in the small faint change',
  );
  const highSens = new MotionAnalyser({ ...opts, sensitivity: 1 });
  run(highSens, stillFrames(5));
  highSens.setSensitivity(100);
  assert.ok(
    run(highSens, faint(), 1000).some((v) => v.transition === 'start'),
    'sensitivity 100 starts an event on the small faint change',
  );
});

test('expire() ends an event whose frames stopped; reset() forgets it', () => {
  const analyser = new MotionAnalyser(opts);
  const base = scene();
  run(analyser, [...stillFrames(5), frame(base, block(10, 10, 20, 20, 0)), frame(base, block(14, 10, 20, 20, 0))]);
  assert.equal(analyser.motion, true);
  assert.equal(analyser.expire(1200 + 999), undefined);
  assert.equal(analyser.expire(1200 + 1000), 'end');
  assert.equal(analyser.motion, false);
  assert.equal(analyser.expire(5000), undefined);
  analyser.reset();
  assert.equal(analyser.analyse(frame(base), 6000).kind, 'learning');
});
