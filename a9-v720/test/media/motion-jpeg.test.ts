import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeGrey, GreyDecoder } from '../../src/media/motion/grey-image.js';
import { MotionAnalyser, type FrameVerdict } from '../../src/media/motion/motion-analyser.js';
import { loadAllFrames } from '../../src/simulator/frame-library.js';
import { motionClip, MOTION_PROFILES, type MotionClip } from '../../src/simulator/motion-scenes.js';

const clipOptions = { stillBefore: 6, eventFrames: 12, stillAfter: 14 };

/** Decodes every frame of the clip (twice round, as the simulator loops) at 5 fps. */
async function analyseClip(clip: MotionClip, loops = 2): Promise<FrameVerdict[]> {
  const analyser = new MotionAnalyser({ sensitivity: 50, holdMs: 1000 });
  const verdicts: FrameVerdict[] = [];
  let at = 0;
  for (let loop = 0; loop < loops; loop++) {
    for (const jpeg of clip.frames) {
      verdicts.push(analyser.analyse(await decodeGrey(jpeg), at));
      at += 200;
    }
  }
  return verdicts;
}

test('motion clips are real 640×480 JPEGs of at most 30 KB, the same on every run', async () => {
  for (const profile of MOTION_PROFILES) {
    const clip = await motionClip(profile, clipOptions);
    assert.equal(clip.frames.length, 32);
    assert.deepEqual([clip.eventStart, clip.eventEnd], [6, 18]);
    for (const jpeg of clip.frames) {
      assert.ok(jpeg.length <= 30 * 1024, `${profile}: ${jpeg.length} bytes`);
      const meta = await sharp(jpeg).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 640, 480]);
    }
    const again = await motionClip(profile, clipOptions);
    assert.ok(
      again.frames.every((jpeg, i) => jpeg.equals(clip.frames[i] as Buffer)),
      `${profile} is deterministic`,
    );
  }
});

test('real JPEGs: the walking shape is one event per pass, starting during the walk and ending after it', async () => {
  const clip = await motionClip('walk', clipOptions);
  const verdicts = await analyseClip(clip);
  const n = clip.frames.length;
  const transitions = verdicts.flatMap((v, i) => (v.transition ? [{ i, t: v.transition }] : []));
  assert.deepEqual(
    transitions.map((x) => x.t),
    ['start', 'end', 'start', 'end'],
  );
  for (const pass of [0, 1]) {
    const start = transitions[pass * 2]?.i ?? -1;
    const end = transitions[pass * 2 + 1]?.i ?? -1;
    // Within the first few frames of the walk (≤ 1 s at 5 fps), and over only after the walk + hold.
    assert.ok(start >= pass * n + clip.eventStart && start < pass * n + clip.eventStart + 5, `start at ${start}`);
    assert.ok(end >= pass * n + clip.eventEnd + 4, `end at ${end}`);
  }
});

test('real JPEGs: sensor noise and a sudden brightness change are never motion', async () => {
  for (const profile of ['noise', 'lights'] as const) {
    const verdicts = await analyseClip(await motionClip(profile, clipOptions));
    assert.ok(
      verdicts.every((v) => !v.motion),
      `${profile}: ${verdicts.map((v) => v.kind[0]).join('')}`,
    );
    if (profile === 'lights')
      assert.ok(verdicts.filter((v) => v.kind === 'global-change').length >= 2, 'on and off are both global changes');
  }
});

test('decodeGrey: 80×60 from the simulator frames and from other sizes; a broken JPEG rejects', async () => {
  for (const jpeg of loadAllFrames().slice(0, 3)) {
    const grey = await decodeGrey(jpeg);
    assert.deepEqual([grey.width, grey.height, grey.data.length], [80, 60, 4800]);
    assert.ok(
      grey.data.some((v) => v !== grey.data[0]),
      'not a flat image',
    );
  }
  const hd = await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .jpeg()
    .toBuffer();
  assert.equal((await decodeGrey(hd)).data.length, 4800);
  const frame = loadAllFrames()[0] as Buffer;
  await assert.rejects(decodeGrey(frame.subarray(0, 600)));
  await assert.rejects(decodeGrey(Buffer.from('not a jpeg at all')));
});

test('a decoder whose native module cannot load rejects every decode saying so (motion only, nothing else)', async () => {
  const decoder = new GreyDecoder(80, 60, () =>
    Promise.reject(new Error('Could not load the "sharp" module using the linuxmusl-arm64 runtime')),
  );
  const frame = loadAllFrames()[0] as Buffer;
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      decoder.decode(frame),
      /^Error: the JPEG decoder \(sharp\) could not be loaded: Could not load the "sharp" module/,
    );
  }
});
