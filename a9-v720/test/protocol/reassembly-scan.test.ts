/**
 * The scan of the window's front and of its oldest frame, as pure functions: every field of the
 * result, exact, for windows built slot by slot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FragmentRole } from '../../src/protocol/fragments.js';
import {
  ID_SPAN,
  NO_ID,
  payloads,
  scanFront,
  scanOldestFrame,
  SLOT_MASK,
  type FrontScan,
  type HeldPacket,
  type WindowView,
} from '../../src/protocol/reassembly-scan.js';
import { fakeJpeg } from '../support/reassembly-fixtures.js';

const T = 1_000;
const { First, Middle, Last, Whole } = FragmentRole;

/** One id of a window: a held video packet, an audio id, or a hole (undefined). */
type Slot = { role: FragmentRole; payload?: Buffer; at?: number; unflagged?: boolean } | 'audio' | undefined;

/** A window whose ids base, base + 1, … are `slots` in order; `end` is one past the last video packet. */
function windowOf(base: number, slots: readonly Slot[]): WindowView & { packets: (HeldPacket | undefined)[] } {
  const held = new Array<HeldPacket | undefined>(ID_SPAN).fill(undefined);
  const audioIds = new Float64Array(ID_SPAN).fill(NO_ID);
  const packets: (HeldPacket | undefined)[] = [];
  let end = 0;
  slots.forEach((slot, offset) => {
    const id = (base + offset) >>> 0;
    if (slot === 'audio') audioIds[id & SLOT_MASK] = id;
    if (slot === undefined || slot === 'audio') {
      packets.push(undefined);
      return;
    }
    const packet: HeldPacket = {
      id,
      role: slot.role,
      unflagged: slot.unflagged ?? false,
      payload: slot.payload ?? Buffer.alloc(10 + offset, offset),
      arrivedAt: slot.at ?? T,
    };
    held[id & SLOT_MASK] = packet;
    packets.push(packet);
    end = offset + 1;
  });
  return { base, end, slots: held, audioIds, packets };
}

/** What a scan says about a head that opens no walk (or a walk that found nothing), field by field. */
function plain(head: HeldPacket, headOffset: number, gapUnknown: number): FrontScan {
  return {
    headOffset,
    head,
    gapUnknown,
    bytes: head.payload.length,
    oldest: head.arrivedAt,
    holes: 0,
    firstHole: undefined,
    adjacentHoles: false,
    audioInside: false,
    lastOffset: undefined,
    nextOffset: undefined,
    frameEnd: headOffset + 1,
    sizeFits: false,
  };
}

test('scanFront: nothing held is no front, whatever audio ids the window knows', () => {
  assert.equal(scanFront(windowOf(5, [])), undefined);
  const audioOnly = windowOf(5, ['audio', 'audio']);
  assert.equal(audioOnly.end, 0);
  assert.equal(scanFront(audioOnly), undefined);
});

test('scanFront: the head is the first held packet; only the ids before it that are not audio count as unknown', () => {
  const w = windowOf(200, [undefined, 'audio', undefined, 'audio', { role: Whole, at: T + 3 }, { role: Last }]);
  assert.deepEqual(scanFront(w), plain(w.packets[4]!, 4, 2));
  const audioGap = windowOf(200, ['audio', { role: Whole }]);
  assert.deepEqual(scanFront(audioGap), plain(audioGap.packets[1]!, 1, 0));
});

test('scanFront: an audio slot holding another id (a full span away) is a hole, not audio', () => {
  const w = windowOf(300, [undefined, { role: Whole }]);
  w.audioIds[300 & SLOT_MASK] = 300 + ID_SPAN;
  assert.deepEqual(scanFront(w), plain(w.packets[1]!, 1, 1));
});

test('scanFront: a middle or last fragment at the front opens no walk, even with its frame behind it', () => {
  for (const role of [Middle, Last]) {
    const w = windowOf(10, [undefined, { role, at: T + 1 }, { role: Middle }, { role: Last }]);
    assert.deepEqual(scanFront(w), plain(w.packets[1]!, 1, 1), `role ${role}`);
  }
});

test('scanFront: a complete frame: bytes of all its fragments, the oldest arrival, its last fragment and nothing past it', () => {
  const w = windowOf(40, [
    { role: First, at: T + 5 },
    { role: Middle, at: T + 2 },
    { role: Middle, at: T + 9 },
    { role: Last, at: T + 1 },
    { role: First, at: T },
  ]);
  assert.deepEqual(scanFront(w), {
    ...plain(w.packets[0]!, 0, 0),
    bytes: 10 + 11 + 12 + 13,
    oldest: T + 1,
    lastOffset: 3,
    frameEnd: 4,
  });
});

test('scanFront: holes — the first one, adjacent ones, audio ids inside; arrivals past the first hole are not the oldest', () => {
  const w = windowOf(0, [
    { role: First, at: T + 5 },
    { role: Middle, at: T + 4 },
    undefined,
    'audio',
    { role: Middle, at: T }, // after the hole: may be the next frame's
    undefined,
    undefined,
    { role: Last, at: T + 6 },
  ]);
  assert.deepEqual(scanFront(w), {
    ...plain(w.packets[0]!, 0, 0),
    bytes: 10 + 11 + 14 + 17,
    oldest: T + 4,
    holes: 3,
    firstHole: 2,
    adjacentHoles: true,
    audioInside: true,
    lastOffset: 7,
    frameEnd: 8,
  });
  // Holes with a fragment between them are not adjacent; audio between two holes keeps them adjacent.
  const apart = windowOf(0, [{ role: First }, undefined, { role: Middle }, undefined, { role: Last }]);
  assert.equal(scanFront(apart)!.adjacentHoles, false);
  const audioBetween = windowOf(0, [{ role: First }, undefined, 'audio', undefined, { role: Last }]);
  assert.deepEqual(
    { ...scanFront(audioBetween)! },
    {
      ...plain(audioBetween.packets[0]!, 0, 0),
      bytes: 10 + 14,
      holes: 2,
      firstHole: 1,
      adjacentHoles: true,
      audioInside: true,
      lastOffset: 4,
      frameEnd: 5,
    },
  );
});

test('scanFront: a next frame before any last fragment ends the walk there (a whole frame too); its bytes are not counted', () => {
  for (const role of [First, Whole]) {
    const w = windowOf(7, [{ role: First }, 'audio', { role: Middle }, { role, at: T - 50 }, { role: Last }]);
    assert.deepEqual(
      scanFront(w),
      { ...plain(w.packets[0]!, 0, 0), bytes: 10 + 12, audioInside: true, nextOffset: 3, frameEnd: 3 },
      `role ${role}`,
    );
  }
});

test('scanFront: a frame with neither its last fragment nor a next frame ends at the window’s end', () => {
  const w = windowOf(7, [undefined, { role: First }, { role: Middle }, undefined, { role: Middle }]);
  assert.equal(w.end, 5);
  assert.deepEqual(scanFront(w), { ...plain(w.packets[1]!, 1, 1), bytes: 11 + 12 + 14, holes: 1, firstHole: 3, frameEnd: 5 });
});

test('scanFront: ids wrap at 2^32 and slots at ID_SPAN', () => {
  const base = 0xffff_fffe;
  const w = windowOf(base, ['audio', { role: First }, undefined, { role: Last }]);
  assert.equal(w.packets[3]!.id, 1);
  assert.deepEqual(scanFront(w), { ...plain(w.packets[1]!, 1, 0), bytes: 11 + 13, holes: 1, firstHole: 2, lastOffset: 3, frameEnd: 4 });
});

/** A frame's bytes (JPEG + 5-byte tail with the u32 LE size) cut into `count` payloads. */
function frameChunks(jpeg: Buffer, count: number): Buffer[] {
  const tail = Buffer.alloc(5);
  tail.writeUInt32LE(jpeg.length, 1);
  const data = Buffer.concat([jpeg, tail]);
  const size = Math.ceil(data.length / count);
  return Array.from({ length: count }, (_, i) => data.subarray(i * size, (i + 1) * size));
}

test('scanFront: sizeFits — with a last fragment and holes, the held bytes add up to the declared size; never looked at otherwise', () => {
  const chunks = frameChunks(fakeJpeg(300), 3);
  const [a, b, c] = chunks as [Buffer, Buffer, Buffer];
  const holed = windowOf(0, [{ role: First, payload: a }, undefined, { role: Middle, payload: b }, { role: Last, payload: c }]);
  assert.deepEqual(scanFront(holed), {
    ...plain(holed.packets[0]!, 0, 0),
    bytes: 309,
    holes: 1,
    firstHole: 1,
    lastOffset: 3,
    frameEnd: 4,
    sizeFits: true,
  });
  // One byte short of the declared size: no.
  const short = windowOf(0, [{ role: First, payload: a }, undefined, { role: Middle, payload: b.subarray(1) }, { role: Last, payload: c }]);
  assert.equal(scanFront(short)!.sizeFits, false);
  // Complete (no hole): the decision needs no size check, so none is made.
  const whole = windowOf(0, [
    { role: First, payload: a },
    { role: Middle, payload: b },
    { role: Last, payload: c },
  ]);
  assert.equal(scanFront(whole)!.sizeFits, false);
  // A hole but no last fragment: nothing to check.
  const open = windowOf(0, [{ role: First, payload: a }, undefined, { role: Middle, payload: Buffer.concat([b, c]) }]);
  assert.equal(scanFront(open)!.sizeFits, false);
});

test('payloads: the held payloads from one offset through another, in id order, holes and audio skipped', () => {
  const w = windowOf(0xffff_ffff, [{ role: First }, undefined, 'audio', { role: Middle }, { role: Last }, { role: Whole }]);
  assert.deepEqual(payloads(w, 0, 4), [w.packets[0]!.payload, w.packets[3]!.payload, w.packets[4]!.payload]);
  assert.deepEqual(payloads(w, 3, 3), [w.packets[3]!.payload]);
  assert.deepEqual(payloads(w, 1, 2), []);
});

test('scanOldestFrame: the head and its frame up to its last fragment, or up to the next frame, or to the window’s end', () => {
  // A whole frame or a last fragment at the front is all of it.
  assert.deepEqual(scanOldestFrame(windowOf(0, [undefined, { role: Whole }, { role: Last }])), { end: 2, sawLast: true });
  assert.deepEqual(scanOldestFrame(windowOf(0, ['audio', undefined, { role: Last }, { role: Last }])), { end: 3, sawLast: true });
  // A first fragment: through its last, holes and all.
  assert.deepEqual(scanOldestFrame(windowOf(0, [{ role: First }, undefined, { role: Middle }, { role: Last }, { role: Middle }])), {
    end: 4,
    sawLast: true,
  });
  // Up to the next frame's first or whole fragment: the rest of this one may still come.
  assert.deepEqual(scanOldestFrame(windowOf(0, [{ role: First }, { role: Middle }, undefined, { role: First }, { role: Last }])), {
    end: 3,
    sawLast: false,
  });
  assert.deepEqual(scanOldestFrame(windowOf(0, [{ role: Middle }, { role: Whole }])), { end: 1, sawLast: false });
  // Nothing ends it: the whole window.
  assert.deepEqual(scanOldestFrame(windowOf(0, [undefined, { role: First }, undefined, { role: Middle }])), { end: 4, sawLast: false });
});
