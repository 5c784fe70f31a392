/**
 * The decision on the window's front, as a pure function of a scan, the front state and the
 * time: every branch, with the exact decision (offsets, ids, reason, detail, the state after).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FragmentRole } from '../../src/protocol/fragments.js';
import { decideFront, decideOverflow, type DecisionLimits, type FrontDecision } from '../../src/protocol/reassembly-decision.js';
import type { FrontScan, HeldPacket } from '../../src/protocol/reassembly-scan.js';

const T = 1_000;
const LIMITS: DecisionLimits = { windowMs: 150, maxFrameBytes: 1000 };
/** The first moment the window has run out for a frame whose oldest packet arrived at T. */
const EXPIRED = T + LIMITS.windowMs;
const { First, Middle, Last, Whole } = FragmentRole;
const WAIT: FrontDecision = { kind: 'wait' };

const held = (role: FragmentRole, extra: Partial<HeldPacket> = {}): HeldPacket => ({
  id: 500,
  role,
  unflagged: false,
  payload: Buffer.alloc(100),
  arrivedAt: T,
  ...extra,
});

/** A scan of `head` at offset 0 with nothing else found, overridden field by field. */
function scanOf(head: HeldPacket, extra: Partial<FrontScan> = {}): FrontScan {
  return {
    headOffset: 0,
    head,
    gapUnknown: 0,
    bytes: head.payload.length,
    oldest: head.arrivedAt,
    holes: 0,
    firstHole: undefined,
    adjacentHoles: false,
    audioInside: false,
    lastOffset: undefined,
    nextOffset: undefined,
    frameEnd: 1,
    sizeFits: false,
    ...extra,
  };
}

const deliver = (extra: Partial<Extract<FrontDecision, { kind: 'deliver' }>>): FrontDecision => ({
  kind: 'deliver',
  from: 0,
  upTo: 1,
  firstPkgId: 500,
  lastPkgId: 500,
  unflagged: false,
  whole: false,
  onBadJpeg: 'drop',
  ...extra,
});

test('a whole frame: delivered at once when nothing unknown lies before it, else when its window runs out', () => {
  assert.deepEqual(decideFront(scanOf(held(Whole)), 'open', T, LIMITS), deliver({ whole: true }));
  const behindGap = scanOf(held(Whole), { headOffset: 2, gapUnknown: 1 });
  assert.deepEqual(decideFront(behindGap, 'open', EXPIRED - 1, LIMITS), WAIT);
  assert.deepEqual(decideFront(behindGap, 'open', EXPIRED, LIMITS), deliver({ from: 2, upTo: 3, whole: true }));
  // Behind a dropped frame whose last fragment is outstanding, one unknown id is that fragment.
  assert.deepEqual(decideFront(behindGap, 'discarding', T, LIMITS), deliver({ from: 2, upTo: 3, whole: true }));
  assert.deepEqual(decideFront({ ...behindGap, gapUnknown: 2 }, 'discarding', EXPIRED - 1, LIMITS), WAIT);
  // Unflagged: cut at the last FFD9.
  assert.deepEqual(decideFront(scanOf(held(Whole, { unflagged: true, id: 7 })), 'open', T, LIMITS), {
    ...deliver({ whole: true, unflagged: true }),
    firstPkgId: 7,
    lastPkgId: 7,
  });
});

test('a whole frame over the size cap is dropped as oversize; at the cap it is delivered', () => {
  const big = scanOf(held(Whole), { bytes: 1001 });
  assert.deepEqual(decideFront(big, 'discarding', T, LIMITS), {
    kind: 'drop',
    upTo: 1,
    reason: 'oversize',
    detail: 'whole frame at pkg 500 has 1001 bytes, cap 1000',
    then: 'open',
  });
  assert.deepEqual(decideFront(scanOf(held(Whole), { bytes: 1000 }), 'open', T, LIMITS), deliver({ whole: true }));
});

test('a stray fragment right at the front is decided at once; behind a gap it waits out its window first', () => {
  const stray = held(Middle, { id: 9 });
  const drop = { kind: 'drop', reason: 'no-first-fragment', detail: 'fragment at pkg 9 without the first fragment of its frame' } as const;
  assert.deepEqual(decideFront(scanOf(stray), 'open', T, LIMITS), { ...drop, upTo: 1, then: 'discarding' });
  const behind = scanOf(stray, { headOffset: 3, gapUnknown: 0 });
  assert.deepEqual(decideFront(behind, 'open', EXPIRED - 1, LIMITS), WAIT);
  assert.deepEqual(decideFront(behind, 'open', EXPIRED, LIMITS), { ...drop, upTo: 4, then: 'discarding' });
  assert.deepEqual(decideFront(behind, 'discarding', EXPIRED - 1, LIMITS), WAIT);
  // A stray last fragment ends its frame: nothing more of it to discard.
  assert.deepEqual(decideFront(scanOf(held(Last, { id: 9 })), 'open', T, LIMITS), { ...drop, upTo: 1, then: 'open' });
});

test('the rest of a dropped frame is discarded without a drop count, until its last fragment', () => {
  assert.deepEqual(decideFront(scanOf(held(Middle)), 'discarding', T, LIMITS), { kind: 'discard', upTo: 1, then: 'discarding' });
  assert.deepEqual(decideFront(scanOf(held(Last)), 'discarding', T, LIMITS), { kind: 'discard', upTo: 1, then: 'open' });
  assert.deepEqual(decideFront(scanOf(held(Last), { headOffset: 1 }), 'discarding', EXPIRED, LIMITS), {
    kind: 'discard',
    upTo: 2,
    then: 'open',
  });
});

test('an unflagged tail piece (at most 8 bytes after FFD9, in a middle fragment of its own) is discarded and ends nothing', () => {
  const tail = (bytes: number, extra: Partial<HeldPacket> = {}) =>
    scanOf(held(Middle, { unflagged: true, payload: Buffer.alloc(bytes), ...extra }));
  assert.deepEqual(decideFront(tail(8), 'open', T, LIMITS), { kind: 'discard', upTo: 1, then: 'open' });
  assert.deepEqual(decideFront(tail(8), 'discarding', T, LIMITS), { kind: 'discard', upTo: 1, then: 'discarding' });
  const notTail = {
    kind: 'drop',
    upTo: 1,
    reason: 'no-first-fragment',
    detail: 'fragment at pkg 500 without the first fragment of its frame',
  } as const;
  assert.deepEqual(decideFront(tail(9), 'open', T, LIMITS), { ...notTail, then: 'discarding' });
  // Flagged, or a last fragment: no tail piece.
  assert.deepEqual(decideFront(tail(8, { unflagged: false }), 'open', T, LIMITS), { ...notTail, then: 'discarding' });
  assert.deepEqual(decideFront(scanOf(held(Last, { unflagged: true, payload: Buffer.alloc(2) })), 'open', T, LIMITS), {
    ...notTail,
    then: 'open',
  });
});

test('a complete frame (no hole) is delivered at once, ids across the u32 wrap', () => {
  const head = held(First, { id: 0xffff_fffe });
  const complete = scanOf(head, { headOffset: 1, lastOffset: 4, frameEnd: 5 });
  assert.deepEqual(
    decideFront(complete, 'open', T, LIMITS),
    deliver({ from: 1, upTo: 5, firstPkgId: 0xffff_fffe, lastPkgId: 1, onBadJpeg: 'drop' }),
  );
  // An audio id inside: if the JPEG does not check out, a video fragment with that id may still come — until the window runs out.
  const withAudio = { ...complete, audioInside: true };
  assert.deepEqual(
    decideFront(withAudio, 'open', EXPIRED - 1, LIMITS),
    deliver({ from: 1, upTo: 5, firstPkgId: 0xffff_fffe, lastPkgId: 1, onBadJpeg: 'wait' }),
  );
  assert.deepEqual(
    decideFront(withAudio, 'open', EXPIRED, LIMITS),
    deliver({ from: 1, upTo: 5, firstPkgId: 0xffff_fffe, lastPkgId: 1, onBadJpeg: 'drop' }),
  );
  // Behind unknown ids it waits its window like anything else.
  assert.deepEqual(decideFront({ ...complete, gapUnknown: 1 }, 'open', EXPIRED - 1, LIMITS), WAIT);
  // Unflagged frames are cut at the last FFD9.
  assert.deepEqual(
    decideFront(scanOf(held(First, { unflagged: true }), { lastOffset: 1, frameEnd: 2 }), 'open', T, LIMITS),
    deliver({ upTo: 2, lastPkgId: 501, unflagged: true }),
  );
});

test('holes and a last fragment: delivered if the bytes add up to the declared size, else dropped as incomplete when the window runs out', () => {
  const holed = scanOf(held(First), { holes: 2, firstHole: 2, lastOffset: 5, frameEnd: 6, sizeFits: true });
  assert.deepEqual(decideFront(holed, 'open', T, LIMITS), deliver({ upTo: 6, lastPkgId: 505 }));
  const incomplete = {
    kind: 'drop',
    upTo: 2,
    reason: 'incomplete',
    detail: 'frame from pkg 500: 2 packet(s) missing after 150 ms',
    then: 'discarding',
  } as const;
  for (const notBySize of [{ sizeFits: false }, { adjacentHoles: true }, { head: held(First, { unflagged: true }) }]) {
    const scan = { ...holed, ...notBySize };
    assert.deepEqual(decideFront(scan, 'open', EXPIRED - 1, LIMITS), WAIT, JSON.stringify(Object.keys(notBySize)));
    assert.deepEqual(decideFront(scan, 'open', EXPIRED, LIMITS), incomplete, JSON.stringify(Object.keys(notBySize)));
  }
});

test('a frame over the size cap is dropped as oversize at once, through its first hole or as far as it reaches', () => {
  const detail = 'frame from pkg 500 reached 1001 bytes, cap 1000';
  const big = scanOf(held(First), { bytes: 1001, gapUnknown: 3, headOffset: 3, frameEnd: 9 });
  const oversize = { kind: 'drop', reason: 'oversize', detail } as const;
  assert.deepEqual(decideFront({ ...big, holes: 1, firstHole: 5, lastOffset: 8 }, 'open', T, LIMITS), {
    ...oversize,
    upTo: 5,
    then: 'discarding',
  });
  assert.deepEqual(decideFront({ ...big, lastOffset: 8 }, 'open', T, LIMITS), { ...oversize, upTo: 9, then: 'open' });
  assert.deepEqual(decideFront({ ...big, nextOffset: 9 }, 'open', T, LIMITS), { ...oversize, upTo: 9, then: 'discarding' });
  assert.deepEqual(decideFront(big, 'open', T, LIMITS), { ...oversize, upTo: 9, then: 'discarding' });
  assert.deepEqual(decideFront({ ...big, bytes: 1000 }, 'open', T, LIMITS), WAIT);
});

test('a next frame before a last fragment: this one restarted (nothing missing) or is incomplete (holes, when the window runs out)', () => {
  const cut = scanOf(held(First), { nextOffset: 4, frameEnd: 4 });
  const restarted = {
    kind: 'drop',
    upTo: 4,
    reason: 'restarted',
    detail: 'frame from pkg 500 ended without a last fragment: a new frame began',
    then: 'open',
  } as const;
  assert.deepEqual(decideFront(cut, 'discarding', T, LIMITS), restarted);
  // An audio id inside may stand where this frame's last fragment still is (separate counter).
  assert.deepEqual(decideFront({ ...cut, audioInside: true }, 'open', EXPIRED - 1, LIMITS), WAIT);
  assert.deepEqual(decideFront({ ...cut, audioInside: true }, 'open', EXPIRED, LIMITS), restarted);
  const holed = { ...cut, holes: 1, firstHole: 2 };
  assert.deepEqual(decideFront(holed, 'open', EXPIRED - 1, LIMITS), WAIT);
  assert.deepEqual(decideFront(holed, 'open', EXPIRED, LIMITS), {
    kind: 'drop',
    upTo: 2,
    reason: 'incomplete',
    detail: 'frame from pkg 500: no last fragment after 150 ms',
    then: 'discarding',
  });
});

test('neither a last fragment nor a next frame: it waits its window, counted from its oldest packet, then goes through its first hole or all of it', () => {
  const open = scanOf(held(First, { arrivedAt: T + 40 }), { oldest: T, frameEnd: 6 });
  const incomplete = {
    kind: 'drop',
    reason: 'incomplete',
    detail: 'frame from pkg 500: no last fragment after 150 ms',
    then: 'discarding',
  } as const;
  assert.deepEqual(decideFront(open, 'open', EXPIRED - 1, LIMITS), WAIT);
  assert.deepEqual(decideFront(open, 'open', EXPIRED, LIMITS), { ...incomplete, upTo: 6 });
  assert.deepEqual(decideFront({ ...open, holes: 2, firstHole: 3 }, 'open', EXPIRED, LIMITS), { ...incomplete, upTo: 3 });
  assert.deepEqual(decideFront(open, 'open', EXPIRED, { windowMs: 40, maxFrameBytes: 1000 }), {
    ...incomplete,
    upTo: 6,
    detail: 'frame from pkg 500: no last fragment after 40 ms',
  });
});

test('decideOverflow: the oldest frame goes; its rest is discarded unless its last fragment went with it', () => {
  const detail = '5000 bytes held: the oldest frame made room';
  assert.deepEqual(decideOverflow({ end: 3, sawLast: true }, 5000), { kind: 'drop', upTo: 3, reason: 'overflow', detail, then: 'open' });
  assert.deepEqual(decideOverflow({ end: 7, sawLast: false }, 5000), {
    kind: 'drop',
    upTo: 7,
    reason: 'overflow',
    detail,
    then: 'discarding',
  });
});
