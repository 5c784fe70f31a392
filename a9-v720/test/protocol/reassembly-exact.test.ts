/**
 * MediaReassembler, exact results: which frames, which drop reasons and details, which counters,
 * which confirm ids — at the limits (exactly at one, one past it), with clocks far from zero and
 * across the u32 wrap of pkg_id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cmd, MsgFlag, type Packet } from '../../src/protocol/header.js';
import { ID_SPAN, JUMP_CONFIRM_PACKETS, MAX_UNCONFIRMED_IDS, MediaReassembler, REORDER_WINDOW_MS } from '../../src/protocol/reassembly.js';
import { audioPacket, fakeJpeg, mediaPacket, recordingReassembler, unflaggedFrame, videoPackets } from '../support/reassembly-fixtures.js';

const W = REORDER_WINDOW_MS;
/** A monotonic clock far from zero: `now - then` mistaken for `now + then` shows at once. */
const T = 1.7e12;

const reasons = (drops: readonly { reason: string }[]): string[] => drops.map((d) => d.reason);

test('constants the confirm pacing and the bounds rely on', () => {
  assert.equal(W, 150);
  assert.equal(ID_SPAN, 1024);
  assert.equal(JUMP_CONFIRM_PACKETS, 4);
  assert.equal(MAX_UNCONFIRMED_IDS, 4096);
});

test('busy, heldPackets, heldBytes and peakHeldBytes follow the window exactly; confirmSent clears the confirm list', () => {
  const { r, frames } = recordingReassembler();
  assert.equal(r.busy, false);
  const p = videoPackets(fakeJpeg(2500), 10);
  assert.equal(p.length, 3);
  r.push(p[0]!, T);
  assert.equal(r.busy, true);
  assert.equal(r.heldPackets, 1);
  assert.equal(r.heldBytes, 1004);
  r.push(p[1]!, T);
  assert.equal(r.heldPackets, 2);
  assert.equal(r.heldBytes, 2008);
  r.push(p[2]!, T);
  assert.equal(frames.length, 1);
  assert.equal(r.heldPackets, 0);
  assert.equal(r.heldBytes, 0);
  assert.equal(r.stats.peakHeldBytes, 2509);
  assert.equal(r.busy, true, 'the delivered ids still wait for a confirm');
  assert.deepEqual(r.confirmIds(), [10, 11, 12]);
  r.confirmSent();
  assert.equal(r.busy, false);
  assert.deepEqual(r.confirmIds(), []);
});

test('push and tick return what they finished, in order: the audio chunk first, then frames and drops; nothing is one shared frozen list', () => {
  const r = new MediaReassembler({ windowMs: W });
  const p = videoPackets(fakeJpeg(2500), 10);
  const nothing = r.push(p[0]!, T);
  // A packet that finishes nothing allocates no list of its own (this runs for every packet).
  assert.equal(r.push(p[1]!, T), nothing, 'the same list');
  assert.deepEqual(nothing, []);
  assert.equal(Object.isFrozen(nothing), true, 'callers cannot add to it');
  assert.equal(r.tick(T), nothing, 'a tick that decides nothing returns it too');
  assert.equal(r.push(mediaPacket(99, 0, 5, Buffer.alloc(4)), T), nothing, 'an unknown command finishes nothing');
  const last = r.push(p[2]!, T);
  assert.deepEqual(
    last.map((f) => f.kind),
    ['frame'],
  );
  assert.deepEqual(last[0], { kind: 'frame', frame: { jpeg: fakeJpeg(2500), firstPkgId: 10, lastPkgId: 12 } });
  // Two adjacent holes wait (they could be a frame boundary); an audio chunk in one of them lets
  // the frame go by its declared size: that push returns the chunk, then the frame.
  const [q0, q1, q2] = videoPackets(fakeJpeg(2500, 2), 13) as [Packet, Packet, Packet];
  r.push(q0, T);
  r.push({ ...q1, pkgId: 16 }, T);
  assert.deepEqual(r.push({ ...q2, pkgId: 17 }, T), []);
  const audio = audioPacket(14);
  assert.deepEqual(r.push(audio, T), [
    { kind: 'audio', audio: { payload: audio.payload, format: 'alaw', pkgId: 14 } },
    { kind: 'frame', frame: { jpeg: fakeJpeg(2500, 2), firstPkgId: 13, lastPkgId: 17 } },
  ]);
  // Two frames finished by one tick: a drop, then the frame behind it, each returned once.
  const a = videoPackets(fakeJpeg(2500, 3), 18);
  const b = videoPackets(fakeJpeg(100, 4), 21);
  r.push(a[0]!, T);
  r.push(a[2]!, T);
  r.push(b[0]!, T);
  const ticked = r.tick(T + W);
  assert.deepEqual(ticked, [
    { kind: 'drop', drop: { reason: 'incomplete', detail: 'frame from pkg 18: 1 packet(s) missing after 150 ms' } },
    { kind: 'frame', frame: { jpeg: fakeJpeg(100, 4), firstPkgId: 21, lastPkgId: 21 } },
  ]);
  assert.deepEqual(r.tick(T + W), [], 'returned once');
});

test('stats is a snapshot: changing it changes nothing inside', () => {
  const { r } = recordingReassembler();
  r.push(audioPacket(1), T);
  const s = r.stats;
  s.audioDelivered = 99;
  s.dropReasons.incomplete = 99;
  s.separateAudioCounter = true;
  assert.equal(r.stats.audioDelivered, 1);
  assert.equal(r.stats.dropReasons.incomplete, 0);
  assert.equal(r.stats.separateAudioCounter, false);
  assert.deepEqual(r.stats, {
    framesDelivered: 0,
    framesDropped: 0,
    dropReasons: {
      incomplete: 0,
      'no-first-fragment': 0,
      restarted: 0,
      oversize: 0,
      overflow: 0,
      jump: 0,
      'no-soi': 0,
      'no-eoi': 0,
      'bad-trailer': 0,
    },
    audioDelivered: 1,
    duplicatePackets: 0,
    latePackets: 0,
    outOfRangePackets: 0,
    resyncs: 0,
    discardedFragments: 0,
    unconfirmedOverflow: 0,
    peakHeldBytes: 0,
    separateAudioCounter: false,
  });
});

test('confirm ids: held and finished ids, video and audio, sorted numerically and without repeats', () => {
  const { r } = recordingReassembler();
  const p = videoPackets(fakeJpeg(3100), 98); // 98, 99, 100, 101: numeric order differs from text order
  r.push(p[0]!, T);
  r.push(p[2]!, T);
  r.push(audioPacket(97), T);
  r.push(p[2]!, T); // duplicate: listed once
  assert.deepEqual(r.confirmIds(), [97, 98, 100]);
  r.confirmSent();
  assert.deepEqual(r.confirmIds(), [98, 100], 'packets still held are listed again');
  r.push(p[1]!, T);
  r.push(p[3]!, T);
  assert.deepEqual(r.confirmIds(), [98, 99, 100, 101]);
});

test('the confirm list holds exactly MAX_UNCONFIRMED_IDS ids; the next one is counted as overflow, not kept', () => {
  const { r } = recordingReassembler();
  for (let i = 0; i < MAX_UNCONFIRMED_IDS; i++) r.push(audioPacket(5000 + i), T + i);
  assert.equal(r.confirmIds().length, MAX_UNCONFIRMED_IDS);
  assert.equal(r.stats.unconfirmedOverflow, 0);
  r.push(audioPacket(5000 + MAX_UNCONFIRMED_IDS), T + MAX_UNCONFIRMED_IDS);
  assert.equal(r.confirmIds().length, MAX_UNCONFIRMED_IDS);
  assert.equal(r.confirmIds().at(-1), 5000 + MAX_UNCONFIRMED_IDS - 1);
  assert.equal(r.stats.unconfirmedOverflow, 1);
  assert.equal(r.stats.audioDelivered, MAX_UNCONFIRMED_IDS + 1, 'audio still plays');
  r.confirmSent();
  r.push(audioPacket(5000 + MAX_UNCONFIRMED_IDS + 1), T + 5000);
  assert.deepEqual(r.confirmIds(), [5000 + MAX_UNCONFIRMED_IDS + 1]);
});

test('audio cursor: duplicate, older, exactly ID_SPAN - 1 ahead (played) and ID_SPAN ahead or behind (out of range)', () => {
  const { r, audio } = recordingReassembler();
  r.push(audioPacket(1000), T);
  r.push(audioPacket(1000), T); // duplicate
  r.push(audioPacket(999), T); // older
  r.push(audioPacket(1000 - ID_SPAN + 1), T); // the oldest id still "behind"
  assert.deepEqual(
    { duplicate: r.stats.duplicatePackets, late: r.stats.latePackets, out: r.stats.outOfRangePackets },
    { duplicate: 1, late: 2, out: 0 },
  );
  r.push(audioPacket(1000 - ID_SPAN), T); // one further: out of range, not late
  assert.deepEqual({ late: r.stats.latePackets, out: r.stats.outOfRangePackets }, { late: 2, out: 1 });
  r.push(audioPacket(1000 + ID_SPAN), T); // ID_SPAN ahead: out of range
  assert.equal(r.stats.outOfRangePackets, 2);
  r.push(audioPacket(1000 + ID_SPAN - 1), T); // ID_SPAN - 1 ahead: plays
  assert.deepEqual(
    audio.map((a) => a.pkgId),
    [1000, 1000 + ID_SPAN - 1],
  );
  assert.equal(r.stats.resyncs, 0);
  assert.equal(r.stats.audioDelivered, 2);
});

test('audio counter jump: JUMP_CONFIRM_PACKETS out-of-range chunks in a row resynchronise (the last one plays), fewer do not', () => {
  const { r, audio } = recordingReassembler();
  r.push(audioPacket(0xffff_fff0), T); // near the wrap
  r.push(audioPacket(5), T + 1); // 21 ahead across the wrap: in range
  for (let i = 0; i < JUMP_CONFIRM_PACKETS - 1; i++) r.push(audioPacket(0x4000_0000 + i), T + 2);
  assert.equal(r.stats.outOfRangePackets, JUMP_CONFIRM_PACKETS - 1);
  assert.equal(r.stats.resyncs, 0);
  r.push(audioPacket(0x4000_0000 + JUMP_CONFIRM_PACKETS - 1), T + 3);
  assert.equal(r.stats.resyncs, 1);
  r.push(audioPacket(0x4000_0000 + JUMP_CONFIRM_PACKETS), T + 4);
  assert.deepEqual(
    audio.map((a) => a.pkgId),
    [0xffff_fff0, 5, 0x4000_0000 + JUMP_CONFIRM_PACKETS - 1, 0x4000_0000 + JUMP_CONFIRM_PACKETS],
  );
});

test('audio jump run: an in-range chunk in between, or out-of-range chunks far from each other, start the count again', () => {
  const { r, audio } = recordingReassembler();
  r.push(audioPacket(100), T);
  r.push(audioPacket(50_000), T);
  r.push(audioPacket(50_001), T);
  r.push(audioPacket(101), T); // in range: the run is cleared
  r.push(audioPacket(50_002), T);
  r.push(audioPacket(50_003), T);
  r.push(audioPacket(50_004), T);
  assert.equal(r.stats.resyncs, 0, 'only three in a row since the in-range chunk');
  // Four out of range, but each ID_SPAN or more from the one before: no agreement, no resync.
  for (const id of [200_000, 200_000 + ID_SPAN, 200_000 + 2 * ID_SPAN, 200_000 + 3 * ID_SPAN]) r.push(audioPacket(id), T);
  assert.equal(r.stats.resyncs, 0);
  assert.equal(r.stats.outOfRangePackets, 9);
  // Four within ID_SPAN - 1 of each other: a jump.
  for (const id of [300_000, 300_000 + ID_SPAN - 1, 300_000 + 2 * (ID_SPAN - 1), 300_000 + 3 * (ID_SPAN - 1)]) r.push(audioPacket(id), T);
  assert.equal(r.stats.resyncs, 1);
  assert.deepEqual(
    audio.map((a) => a.pkgId),
    [100, 101, 300_000 + 3 * (ID_SPAN - 1)],
  );
});

test('video ids: ID_SPAN - 1 ahead of the base is held, ID_SPAN ahead is out of range; one behind is late, ID_SPAN behind out of range', () => {
  const { r } = recordingReassembler();
  const first = videoPackets(fakeJpeg(3000), 0xffff_fe00);
  r.push(first[0]!, T); // base 0xffff_fe00
  const mid = (id: number) => mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, id, Buffer.alloc(10, 0x11));
  r.push(mid((0xffff_fe00 + ID_SPAN - 1) >>> 0), T); // across the wrap, last slot
  assert.equal(r.heldPackets, 2);
  r.push(mid((0xffff_fe00 + ID_SPAN) >>> 0), T);
  assert.equal(r.heldPackets, 2);
  assert.equal(r.stats.outOfRangePackets, 1);
  r.push(mid(0xffff_fdff), T);
  assert.equal(r.stats.latePackets, 1);
  r.push(mid((0xffff_fe00 - ID_SPAN + 1) >>> 0), T);
  assert.equal(r.stats.latePackets, 2);
  r.push(mid((0xffff_fe00 - ID_SPAN) >>> 0), T);
  assert.equal(r.stats.latePackets, 2);
  assert.equal(r.stats.outOfRangePackets, 2);
  // Out-of-range and late ids are confirmed all the same (the camera stops resending them).
  assert.deepEqual(
    r.confirmIds(),
    [
      (0xffff_fe00 + ID_SPAN - 1) >>> 0,
      (0xffff_fe00 + ID_SPAN) >>> 0,
      (0xffff_fe00 - ID_SPAN) >>> 0,
      (0xffff_fe00 - ID_SPAN + 1) >>> 0,
      0xffff_fdff,
      0xffff_fe00,
    ].sort((a, b) => a - b),
  );
});

test('window: a frame missing a fragment waits exactly windowMs from its oldest packet, at a clock of 1.7e12', () => {
  for (const windowMs of [W, 40]) {
    const { r, frames, drops } = recordingReassembler({ windowMs });
    const a = videoPackets(fakeJpeg(3100, 1), 500);
    const b = fakeJpeg(900, 2);
    r.push(videoPackets(fakeJpeg(100, 3), 499)[0]!, T); // a whole frame: the window starts at 500
    r.push(a[1]!, T + 7); // arrives first: the window counts from here
    r.push(a[0]!, T + 20);
    r.push(a[3]!, T + 21);
    for (const x of videoPackets(b, 504)) r.push(x, T + 22);
    r.tick(T + 7 + windowMs - 1);
    assert.deepEqual(drops, [], `windowMs ${windowMs}: not before`);
    assert.equal(frames.length, 1);
    r.tick(T + 7 + windowMs);
    assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 500: 1 packet(s) missing after ${windowMs} ms` }]);
    // The stray last fragment 503 waits out its own window (its first fragment might still come),
    // then goes as the rest of the dropped frame; b follows.
    r.tick(T + 21 + windowMs - 1);
    assert.equal(frames.length, 1);
    r.tick(T + 21 + windowMs);
    assert.equal(r.stats.discardedFragments, 1);
    assert.deepEqual(
      frames.slice(1).map((f) => [f.jpeg, f.firstPkgId, f.lastPkgId]),
      [[b, 504, 504]],
    );
    assert.equal(r.stats.framesDropped, 1);
    assert.equal(r.stats.framesDelivered, 2);
  }
});

test('a whole (255) frame behind a hole waits for the window, then goes on; the hole is dropped as no frame at all', () => {
  const { r, frames, drops } = recordingReassembler();
  const whole = fakeJpeg(500, 3);
  r.push(videoPackets(fakeJpeg(200, 1), 40)[0]!, T); // frame 40 (whole) sets the base
  assert.equal(frames.length, 1);
  const [w] = videoPackets(whole, 42); // 41 missing: could be a whole frame of its own
  r.push(w!, T + 10);
  assert.equal(frames.length, 1);
  r.tick(T + 10 + W - 1);
  assert.equal(frames.length, 1);
  r.tick(T + 10 + W);
  assert.deepEqual(
    frames.map((f) => [f.firstPkgId, f.lastPkgId]),
    [
      [40, 40],
      [42, 42],
    ],
  );
  assert.deepEqual(frames[1]!.jpeg, whole);
  assert.deepEqual(drops, []);
});

test('a whole frame right after a lost audio id on the shared counter goes at once', () => {
  const { r, frames } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 40)[0]!, T);
  r.push(audioPacket(41), T);
  r.push(videoPackets(fakeJpeg(300, 2), 42)[0]!, T);
  assert.deepEqual(
    frames.map((f) => f.firstPkgId),
    [40, 42],
  );
});

test('oversize: a frame of exactly maxFrameBytes (with its tail) is delivered; one byte more is dropped with its size', () => {
  const maxFrameBytes = 3005;
  const exact = fakeJpeg(2996); // 3000 + 5-byte tail = 3005
  {
    const { r, frames, drops } = recordingReassembler({ maxFrameBytes });
    for (const x of videoPackets(exact, 1)) r.push(x, T);
    assert.deepEqual(
      frames.map((f) => f.jpeg),
      [exact],
    );
    assert.deepEqual(drops, []);
  }
  {
    const { r, frames, drops } = recordingReassembler({ maxFrameBytes });
    const over = videoPackets(fakeJpeg(2997), 1);
    for (const x of over) r.push(x, T);
    assert.equal(frames.length, 0);
    assert.deepEqual(drops, [{ reason: 'oversize', detail: 'frame from pkg 1 reached 3006 bytes, cap 3005' }]);
    assert.equal(r.heldPackets, 0);
    // The next frame goes on.
    const next = fakeJpeg(100, 5);
    for (const x of videoPackets(next, 1 + over.length)) r.push(x, T);
    assert.deepEqual(
      frames.map((f) => f.jpeg),
      [next],
    );
  }
});

test('oversize is decided while the frame is still arriving: its remaining fragments are discarded without a second drop', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 2500 });
  const p = videoPackets(fakeJpeg(5000), 1); // 5 fragments of 1004 and 1 of 3
  r.push(p[0]!, T);
  r.push(p[1]!, T);
  assert.deepEqual(drops, []);
  r.push(p[2]!, T); // 3012 bytes held for one frame
  assert.deepEqual(drops, [{ reason: 'oversize', detail: 'frame from pkg 1 reached 3012 bytes, cap 2500' }]);
  for (const x of p.slice(3)) r.push(x, T);
  assert.equal(drops.length, 1);
  assert.equal(r.stats.discardedFragments, p.length - 3);
  const next = fakeJpeg(100, 2);
  for (const x of videoPackets(next, 1 + p.length)) r.push(x, T);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [next],
  );
});

test('a whole (255) frame over maxFrameBytes is dropped as oversize, exactly at the cap it is delivered', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 605 });
  const fits = fakeJpeg(596); // 600 + 5 = 605
  const big = fakeJpeg(597);
  r.push(videoPackets(fits, 1, 2000)[0]!, T);
  r.push(videoPackets(big, 2, 2000)[0]!, T);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [fits],
  );
  assert.deepEqual(drops, [{ reason: 'oversize', detail: 'whole frame at pkg 2 has 606 bytes, cap 605' }]);
});

test('held bytes at the cap: the oldest frame makes room (overflow), its late fragments are discarded, newer frames complete', () => {
  // maxHeldBytes 5000 (over maxFrameBytes 3000): two frames of 3 fragments × 1004 cannot both wait.
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 3100, maxHeldBytes: 5000 });
  const a = videoPackets(fakeJpeg(2500, 1), 10); // 10, 11, 12 (1004, 1004, 501)
  const b = fakeJpeg(2500, 2);
  const pb = videoPackets(b, 13);
  r.push(a[0]!, T);
  r.push(a[1]!, T); // a waits for 12
  r.push(pb[0]!, T);
  r.push(pb[1]!, T);
  assert.equal(r.heldBytes, 4016);
  assert.deepEqual(drops, []);
  r.push(pb[2]!, T); // 4016 + 501 = 4517: fits, b is complete but waits behind a
  assert.equal(frames.length, 0);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.FirstFragment, 16, Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(600, 1)])), T);
  // 4517 + 602 > 5000: a (2008 bytes) goes; then b is delivered at once.
  assert.deepEqual(drops, [{ reason: 'overflow', detail: '5000 bytes held: the oldest frame made room' }]);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
  r.push(a[2]!, T + 1); // a's last fragment, late
  assert.equal(r.stats.latePackets, 1);
  assert.equal(drops.length, 1);
  assert.equal(r.stats.peakHeldBytes, 4517, 'room is made before the new packet is held');
});

test('maxHeldBytes below maxFrameBytes is raised to it: one frame of maxFrameBytes always fits', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 4000, maxHeldBytes: 100 });
  const jpeg = fakeJpeg(3990);
  for (const x of videoPackets(jpeg, 1)) r.push(x, T);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [jpeg],
  );
  assert.deepEqual(drops, []);
});

test('a counter jump with a frame in progress: dropped as jump with its detail; the run resynchronises at its lowest id', () => {
  const { r, frames, drops } = recordingReassembler();
  const half = videoPackets(fakeJpeg(3000, 1), 7000).slice(0, 2);
  for (const x of half) r.push(x, T);
  const after = fakeJpeg(3100, 2);
  // The new ids sit in the same slots as the abandoned ones: those must be free again.
  const p = videoPackets(after, 7000 + 50 * ID_SPAN);
  assert.equal(p.length, JUMP_CONFIRM_PACKETS);
  // The run arrives out of order: its lowest id is the new base, the frame completes.
  for (const i of [1, 0, 3]) r.push(p[i]!, T);
  assert.deepEqual(drops, []);
  assert.equal(r.stats.outOfRangePackets, 3);
  r.push(p[2]!, T);
  assert.deepEqual(drops, [{ reason: 'jump', detail: 'pkg_id jumped to 58201; 2 packet(s) in progress abandoned' }]);
  assert.deepEqual(
    frames.map((f) => [f.jpeg, f.firstPkgId, f.lastPkgId]),
    [[after, 58_200, 58_203]],
  );
  assert.equal(r.stats.resyncs, 1);
  assert.equal(r.stats.duplicatePackets, 0);
  assert.deepEqual(r.confirmIds(), [7000, 7001, 58_200, 58_201, 58_202, 58_203]);
});

test('a counter jump with nothing held is a resync without a drop; a run broken by an in-range packet is no jump', () => {
  const { r, frames, drops } = recordingReassembler();
  const a = fakeJpeg(300, 1);
  r.push(videoPackets(a, 10)[0]!, T);
  const far = videoPackets(fakeJpeg(3100, 2), 77_777);
  r.push(far[0]!, T);
  r.push(far[1]!, T);
  r.push(far[2]!, T);
  const b = fakeJpeg(300, 3);
  r.push(videoPackets(b, 11)[0]!, T); // in range: the run is forgotten
  r.push(far[3]!, T);
  assert.equal(r.stats.resyncs, 0);
  assert.equal(r.stats.outOfRangePackets, 4);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [a, b],
  );
  const c = fakeJpeg(3100, 4);
  for (const x of videoPackets(c, 500_000)) r.push(x, T);
  assert.deepEqual(drops, []);
  assert.equal(r.stats.resyncs, 1);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [a, b, c],
  );
});

test('fragments without their first: dropped once as no-first-fragment after the window; the rest of that frame is discarded', () => {
  const { r, frames, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 20)[0]!, T); // base 20, delivered
  const p = videoPackets(fakeJpeg(4100, 2), 21); // 21..25; 21 never comes
  r.push(p[1]!, T + 5);
  r.push(p[2]!, T + 6);
  r.tick(T + 5 + W - 1);
  assert.deepEqual(drops, []);
  r.tick(T + 5 + W);
  assert.deepEqual(drops, [{ reason: 'no-first-fragment', detail: 'fragment at pkg 22 without the first fragment of its frame' }]);
  assert.equal(r.stats.discardedFragments, 1, 'pkg 23 follows it directly');
  for (const x of p.slice(3)) r.push(x, T + 200);
  assert.equal(drops.length, 1);
  assert.equal(r.stats.discardedFragments, 3);
  const next = fakeJpeg(500, 3);
  for (const x of videoPackets(next, 26)) r.push(x, T + 201);
  assert.deepEqual(
    frames.map((f) => f.jpeg.length),
    [204, next.length],
  );
});

test('a middle fragment directly after a delivered frame is no-first-fragment at once, no waiting', () => {
  const { r, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(200, 1), 20)[0]!, T);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 21, Buffer.alloc(300, 1)), T);
  assert.deepEqual(reasons(drops), ['no-first-fragment']);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.LastFragment, 22, Buffer.alloc(300, 1)), T);
  assert.deepEqual(reasons(drops), ['no-first-fragment']);
  assert.equal(r.stats.discardedFragments, 1);
  // After the last fragment the next stray middle is a new drop.
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 23, Buffer.alloc(300, 1)), T);
  assert.deepEqual(reasons(drops), ['no-first-fragment', 'no-first-fragment']);
});

test('a restarted frame: the new first fragment drops the old one at once (restarted), the new one completes', () => {
  const { r, frames, drops } = recordingReassembler();
  const old = videoPackets(fakeJpeg(3000, 1), 300).slice(0, 2);
  const fresh = fakeJpeg(3000, 2);
  for (const x of [...old, ...videoPackets(fresh, 302)]) r.push(x, T);
  assert.deepEqual(drops, [{ reason: 'restarted', detail: 'frame from pkg 300 ended without a last fragment: a new frame began' }]);
  assert.deepEqual(
    frames.map((f) => [f.firstPkgId, f.lastPkgId]),
    [[302, 304]],
  );
});

test('no last fragment and a hole before the next frame: incomplete at the window, not restarted', () => {
  const { r, frames, drops } = recordingReassembler();
  const a = videoPackets(fakeJpeg(3000, 1), 300); // 300..303
  const b = fakeJpeg(300, 2);
  r.push(a[0]!, T);
  r.push(a[1]!, T);
  // 302 and 303 lost; b is whole at 304
  r.push(videoPackets(b, 304)[0]!, T);
  r.tick(T + W - 1);
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 300: no last fragment after ${W} ms` }]);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
});

test('a first fragment alone with nothing after it: incomplete at the window, no last fragment', () => {
  const { r, drops } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(3000, 1), 5)[0]!, T);
  r.tick(T + W - 1);
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(drops, [{ reason: 'incomplete', detail: `frame from pkg 5: no last fragment after ${W} ms` }]);
  assert.equal(r.heldPackets, 0);
  // Its remaining fragments come late and are late packets, not new drops.
  r.push(videoPackets(fakeJpeg(3000, 1), 5)[1]!, T + W + 1);
  assert.equal(r.stats.latePackets, 0, 'id 6 is past the released first fragment: it is the frame rest, discarded');
  assert.equal(r.stats.discardedFragments, 1);
  assert.equal(drops.length, 1);
});

test('complete frames that are not JPEGs are dropped with the JPEG problem as reason', () => {
  const { r, frames, drops } = recordingReassembler();
  const notJpeg = Buffer.alloc(2000, 0x41);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.FirstFragment, 1, notJpeg.subarray(0, 1000)), T);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.LastFragment, 2, notJpeg.subarray(1000)), T);
  assert.deepEqual(drops, [{ reason: 'no-soi', detail: 'frame pkg 1..2: 2000 bytes not starting with FFD8' }]);
  assert.equal(r.stats.dropReasons['no-soi'], 1);
  assert.deepEqual(frames, []);
});

test('reset forgets the window, the audio cursor, the jump runs and the confirm list, not the counters', () => {
  const { r, frames, audio } = recordingReassembler();
  r.push(audioPacket(40_000), T);
  // Held in the slots of ids 3 and 4, which the restarted stream uses again.
  for (const x of videoPackets(fakeJpeg(3000, 1), 3 + 40 * ID_SPAN).slice(0, 2)) r.push(x, T);
  r.push(audioPacket(3 + 40 * ID_SPAN), T); // the id of a held video packet: a separate audio counter
  assert.equal(r.stats.separateAudioCounter, true);
  r.push(audioPacket(1), T); // out of range, one of a run
  r.reset();
  assert.equal(r.stats.separateAudioCounter, false, 'the restarted stream is judged afresh');
  assert.equal(r.busy, false);
  assert.deepEqual(r.confirmIds(), []);
  assert.equal(r.heldPackets, 0);
  assert.equal(r.heldBytes, 0);
  r.push(audioPacket(39_999), T + 1); // older than the old cursor: plays after a reset
  assert.deepEqual(
    audio.map((a) => a.pkgId),
    [40_000, 3 + 40 * ID_SPAN, 39_999],
  );
  const b = fakeJpeg(300, 2);
  const c = fakeJpeg(300, 3);
  r.push(videoPackets(b, 3)[0]!, T + 1);
  r.push(videoPackets(c, 4)[0]!, T + 1);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b, c],
  );
  assert.equal(r.stats.duplicatePackets, 0);
  assert.equal(r.stats.outOfRangePackets, 1);
});

test('non-media packets (cmd 0 JSON, cmd 100 heartbeat) are ignored', () => {
  const { r } = recordingReassembler();
  r.push(mediaPacket(Cmd.Json, 0, 5, Buffer.from('{}')), T);
  r.push(mediaPacket(Cmd.Heartbeat, 0, 6, Buffer.alloc(0)), T);
  assert.equal(r.busy, false);
  assert.deepEqual(r.confirmIds(), []);
});

test('pcm16 chunks (cmd 6) are passed on byte-exact with their id', () => {
  const { r, audio } = recordingReassembler();
  const pcm = mediaPacket(Cmd.Pcm, MsgFlag.Whole, 0xffff_ffff, Buffer.from([1, 2, 3, 4]));
  r.push(pcm, T);
  r.push(audioPacket(0, 9), T + 1); // wraps: newer
  assert.deepEqual(
    audio.map((a) => [a.format, a.pkgId, [...a.payload]]),
    [
      ['pcm16', 0xffff_ffff, [1, 2, 3, 4]],
      ['alaw', 0, Array.from({ length: 160 }, () => 9)],
    ],
  );
});

test('audio before the first video packet: up to ID_SPAN ids are kept and fill holes of the first frame, older ones are forgotten', () => {
  for (const before of [ID_SPAN, ID_SPAN + 1]) {
    const { r, frames, drops } = recordingReassembler();
    // Audio 100 inside the coming frame first, then far-away ids (a separate counter's, say).
    r.push(audioPacket(100), T);
    for (let i = 1; i < before; i++) r.push(audioPacket(50_000 + i), T);
    const jpeg = fakeJpeg(1500);
    const [first, last] = unflaggedFrame(jpeg, 99, 101);
    r.push(first, T);
    r.push(last, T);
    if (before === ID_SPAN) {
      assert.deepEqual(
        frames.map((f) => [f.jpeg, f.firstPkgId, f.lastPkgId]),
        [[jpeg, 99, 101]],
        'id 100 is known audio: delivered at once',
      );
    } else {
      assert.equal(frames.length, 0, 'id 100 was forgotten: the frame waits for it');
      r.tick(T + W);
      assert.deepEqual(reasons(drops), ['incomplete']);
    }
  }
});

test("audio before video outside the first frame's range (behind it, or ID_SPAN ahead) fills no hole", () => {
  for (const audioId of [98, 99 + ID_SPAN + 1]) {
    const { r, frames } = recordingReassembler();
    r.push(audioPacket(audioId), T);
    const [first, last] = unflaggedFrame(fakeJpeg(1500), 99, 101);
    r.push(first, T);
    r.push(last, T);
    assert.equal(frames.length, 0, `audio ${audioId}`);
  }
});

test('an audio packet outside the frames in progress does not run the window out; one inside a hole does decide at once', () => {
  const { r, frames, drops } = recordingReassembler();
  const [first, last] = unflaggedFrame(fakeJpeg(1500), 10, 12);
  r.push(first, T);
  r.push(last, T);
  r.push(audioPacket(40), T + W); // past the held ids: nothing to decide
  assert.deepEqual(drops, []);
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['incomplete']);
  const second = recordingReassembler();
  const jpeg = fakeJpeg(1500, 2);
  const [f2, l2] = unflaggedFrame(jpeg, 10, 12);
  second.r.push(f2, T);
  second.r.push(l2, T);
  assert.equal(second.frames.length, 0);
  second.r.push(audioPacket(11), T + 1); // the hole was audio: delivered on this call
  assert.deepEqual(
    second.frames.map((f) => f.jpeg),
    [jpeg],
  );
  assert.equal(frames.length, 0);
});

test('an audio id exactly ID_SPAN ahead of the window is no collision with the packet in its slot', () => {
  const { r } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(3000), 10)[0]!, T);
  r.push(audioPacket(10 + ID_SPAN), T);
  assert.equal(r.stats.separateAudioCounter, false);
  r.push(audioPacket(10 + ID_SPAN - 1), T + 1); // older than the cursor: late, ignored
  r.push(audioPacket(10), T + 2); // far behind the cursor: out of range for audio, but its id is the held video's
  assert.equal(r.stats.separateAudioCounter, true);
});

test('confirmIds leaves the confirm list as it is: held ids do not count against its cap', () => {
  const { r } = recordingReassembler();
  r.push(videoPackets(fakeJpeg(3000), 10)[0]!, T); // held, not yet in the confirm list
  for (let i = 0; i < MAX_UNCONFIRMED_IDS - 1; i++) r.push(audioPacket(20_000 + i), T);
  assert.equal(r.confirmIds().length, MAX_UNCONFIRMED_IDS);
  assert.equal(r.confirmIds().length, MAX_UNCONFIRMED_IDS);
  r.push(audioPacket(20_000 + MAX_UNCONFIRMED_IDS), T);
  assert.equal(r.stats.unconfirmedOverflow, 0, 'the list had one place left');
  r.push(audioPacket(20_001 + MAX_UNCONFIRMED_IDS), T);
  assert.equal(r.stats.unconfirmedOverflow, 1);
});

test('oversize with a hole: dropped through the hole; what lies past it is judged on its own', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 2500 });
  const p = videoPackets(fakeJpeg(5000), 1); // 1..5 (and 6, 3 bytes)
  r.push(p[0]!, T);
  r.push(p[2]!, T); // 2 missing
  r.push(p[3]!, T); // 3012 bytes: over
  assert.deepEqual(drops, [{ reason: 'oversize', detail: 'frame from pkg 1 reached 3012 bytes, cap 2500' }]);
  assert.equal(r.heldPackets, 2, 'ids 3 and 4 stay: they lie past the hole');
  assert.deepEqual(r.confirmIds(), [1, 3, 4]);
});

test('oversize of a complete frame: released through its last fragment; the next frame, already here, is delivered', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 2500 });
  const a = videoPackets(fakeJpeg(3000, 1), 1); // 1, 2, 3 (1004, 1004, 1001)
  const b = fakeJpeg(300, 2);
  r.push(a[0]!, T);
  r.push(videoPackets(b, 4)[0]!, T); // b (whole) before a is complete
  r.push(a[1]!, T);
  assert.deepEqual(drops, []);
  r.push(a[2]!, T);
  assert.deepEqual(drops, [{ reason: 'oversize', detail: 'frame from pkg 1 reached 3009 bytes, cap 2500' }]);
  assert.deepEqual(
    frames.map((f) => [f.jpeg, f.firstPkgId]),
    [[b, 4]],
  );
});

test('held bytes at the cap while a frame has a hole: the resend for the hole comes after its frame made room and is late', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 3500, maxHeldBytes: 3500 });
  const a = videoPackets(fakeJpeg(1900, 1), 10); // 10, 11 (1004, 905 bytes)
  assert.equal(a.length, 2);
  r.push(a[0]!, T); // 10 F
  const b = videoPackets(fakeJpeg(3100, 2), 12); // 12..15
  r.push(b[0]!, T); // 12 F: 11 (a's last) is missing
  r.push(b[1]!, T);
  assert.equal(r.heldBytes, 3012); // 10, 12, 13
  // a's last (11, 905 bytes) would make 3917: a goes first — and 11 with it.
  r.push(a[1]!, T + 1);
  assert.deepEqual(drops, [{ reason: 'overflow', detail: '3500 bytes held: the oldest frame made room' }]);
  assert.equal(r.stats.latePackets, 1);
  assert.equal(r.heldPackets, 2);
  assert.deepEqual(r.confirmIds(), [10, 11, 12, 13]);
});

test('held bytes at the cap inside one long frame: the front goes; its next fragments are discarded, not counted again', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 3000, maxHeldBytes: 3000 });
  const p = videoPackets(fakeJpeg(4500, 1), 10); // 10..14
  r.push(p[0]!, T);
  r.push(p[1]!, T);
  r.push(p[2]!, T); // 3012 > 3000: 10 and 11 go, 12 is held
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.stats.discardedFragments, 1, '12 is the rest of the dropped frame');
  r.push(p[3]!, T);
  r.push(p[4]!, T);
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.stats.discardedFragments, 3);
  const next = fakeJpeg(500, 2);
  r.push(videoPackets(next, 15)[0]!, T);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [next],
  );
  // After the last fragment a stray middle fragment is a drop of its own again.
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 16, Buffer.alloc(100, 1)), T);
  assert.deepEqual(reasons(drops), ['overflow', 'no-first-fragment']);
});

test('held bytes at the cap with a whole frame waiting at the front: only that frame goes', () => {
  const { r, frames, drops } = recordingReassembler({ maxFrameBytes: 2100, maxHeldBytes: 2100 });
  r.push(videoPackets(fakeJpeg(100, 1), 10)[0]!, T); // delivered, base 11
  const whole = videoPackets(fakeJpeg(1000, 2), 12, 2000)[0]!; // 11 unknown: it waits
  r.push(whole, T);
  // 14, a middle fragment whose first (13) is missing, waits too.
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 14, Buffer.alloc(600, 1)), T);
  assert.equal(frames.length, 1);
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.FirstFragment, 20, Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(600, 2)])), T);
  assert.deepEqual(reasons(drops), ['overflow']);
  assert.equal(r.heldPackets, 2, '14 and 20 stay');
  assert.deepEqual(r.confirmIds(), [10, 12, 14, 20]);
});

test('a whole frame dropped as oversize ends the frame before it: a stray middle fragment after it is a new drop', () => {
  const { r, drops } = recordingReassembler({ maxFrameBytes: 1100 });
  const a = videoPackets(fakeJpeg(3000, 1), 10); // 10, 11, 12
  r.push(a[0]!, T);
  r.push(videoPackets(fakeJpeg(2000, 2), 13, 4000)[0]!, T); // whole at 13, over the cap
  r.tick(T + W); // a is incomplete; its last fragment (12) never comes
  assert.deepEqual(reasons(drops), ['incomplete', 'oversize']);
  assert.equal(drops[1]!.detail, 'whole frame at pkg 13 has 2009 bytes, cap 1100');
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 14, Buffer.alloc(100, 1)), T + W);
  assert.deepEqual(reasons(drops), ['incomplete', 'oversize', 'no-first-fragment']);
});

test('a delivered frame ends the dropped one before it: a stray middle fragment after it is a new drop', () => {
  const { r, frames, drops } = recordingReassembler();
  const a = videoPackets(fakeJpeg(3000, 1), 10); // 10, 11, 12
  r.push(a[0]!, T);
  const b = fakeJpeg(300, 2);
  r.push(videoPackets(b, 13)[0]!, T);
  r.tick(T + W);
  assert.deepEqual(reasons(drops), ['incomplete']);
  assert.deepEqual(
    frames.map((f) => f.jpeg),
    [b],
  );
  r.push(mediaPacket(Cmd.JpegFragment, MsgFlag.MiddleFragment, 14, Buffer.alloc(100, 1)), T + W);
  assert.deepEqual(reasons(drops), ['incomplete', 'no-first-fragment']);
});
