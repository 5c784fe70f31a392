/**
 * MediaReassembler, the less travelled paths, exactly: when a push decides and when only the tick
 * does, the held-bytes cap at and past its limit, stray fragments, audio ids around the window,
 * and which frame makes room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cmd, MsgFlag } from '../../src/protocol/header.js';
import { ID_SPAN, JUMP_CONFIRM_PACKETS, REORDER_WINDOW_MS } from '../../src/protocol/reassembly.js';
import { audioPacket, fakeJpeg, mediaPacket, recordingReassembler, unflaggedFrame, videoPackets } from '../support/reassembly-fixtures.js';

const W = REORDER_WINDOW_MS;
const T = 1.7e12;

const reasons = (drops: readonly { reason: string }[]): string[] => drops.map((d) => d.reason);
const middle = (id: number, bytes = 100) => mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, id, Buffer.alloc(bytes, 1));
const last = (id: number, bytes = 100) => mediaPacket(Cmd.JpegFragment, MsgFlag.LastFragment, id, Buffer.alloc(bytes, 1));
const first = (id: number, bytes = 100) =>
  mediaPacket(Cmd.JpegFragment, MsgFlag.FirstFragment, id, Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(bytes - 2, 2)]));

test('audio jump right after the first chunk: exactly JUMP_CONFIRM_PACKETS out-of-range chunks resynchronise', () => {
  const { r } = recordingReassembler();
  r.push(audioPacket(100), T);
  for (let i = 0; i < JUMP_CONFIRM_PACKETS - 1; i++) r.push(audioPacket(90_000 + i), T);
  assert.equal(r.stats.resyncs, 0);
  r.push(audioPacket(90_000 + JUMP_CONFIRM_PACKETS - 1), T);
  assert.equal(r.stats.resyncs, 1);
});

test('audio jump run restarted by a far id: it takes JUMP_CONFIRM_PACKETS more close ones, not fewer', () => {
  const { r } = recordingReassembler();
  r.push(audioPacket(100), T);
  r.push(audioPacket(200_000), T);
  r.push(audioPacket(300_000), T); // far from the previous one: the run starts again here
  r.push(audioPacket(300_001), T);
  r.push(audioPacket(300_002), T);
  assert.equal(r.stats.resyncs, 0);
  r.push(audioPacket(300_003), T);
  assert.equal(r.stats.resyncs, 1);
});

test('audio before the first video packet with the id of that packet: a separate audio counter', () => {
  const { r } = recordingReassembler();
  r.push(audioPacket(99), T);
  r.push(videoPackets(fakeJpeg(3000), 99)[0]!, T);
  assert.equal(r.stats.separateAudioCounter, true);
});

test('audio before video: an out-of-range id in the same slot does not hide the in-range one', () => {
  const { r, frames } = recordingReassembler();
  r.push(audioPacket(100), T);
  r.push(audioPacket(100 + 5 * ID_SPAN), T); // same slot, out of the first frame's range ahead
  r.push(audioPacket((100 - 5 * ID_SPAN) >>> 0), T); // and behind
  const jpeg = fakeJpeg(1500);
  const [f, l] = unflaggedFrame(jpeg, 99, 101);
  r.push(f, T);
  r.push(l, T);
  assert.deepEqual(
    frames.map((x) => x.jpeg),
    [jpeg],
  );
});

test('packets that cannot change a decision do not run windows out; only the tick does (late, out of range, duplicate)', () => {
  const pushes = [
    ['late', videoPackets(fakeJpeg(300, 9), 9)[0]!],
    ['out of range', middle(50_000)],
    ['duplicate', first(10, 1004)],
  ] as const;
  for (const [what, extra] of pushes) {
    const { r, drops } = recordingReassembler();
    r.push(first(10, 1004), T);
    r.push(last(12), T); // 11 missing
    r.push(extra, T + W);
    assert.deepEqual(drops, [], what);
    r.tick(T + W);
    assert.deepEqual(reasons(drops), ['incomplete'], what);
  }
});

test('a middle fragment appended behind a frame in progress runs no window out, even when the frame reaches exactly maxFrameBytes', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 1200 });
  r.push(first(10, 1000), T);
  r.push(middle(11, 200), T + W); // 1200 bytes: at the cap, not over
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 10: no last fragment after ${W} ms` }]);
});

test('a packet that arrives after its frame was dropped to make room is late, and decides nothing', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 3500, maxHeldBytes: 3500 });
  r.push(first(10, 1004), T); // a: 10, [11 missing]
  r.push(first(12, 1004), T); // b: 12, 13, [14 missing]
  r.push(middle(13, 1004), T);
  r.push(first(20, 300), T); // c waits behind b
  r.push(last(11, 905), T + W); // 3312 + 905 > 3500: a makes room, 11 is late
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.stats.latePackets, 1);
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['overflow', 'incomplete', 'incomplete']);
});

test('the held-bytes cap: exactly at it nothing is dropped; a single packet over it is held alone and judged', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 3012, maxHeldBytes: 3012 });
  r.push(first(10, 1004), T);
  r.push(middle(11, 1004), T);
  r.push(middle(12, 1004), T);
  assert.equal(r.heldBytes, 3012);
  assert.deepEqual(drops, []);
  const lone = recordingReassembler({ maxFrameBytes: 1000, maxHeldBytes: 1000 });
  lone.r.push(videoPackets(fakeJpeg(1500), 1, 2000)[0]!, T);
  assert.deepEqual(lone.drops, [{ reason: 'oversize', detail: 'whole frame at pkg 1 has 1509 bytes, cap 1000' }]);
  assert.equal(lone.r.heldBytes, 0);
  assert.equal(lone.r.stats.peakHeldBytes, 1509);
});

test('a whole frame behind two audio ids is delivered at once', () => {
  const { r, frames } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 40)[0]!, T); // base 41
  r.push(audioPacket(41), T);
  r.push(audioPacket(42), T);
  const jpeg = fakeJpeg(300, 2);
  r.push(videoPackets(jpeg, 43)[0]!, T);
  assert.deepEqual(
    frames.map((f) => f.firstPkgId),
    [40, 43],
  );
});

test('after a frame dropped before its last fragment, one unknown id before a whole frame is that last fragment; two may hide a frame', () => {
  for (const unknown of [1, 2]) {
    const { r, frames, drops } = recordingReassembler();
    r.push(first(10, 1004), T);
    r.push(middle(11), T);
    // The whole frame follows 12 (unknown 1) or 12..13 (unknown 2).
    r.push(videoPackets(fakeJpeg(300, 2), 12 + unknown)[0]!, T + W - 1);
    r.tick(T + W);
    assert.deepEqual(reasons(drops), ['incomplete'], `unknown ${unknown}`);
    assert.equal(frames.length, unknown === 1 ? 1 : 0, `unknown ${unknown}: delivered at once only with one unknown id`);
    r.tick(T + 2 * W - 2);
    assert.equal(frames.length, unknown === 1 ? 1 : 0);
    r.tick(T + 2 * W - 1);
    assert.equal(frames.length, 1, 'at the end of its own window at the latest');
  }
});

test('stray short fragments: a flagged one is a drop even when tiny; an unflagged tail piece (<= 8 bytes, no FFD8/FFD9) is discarded', () => {
  const { r, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 10)[0]!, T); // base 11
  r.push(middle(11, 5), T);
  assert.deepEqual(reasons(drops), ['no-first-fragment']);
  const unflaggedLast = recordingReassembler();
  unflaggedLast.r.push(videoPackets(fakeJpeg(200, 1), 10)[0]!, T);
  unflaggedLast.r.push(mediaPacket(Cmd.JpegFragment, 0, 11, Buffer.from([1, 0xff, 0xd9, 0, 0, 0, 0])), T); // ends with FFD9 + 4: a last fragment
  assert.deepEqual(reasons(unflaggedLast.drops), ['no-first-fragment']);
  const tail = recordingReassembler();
  tail.r.push(videoPackets(fakeJpeg(200, 1), 10)[0]!, T);
  tail.r.push(mediaPacket(Cmd.JpegFragment, 0, 11, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])), T);
  assert.deepEqual(tail.drops, []);
  assert.equal(tail.r.stats.discardedFragments, 1);
  // The tail piece ends no frame that was being dropped: a stray middle fragment after it is a drop of its own.
  tail.r.push(middle(12), T);
  assert.deepEqual(reasons(tail.drops), ['no-first-fragment']);
  assert.equal(tail.r.stats.discardedFragments, 1);
  const nine = recordingReassembler();
  nine.r.push(videoPackets(fakeJpeg(200, 1), 10)[0]!, T);
  nine.r.push(mediaPacket(Cmd.JpegFragment, 0, 11, Buffer.alloc(9, 3)), T); // 9 bytes: not a tail
  assert.deepEqual(reasons(nine.drops), ['no-first-fragment']);
});

test('the window counts from the oldest packet up to the first hole: a late-arriving first fragment does not restart it', () => {
  const { r, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 9)[0]!, T - 100); // base 10
  const p = videoPackets(fakeJpeg(5000, 2), 10); // 10..14
  r.push(p[1]!, T); // 11 first
  r.push(p[0]!, T + 20);
  r.push(p[2]!, T + 30);
  r.push(p[4]!, T + 40); // 13 missing
  r.tick(T + W - 1);
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['incomplete']);
});

test('an oversize complete frame goes through its last fragment: nothing of it is left to discard, a stray fragment after it is a drop', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 2500 });
  for (const x of videoPackets(fakeJpeg(3000, 1), 1)) r.push(x, T); // 1, 2, 3: 3009 bytes
  assert.deepEqual(reasons(drops), ['oversize']);
  assert.equal(r.stats.discardedFragments, 0);
  assert.equal(r.heldPackets, 0);
  r.push(middle(4), T);
  assert.deepEqual(reasons(drops), ['oversize', 'no-first-fragment']);
});

test('a multi-fragment frame must carry its tail: without one it is dropped (no-eoi); a whole frame may end at its FFD9', () => {
  const { r, frames, drops } = recordingReassembler();
  const jpeg = fakeJpeg(1500);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.FirstFragment, 1, jpeg.subarray(0, 1000)), T);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.LastFragment, 2, jpeg.subarray(1000)), T);
  assert.deepEqual(drops, [{ reason: 'no-eoi', detail: 'frame pkg 1..2: no FFD9 in 1504 bytes' }]);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.Whole, 3, jpeg), T);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
});

test('an audio id in a frame that does not check out: the frame waits for the video fragment with that id (separate counter), then is delivered', () => {
  const { r, frames, drops } = recordingReassembler();
  const jpeg = fakeJpeg(2500);
  const p = videoPackets(jpeg, 1); // 1, 2, 3
  r.push(p[0]!, T);
  r.push(audioPacket(2), T); // a separate counter's id that happens to be 2
  r.push(p[2]!, T);
  assert.equal(frames.length, 0);
  assert.deepEqual(drops, []);
  r.push(p[1]!, T + 10);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
  assert.equal(r.stats.separateAudioCounter, true);
});

test('a whole frame is delivered without a copy (a view of its packet); a frame of several fragments is joined into its own bytes', () => {
  const { r, frames } = recordingReassembler();
  const [whole] = videoPackets(fakeJpeg(800), 1, 2000);
  r.push(whole!, T);
  whole!.payload[10] = 0x00;
  assert.equal(frames[0]!.jpeg[10], 0x00, 'the same memory');
  const p = videoPackets(fakeJpeg(1500), 2);
  for (const x of p) r.push(x, T);
  p[0]!.payload[10] = 0x00;
  assert.deepEqual(frames[1]!.jpeg, fakeJpeg(1500), 'its own copy');
});

test('making room: a stray last fragment at the front goes alone; what follows it stays', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 2100, maxHeldBytes: 2100 });
  r.push(videoPackets(fakeJpeg(100, 1), 10)[0]!, T); // base 11
  r.push(last(12, 900), T); // waits: 11 unknown
  r.push(middle(14, 600), T); // waits too
  r.push(first(20, 700), T); // 2200 > 2100
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.heldPackets, 2);
  assert.deepEqual(r.confirmIds(), [10, 12, 14, 20]);
});

test('making room: a complete frame waiting at the front goes through its last fragment; a fragment after it stays', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 3000, maxHeldBytes: 3000 });
  r.push(videoPackets(fakeJpeg(100, 1), 10)[0]!, T); // base 11
  const p = videoPackets(fakeJpeg(1500, 2), 12); // 12, 13: waits behind unknown 11
  for (const x of p) r.push(x, T);
  r.push(middle(15, 900), T); // 14 unknown
  r.push(first(20, 700), T); // 1509 + 900 + 700 > 3000
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.heldPackets, 2, '15 and 20 stay');
  // 15 is no part of the dropped frame (its last fragment was held): a drop of its own later.
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['overflow', 'no-first-fragment', 'incomplete']);
});

test('making room: an unfinished frame at the front goes up to the next whole frame, which stays', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 2500, maxHeldBytes: 2500 });
  r.push(first(10, 1004), T);
  r.push(middle(11, 1004), T); // 12.. missing
  const whole = fakeJpeg(300, 3);
  r.push(videoPackets(whole, 14)[0]!, T); // waits behind 10..13
  r.push(first(20, 300), T); // 2008 + 309 + 300 > 2500
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [whole],
    'the whole frame was not part of the dropped one',
  );
});

test('a second jump right after a resync again takes JUMP_CONFIRM_PACKETS packets (audio and video)', () => {
  const { r } = recordingReassembler();
  r.push(audioPacket(100), T);
  for (let i = 0; i < JUMP_CONFIRM_PACKETS; i++) r.push(audioPacket(90_000 + i), T);
  assert.equal(r.stats.resyncs, 1);
  for (let i = 0; i < JUMP_CONFIRM_PACKETS - 1; i++) r.push(audioPacket(500_000 + i), T);
  assert.equal(r.stats.resyncs, 1);
  r.push(audioPacket(500_000 + JUMP_CONFIRM_PACKETS - 1), T);
  assert.equal(r.stats.resyncs, 2);
  const v = recordingReassembler();
  v.r.push(first(10), T);
  for (let i = 0; i < JUMP_CONFIRM_PACKETS; i++) v.r.push(middle(90_000 + i), T);
  assert.equal(v.r.stats.resyncs, 1);
  for (let i = 0; i < JUMP_CONFIRM_PACKETS - 1; i++) v.r.push(middle(500_000 + i), T);
  assert.equal(v.r.stats.resyncs, 1);
  v.r.push(middle(500_000 + JUMP_CONFIRM_PACKETS - 1), T);
  assert.equal(v.r.stats.resyncs, 2);
});

test('after a resync or a reset nothing is being discarded: fragments without their first are one drop', () => {
  const { r, drops } = recordingReassembler();
  r.push(first(10), T);
  r.push(middle(11), T);
  r.tick(T + W); // incomplete, its rest is being discarded
  assert.deepEqual(reasons(drops), ['incomplete']);
  // The counter jumps into the middle of a frame: middles, then its last.
  for (const id of [90_000, 90_001, 90_002]) r.push(middle(id), T + W);
  r.push(last(90_003), T + W);
  assert.deepEqual(reasons(drops), ['incomplete', 'no-first-fragment']);
  assert.equal(r.stats.discardedFragments, 3);
  const z = recordingReassembler();
  z.r.push(first(10), T);
  z.r.push(middle(11), T);
  z.r.tick(T + W);
  z.r.reset();
  z.r.push(middle(5), T + W);
  assert.deepEqual(reasons(z.drops), ['incomplete', 'no-first-fragment']);
});

test('once audio has its own counter, its ids fill no holes: a lost video fragment is reported missing, not a broken JPEG', () => {
  const { r, drops } = recordingReassembler();
  r.push(first(10), T);
  r.push(audioPacket(10), T); // collision: separate counter
  assert.equal(r.stats.separateAudioCounter, true);
  r.push(last(12), T);
  r.push(audioPacket(11), T); // a separate counter's id inside the frame: not its missing fragment
  r.tick(T + W);
  assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 10: 1 packet(s) missing after ${W} ms` }]);
  // An audio id behind the window whose slot holds a video packet is no collision either.
  const b = recordingReassembler();
  b.r.push(first(10 + ID_SPAN), T); // base 10 + ID_SPAN
  b.r.push(audioPacket(10), T + W); // behind the window; same slot as the held packet
  assert.equal(b.r.stats.separateAudioCounter, false);
  assert.deepEqual(b.drops, [], 'and it ran no window out');
});

test('an audio id just past the held ids runs no window out', () => {
  const { r, drops } = recordingReassembler();
  r.push(first(10), T);
  r.push(last(12), T); // held ids 10..12, heldEnd 3
  r.push(audioPacket(13), T + W);
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['incomplete']);
});

test('after a frame is delivered with the next one already arriving, a middle fragment appended to the next one still decides nothing', () => {
  const { r, frames, drops } = recordingReassembler();
  const a = videoPackets(fakeJpeg(1500, 1), 10); // 10, 11
  r.push(a[0]!, T);
  r.push(first(12), T); // the next frame begins before a's last fragment
  r.push(a[1]!, T); // a is delivered; 12 stays at the front
  assert.equal(frames.length, 1);
  r.push(middle(13), T + W);
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 12: no last fragment after ${W} ms` }]);
});

test("packets past the first hole do not start the window: they may be the next frame's", () => {
  const { r, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(100, 1), 9)[0]!, T - 100); // base 10
  r.push(last(12), T); // arrives first, behind the hole at 11
  r.push(first(10), T + 20);
  r.tick(T + W);
  assert.deepEqual(drops, []);
  r.tick(T + 20 + W - 1);
  assert.deepEqual(drops, []);
  r.tick(T + 20 + W);
  assert.deepEqual(reasons(drops), ['incomplete']);
});
