import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cmd, decodeDatagram, MsgFlag, type Packet } from '../../src/protocol/header.js';
import { MediaReassembler } from '../../src/protocol/reassembly.js';
import { CONFIRM_GAP_REPEAT_MS, ConfirmPacer, encodeRetransmitConfirm, encodeRetransmitConfirms } from '../../src/protocol/retransmit.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('a confirm of 26 ids matches the observed datagram byte for byte', () => {
  const ids = Array.from({ length: 26 }, (_, i) => 0x0af2 + i);
  const datagram = encodeRetransmitConfirm(ids);
  assert.equal(datagram.length, 20 + 104);
  assert.deepEqual(datagram.subarray(0, 28), hex('68000000 5d02 00 00 3030303030303030 00000000 f20a0000 f30a0000'));
  const decoded = decodeDatagram(datagram);
  assert.ok(decoded.ok, `the confirm decodes, got: ${decoded.ok ? 'ok' : decoded.reason}`);
  assert.equal(decoded.packet.cmd, 605);
  assert.deepEqual(
    Array.from({ length: 26 }, (_, i) => decoded.packet.payload.readUInt32LE(i * 4)),
    ids,
  );
});

test('an empty confirm is a bare 20-byte header', () => {
  assert.deepEqual(encodeRetransmitConfirm([]), hex('00000000 5d02 00 00 3030303030303030 00000000'));
});

test('long id lists are split into datagrams of at most 256 ids', () => {
  const ids = Array.from({ length: 600 }, (_, i) => i);
  const datagrams = encodeRetransmitConfirms(ids);
  assert.deepEqual(
    datagrams.map((d) => d.readUInt32LE(0) / 4),
    [256, 256, 88],
  );
  assert.equal(datagrams[2]!.readUInt32LE(20), 512);
});

/** The capture's first frame (docs/protocol.md §5): pkg 2802…2827, 25 × 1004 + 680 bytes, declared size 25 775, 5-byte tail. */
function captureFirstFrame(): Packet[] {
  const jpeg = Buffer.alloc(25_775, 0x42);
  jpeg.writeUInt16BE(0xffd8, 0);
  jpeg.writeUInt16BE(0xffd9, jpeg.length - 2);
  const tail = Buffer.alloc(5);
  tail.writeUInt32LE(jpeg.length, 1);
  const data = Buffer.concat([jpeg, tail]);
  const packets: Packet[] = [];
  for (let i = 0; i * 1004 < data.length; i++) {
    const payload = data.subarray(i * 1004, (i + 1) * 1004);
    const msgFlag = i === 0 ? MsgFlag.FirstFragment : (i + 1) * 1004 >= data.length ? MsgFlag.LastFragment : MsgFlag.MiddleFragment;
    packets.push({
      length: payload.length,
      cmd: Cmd.JpegFragment,
      msgFlag,
      dealFlag: 0,
      forwardId: Buffer.alloc(8),
      pkgId: 2802 + i,
      payload,
    });
  }
  return packets;
}

/** The reference confirm right after that frame, as captured: exactly its 26 ids. */
const REFERENCE_CONFIRM = hex(`68000000 5d02 00 00 3030303030303030 00000000
  f20a0000 f30a0000 f40a0000 f50a0000 f60a0000 f70a0000 f80a0000 f90a0000 fa0a0000 fb0a0000 fc0a0000 fd0a0000 fe0a0000
  ff0a0000 000b0000 010b0000 020b0000 030b0000 040b0000 050b0000 060b0000 070b0000 080b0000 090b0000 0a0b0000 0b0b0000`);

test("the confirm after the capture's first frame is the captured one, byte for byte", () => {
  const packets = captureFirstFrame();
  assert.equal(packets.length, 26);
  assert.equal(packets.at(-1)!.payload.length, 680);
  const frames: Buffer[] = [];
  const reassembler = new MediaReassembler();
  const pacer = new ConfirmPacer();
  for (const p of packets) for (const item of reassembler.push(p, 0)) if (item.kind === 'frame') frames.push(item.frame.jpeg);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.length, 25_775);
  const sent = pacer.next(reassembler.confirmIds(), 0);
  assert.deepEqual(sent, [REFERENCE_CONFIRM]);
});

test('confirm list: the sorted union of the ids of frames in progress and of everything received since the last confirm, video and audio', () => {
  const reassembler = new MediaReassembler();
  const audio = (pkgId: number): Packet => ({
    length: 8,
    cmd: Cmd.G711Alaw,
    msgFlag: MsgFlag.Whole,
    dealFlag: 0,
    forwardId: Buffer.alloc(8),
    pkgId,
    payload: Buffer.alloc(8),
  });
  const frame = captureFirstFrame();
  // A frame in progress with a hole at 2805, audio on the shared counter before it and on a far counter.
  reassembler.push(audio(2801), 0);
  for (const p of frame.slice(0, 3)) reassembler.push(p, 0);
  reassembler.push(audio(90), 0);
  for (const p of frame.slice(4, 10)) reassembler.push(p, 0);
  const first = reassembler.confirmIds();
  assert.deepEqual(first, [90, 2801, 2802, 2803, 2804, 2806, 2807, 2808, 2809, 2810, 2811]);
  reassembler.confirmSent();
  // The frame is still in progress: its ids stay listed; the audio already confirmed does not.
  reassembler.push(frame[3]!, 1);
  assert.deepEqual(reassembler.confirmIds(), [2802, 2803, 2804, 2805, 2806, 2807, 2808, 2809, 2810, 2811]);
  reassembler.confirmSent();
  for (const p of frame.slice(10)) reassembler.push(p, 2);
  // Finished now: every id of it is listed once more (the camera learns of the last ones).
  assert.deepEqual(
    reassembler.confirmIds(),
    frame.map((p) => p.pkgId),
  );
  reassembler.confirmSent();
  assert.deepEqual(reassembler.confirmIds(), []);
  // A late copy is confirmed again, so that the camera stops resending it.
  reassembler.push(frame[5]!, 3);
  assert.deepEqual(reassembler.confirmIds(), [2807]);
});

test('pacer: a changed list goes out at once; an unchanged one only when the last send is 200 ms old; nothing for an empty list', () => {
  const pacer = new ConfirmPacer();
  assert.deepEqual(pacer.next([], 0), []);
  assert.deepEqual(pacer.next([1, 2], 0), [encodeRetransmitConfirm([1, 2])]);
  assert.deepEqual(pacer.next([1, 2], 50), [], 'unchanged, 50 ms');
  assert.deepEqual(pacer.next([1, 2], 199), [], 'unchanged, 199 ms');
  assert.deepEqual(pacer.next([1, 2, 3], 120), [encodeRetransmitConfirm([1, 2, 3])], 'changed: at once');
  assert.deepEqual(pacer.next([1, 2, 3], 320), [encodeRetransmitConfirm([1, 2, 3])], 'unchanged, 200 ms old: repeated');
  assert.deepEqual(pacer.stats, { confirmsSent: 3, idsConfirmed: 8, unchangedSkipped: 2, gapRepeats: 0 });
  pacer.reset();
  assert.deepEqual(pacer.next([1, 2, 3], 321), [encodeRetransmitConfirm([1, 2, 3])], 'after a reset the list goes out again');
});

test('pacer: while a frame waits for a missing packet, an unchanged list is repeated after 40 ms instead of 200', () => {
  assert.equal(CONFIRM_GAP_REPEAT_MS, 40);
  const t0 = 1_800_000_000_000;
  const pacer = new ConfirmPacer();
  const waiting = true;
  assert.deepEqual(pacer.next([5, 6, 8], t0, waiting), [encodeRetransmitConfirm([5, 6, 8])]);
  assert.deepEqual(pacer.next([5, 6, 8], t0 + 39, waiting), [], 'unchanged, 39 ms: the resend may still be in flight');
  assert.deepEqual(
    pacer.next([5, 6, 8], t0 + 40, waiting),
    [encodeRetransmitConfirm([5, 6, 8])],
    'unchanged, 40 ms, a frame waiting: repeated',
  );
  assert.equal(pacer.lastSentTime, t0 + 40);
  assert.deepEqual(pacer.next([5, 6, 8], t0 + 79, waiting), [], 'measured from the repeat');
  assert.deepEqual(pacer.next([5, 6, 8], t0 + 100), [], 'nothing waiting any more: the 200 ms pace again');
  assert.deepEqual(pacer.next([5, 6, 8], t0 + 239), []);
  assert.deepEqual(pacer.next([5, 6, 8], t0 + 240), [encodeRetransmitConfirm([5, 6, 8])]);
  assert.deepEqual(
    pacer.next([5, 6, 7, 8], t0 + 241, waiting),
    [encodeRetransmitConfirm([5, 6, 7, 8])],
    'a changed list: at once, as ever',
  );
  assert.deepEqual(pacer.next([], t0 + 400, waiting), [], 'an empty list: never');
  assert.deepEqual(pacer.stats, { confirmsSent: 4, idsConfirmed: 13, unchangedSkipped: 4, gapRepeats: 1 });
});

test('pacer options: the gap repeat is never slower than the plain repeat', () => {
  const pacer = new ConfirmPacer({ repeatMs: 30, gapRepeatMs: 100 });
  assert.equal(pacer.next([1], 0, true).length, 1);
  assert.deepEqual(pacer.next([1], 29, true), []);
  assert.equal(pacer.next([1], 30, true).length, 1, 'repeatMs bounds gapRepeatMs');
  assert.deepEqual(pacer.stats, { confirmsSent: 2, idsConfirmed: 2, unchangedSkipped: 1, gapRepeats: 0 });
  const quick = new ConfirmPacer({ gapRepeatMs: 10 });
  assert.equal(quick.next([1], 0, true).length, 1);
  assert.deepEqual(quick.next([1], 9, true), []);
  assert.equal(quick.next([1], 10, true).length, 1);
  assert.equal(quick.stats.gapRepeats, 1);
});

test('pacer: a long list is split into datagrams of at most 256 ids', () => {
  const pacer = new ConfirmPacer();
  const ids = Array.from({ length: 600 }, (_, i) => i);
  const datagrams = pacer.next(ids, 0);
  assert.equal(datagrams.length, 3);
  assert.ok(
    datagrams.every((d) => d.length <= 20 + 256 * 4),
    `at most 256 ids per datagram, got lengths ${datagrams.map((d) => d.length).join(', ')}`,
  );
});

test('pacer at timestamps far from zero: the 200 ms repeat is measured from the last send', () => {
  const t0 = 1_800_000_000_000;
  const pacer = new ConfirmPacer();
  assert.equal(pacer.lastSentTime, Number.NEGATIVE_INFINITY);
  assert.equal(pacer.next([7, 8], t0).length, 1);
  assert.equal(pacer.lastSentTime, t0);
  assert.deepEqual(pacer.next([7, 8], t0 + 199), [], 'unchanged, 199 ms after the send');
  assert.deepEqual(pacer.next([7, 8], t0 + 200), [encodeRetransmitConfirm([7, 8])], 'unchanged, exactly 200 ms: repeated');
  assert.equal(pacer.lastSentTime, t0 + 200);
  assert.deepEqual(pacer.next([7, 9], t0 + 201), [encodeRetransmitConfirm([7, 9])], 'same length, other ids: changed');
  assert.deepEqual(pacer.next([7], t0 + 202), [encodeRetransmitConfirm([7])], 'a shorter list: changed');
  assert.deepEqual(pacer.stats, { confirmsSent: 4, idsConfirmed: 7, unchangedSkipped: 1, gapRepeats: 0 });
  pacer.reset();
  assert.equal(pacer.lastSentTime, Number.NEGATIVE_INFINITY);
  assert.equal(pacer.next([7], t0 + 203).length, 1, 'after a reset the same list goes out at once');
});

test('pacer options: another repeat time and datagram size', () => {
  const pacer = new ConfirmPacer({ repeatMs: 50, maxIdsPerDatagram: 2 });
  const t0 = 1_800_000_000_000;
  assert.deepEqual(pacer.next([1, 2, 3], t0), [encodeRetransmitConfirm([1, 2]), encodeRetransmitConfirm([3])]);
  assert.deepEqual(pacer.next([1, 2, 3], t0 + 49), []);
  assert.equal(pacer.next([1, 2, 3], t0 + 50).length, 2);
  assert.deepEqual(pacer.stats, { confirmsSent: 4, idsConfirmed: 6, unchangedSkipped: 1, gapRepeats: 0 });
});

test('confirm splitting at the bound: 256 ids are one datagram, 257 are two; ids are written as u32', () => {
  assert.equal(encodeRetransmitConfirms(Array.from({ length: 256 }, (_, i) => i)).length, 1);
  assert.deepEqual(
    encodeRetransmitConfirms(Array.from({ length: 257 }, (_, i) => i)).map((d) => d.readUInt32LE(0)),
    [1024, 4],
  );
  assert.deepEqual(encodeRetransmitConfirms([]), [hex('00000000 5d02 00 00 3030303030303030 00000000')]);
  assert.deepEqual(encodeRetransmitConfirm([0xffffffff, -1, 1]).subarray(20), hex('ffffffff ffffffff 01000000'));
});
