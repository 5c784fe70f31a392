import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cmd, decodeDatagram, encodePacket, MsgFlag, type Packet } from '../../src/protocol/header.js';
import { extractJpeg } from '../../src/protocol/fragments.js';
import {
  MediaReassembler,
  REORDER_WINDOW_MS,
  type FrameDrop,
  type MediaReassemblerOptions,
  type Reassembled,
  type ReassemblyStats,
} from '../../src/protocol/reassembly.js';
import { encodeAudioPacket, encodeJpegFragments, FRAGMENT_PAYLOAD_BYTES } from '../../src/simulator/media-encoder.js';
import { loadAllFrames } from '../../src/simulator/frame-library.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function decode(datagram: Buffer): Packet {
  const result = decodeDatagram(datagram);
  assert.ok(result.ok, 'datagram decodes');
  return result.packet;
}

/** A synthetic JPEG: SOI, `size` filler bytes (never FF), EOI. */
function fakeJpeg(size: number, seed = 1): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + seed * 13) % 251;
  return Buffer.concat([hex('ffd8'), body, hex('ffd9')]);
}

function fragments(jpeg: Buffer, firstPkgId: number): Packet[] {
  return encodeJpegFragments(jpeg, firstPkgId).datagrams.map(decode);
}

/** Per packet fed: the frames and drops it caused. Time stands still unless `tick` is called. */
interface Step {
  readonly frames: Buffer[];
  readonly drops: FrameDrop[];
}

/** The frames and drops among what a push or tick finished. */
function stepOf(finished: readonly Reassembled[]): Step {
  const step: Step = { frames: [], drops: [] };
  for (const item of finished) {
    if (item.kind === 'frame') step.frames.push(item.frame.jpeg);
    else if (item.kind === 'drop') step.drops.push(item.drop);
  }
  return step;
}

class Assembler {
  readonly reassembler: MediaReassembler;
  constructor(options: MediaReassemblerOptions = {}) {
    this.reassembler = new MediaReassembler(options);
  }
  push(packet: Packet, now = 0): Step {
    return stepOf(this.reassembler.push(packet, now));
  }
  /** Lets the reorder window run out. */
  tick(now = REORDER_WINDOW_MS): Step {
    return stepOf(this.reassembler.tick(now));
  }
  get stats(): ReassemblyStats {
    return this.reassembler.stats;
  }
}

function feed(assembler: Assembler, packets: readonly Packet[]): Step[] {
  return packets.map((p) => assembler.push(p));
}

const frames = (steps: readonly Step[]): Buffer[] => steps.flatMap((s) => s.frames);
const drops = (steps: readonly Step[]): FrameDrop[] => steps.flatMap((s) => s.drops);

test('the encoder writes the observed fragment header byte for byte', () => {
  const jpeg = fakeJpeg(3000);
  const { datagrams } = encodeJpegFragments(jpeg, 2802);
  // 3004 + 5 tail bytes (1 unknown + u32 size, as measured, docs/protocol.md §5) = 3009 → 1004 + 1004 + 1001
  assert.equal(datagrams.length, 3);
  assert.deepEqual(datagrams[1]!.subarray(0, 20), hex('ec030000 0100 fb 00 0000000000000000 f30a0000'));
  assert.deepEqual(datagrams[0]!.subarray(4, 7), hex('0100 fa'));
  assert.deepEqual(datagrams[2]!.subarray(0, 7), hex('e9030000 0100 fc'));
  const last = datagrams[2]!;
  assert.equal(last.readUInt32LE(last.length - 4), jpeg.length, 'tail declares the JPEG length');
  assert.deepEqual(last.subarray(last.length - 7, last.length - 5), hex('ffd9'), 'JPEG ends right before the 1 unknown byte');
});

test('the assembler accepts the observed middle fragment header', () => {
  const packet = decode(Buffer.concat([hex('ec030000 0100 fb 00 0000000000000000 f30a0000'), Buffer.alloc(1004)]));
  assert.equal(packet.cmd, Cmd.JpegFragment);
  assert.equal(packet.msgFlag, MsgFlag.MiddleFragment);
  assert.equal(packet.pkgId, 2803);
  const assembler = new Assembler();
  // A middle fragment with nothing pending (joined mid-stream) is one counted drop, at once.
  assert.deepEqual(
    assembler.push(packet).drops.map((d) => d.reason),
    ['no-first-fragment'],
  );
  assert.equal(assembler.stats.dropReasons['no-first-fragment'], 1);
});

test('every library frame round-trips through encoder and assembler exactly', () => {
  const library = loadAllFrames();
  assert.ok(library.length >= 8, `at least 8 library frames, got ${library.length}`);
  const assembler = new Assembler();
  let pkgId = 0xffff_fff0; // crosses the u32 wrap on the way
  for (const jpeg of library) {
    assert.ok(jpeg.length > 10_000 && jpeg.length < 40_000, `library frame of ${jpeg.length} bytes`);
    const encoded = encodeJpegFragments(jpeg, pkgId);
    const results = feed(assembler, encoded.datagrams.map(decode));
    assert.deepEqual(results.at(-1)!.frames, [jpeg], 'delivered by its last fragment');
    assert.ok(
      results.slice(0, -1).every((r) => r.frames.length === 0 && r.drops.length === 0),
      'no frame and no drop before the last fragment',
    );
    pkgId = encoded.nextPkgId;
  }
  assert.equal(assembler.stats.framesDelivered, library.length);
  assert.equal(assembler.stats.framesDropped, 0);
});

test('a lost fragment drops that frame with a reason once its window runs out, and the next frame is fine', () => {
  const assembler = new Assembler();
  const a = fakeJpeg(5000, 1);
  const b = fakeJpeg(5000, 2);
  const first = fragments(a, 100);
  const second = fragments(b, 100 + first.length);
  const lossy = [...first.slice(0, 2), ...first.slice(3)];
  const results = [...feed(assembler, [...lossy, ...second]), assembler.tick()];
  assert.equal(drops(results).length, 1, 'one lost frame = one drop');
  assert.equal(drops(results)[0]!.reason, 'incomplete');
  assert.match(drops(results)[0]!.detail, /frame from pkg 100: 1 packet\(s\) missing/);
  assert.deepEqual(frames(results), [b]);
  const stats = assembler.stats;
  assert.equal(stats.framesDropped, 1);
  assert.equal(stats.dropReasons.incomplete, 1);
  assert.ok(stats.discardedFragments > 0, 'the rest of the lost frame is discarded silently');
});

test('a lost last fragment is noticed when the window runs out; the next frame follows', () => {
  const assembler = new Assembler();
  const a = fragments(fakeJpeg(3000, 1), 10);
  const b = fragments(fakeJpeg(3000, 2), 10 + a.length);
  const results = [...feed(assembler, [...a.slice(0, -1), ...b]), assembler.tick()];
  assert.equal(assembler.stats.dropReasons.incomplete, 1);
  assert.equal(frames(results).length, 1);
});

test('a new first fragment while a frame is pending restarts (counted)', () => {
  const assembler = new Assembler();
  const jpeg = fakeJpeg(3000);
  // Same ids continue, but the camera starts a new frame before finishing the old one.
  const a = fragments(jpeg, 1).slice(0, 2);
  const b = fragments(jpeg, 3);
  const results = feed(assembler, [...a, ...b]);
  assert.equal(assembler.stats.dropReasons.restarted, 1);
  assert.deepEqual(frames(results), [jpeg]);
  assert.deepEqual(
    drops(results).map((d) => d.reason),
    ['restarted'],
    'decided without waiting: the ids leave no room for a last fragment',
  );
});

test('duplicate and out-of-order fragments never produce a corrupt frame; reordered frames are kept', () => {
  const jpeg = fakeJpeg(6000);
  const p = fragments(jpeg, 50);
  const dup = new Assembler();
  const dupResults = feed(dup, [p[0]!, p[1]!, p[1]!, ...p.slice(2)]);
  assert.deepEqual(frames(dupResults), [jpeg], 'a duplicated packet is ignored');
  assert.equal(dup.stats.duplicatePackets, 1);

  const swapped = new Assembler();
  const next = fakeJpeg(2500, 9);
  const swapResults = feed(swapped, [p[0]!, p[2]!, p[1]!, ...p.slice(3), ...fragments(next, 50 + p.length)]);
  assert.deepEqual(frames(swapResults), [jpeg, next], 'a reordered frame is reassembled, and the next one follows');
  assert.equal(swapped.stats.framesDropped, 0);
});

test('an audio packet between fragments is not a gap, and neither is a lost one (the frame\u2019s bytes add up)', () => {
  const jpeg = fakeJpeg(4000);
  const p = fragments(jpeg, 200); // ids 200..204
  const shifted = (packet: Packet, by: number): Packet => ({ ...packet, pkgId: packet.pkgId + by });
  const audio = decode(encodeAudioPacket(Buffer.alloc(320, 0xd5), 202));
  const assembler = new Assembler();
  const results = feed(assembler, [p[0]!, p[1]!, audio, ...p.slice(2).map((x) => shifted(x, 1))]);
  assert.deepEqual(results[2], { frames: [], drops: [] });
  assert.deepEqual(results.at(-1)!.frames, [jpeg]);

  const lossy = new Assembler();
  // The audio packet 202 is lost: the video bytes still add up to the declared size, so the hole
  // was not video and the frame goes out on its last fragment.
  const lossyResults = feed(lossy, [p[0]!, p[1]!, ...p.slice(2).map((x) => shifted(x, 1))]);
  assert.deepEqual(lossyResults.at(-1)!.frames, [jpeg]);
  assert.equal(lossy.stats.framesDropped, 0);
});

test('bad trailer, missing EOI, missing SOI are dropped with their reason', () => {
  const jpeg = fakeJpeg(2500);
  const withTrailer = (data: Buffer, declared: number): Buffer => {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(declared);
    return Buffer.concat([data, hex('0000'), size]);
  };
  const send = (data: Buffer): Step[] => {
    const assembler = new Assembler();
    const chunks: Packet[] = [];
    for (let i = 0, id = 1; i < data.length; i += 1004, id++) {
      const flag = i === 0 ? MsgFlag.FirstFragment : i + 1004 >= data.length ? MsgFlag.LastFragment : MsgFlag.MiddleFragment;
      chunks.push(decode(encodePacket({ cmd: Cmd.JpegFragment, msgFlag: flag, pkgId: id, payload: data.subarray(i, i + 1004) })));
    }
    return feed(assembler, chunks);
  };
  const reasonOf = (results: Step[]): string | undefined => {
    const last = results.at(-1);
    return last?.drops[0]?.reason ?? (last?.frames.length ? 'frame' : undefined);
  };
  assert.equal(reasonOf(send(withTrailer(jpeg, jpeg.length + 100))), 'bad-trailer');
  assert.equal(reasonOf(send(withTrailer(jpeg, 0xffffffff))), 'bad-trailer');
  assert.equal(reasonOf(send(withTrailer(jpeg.subarray(0, -2), jpeg.length))), 'no-eoi');
  assert.equal(reasonOf(send(withTrailer(jpeg.subarray(2), jpeg.length))), 'no-soi');
  // The observed off-by-one (declared 25775 for 25776) is tolerated and the JPEG cut at its EOI.
  const tolerated = send(withTrailer(jpeg, jpeg.length - 1)).at(-1)!;
  assert.deepEqual(tolerated.frames, [jpeg]);
});

test('the JPEG is cut at the last FFD9, not at an embedded thumbnail EOI, and not in the size field', () => {
  const thumb = Buffer.concat([hex('ffd8'), fakeJpeg(100), hex('ffd9'), fakeJpeg(300)]);
  const trailer = Buffer.alloc(6);
  trailer.writeUInt32LE(thumb.length, 2);
  assert.deepEqual(extractJpeg(Buffer.concat([thumb, trailer])), { ok: true, jpeg: thumb });
  // Declared size 0xd9ff = bytes "ff d9 00 00": the size field must not be taken for an EOI.
  const big = fakeJpeg(0xd9ff - 4);
  const t2 = Buffer.alloc(6);
  t2.writeUInt32LE(big.length, 2);
  const r = extractJpeg(Buffer.concat([big, t2]));
  assert.ok(r.ok && r.jpeg.length === 0xd9ff, `the declared 0xd9ff bytes, got ${r.ok ? r.jpeg.length : r.reason}`);
  // 2 extra bytes that happen to be FF D9: the declared size wins.
  const t3 = Buffer.from([0xff, 0xd9, 0, 0, 0, 0]);
  t3.writeUInt32LE(thumb.length, 2);
  const r3 = extractJpeg(Buffer.concat([thumb, t3]));
  assert.ok(r3.ok && r3.jpeg.equals(thumb), `the declared ${thumb.length} bytes, got ${r3.ok ? r3.jpeg.length : r3.reason}`);
});

test('frames over the size cap are dropped as oversize, and the next frame is fine', () => {
  const assembler = new Assembler({ maxFrameBytes: 8 * 1024 });
  const big = fakeJpeg(20_000);
  const small = fakeJpeg(3000, 4);
  const a = fragments(big, 1);
  const results = feed(assembler, [...a, ...fragments(small, 1 + a.length)]);
  assert.equal(assembler.stats.dropReasons.oversize, 1);
  assert.equal(assembler.stats.framesDropped, 1);
  assert.deepEqual(frames(results), [small]);
  assert.equal(assembler.reassembler.heldBytes, 0);
});

test('a tiny frame is one packet with msg_flag 255 and is accepted, with or without trailer', () => {
  const tiny = fakeJpeg(200);
  const { datagrams, nextPkgId } = encodeJpegFragments(tiny, 7);
  assert.equal(datagrams.length, 1);
  assert.equal(nextPkgId, 8);
  const packet = decode(datagrams[0]!);
  assert.equal(packet.msgFlag, MsgFlag.Whole);
  const assembler = new Assembler();
  assert.deepEqual(assembler.push(packet).frames, [tiny]);
  const bare = assembler.push(decode(encodePacket({ cmd: Cmd.JpegFragment, msgFlag: MsgFlag.Whole, pkgId: 8, payload: tiny })));
  assert.deepEqual(bare.frames, [tiny]);
});

test('a whole frame behind an incomplete one waits for it, then follows its drop', () => {
  const assembler = new Assembler();
  const p = fragments(fakeJpeg(3000), 1);
  const tiny = fakeJpeg(100);
  assembler.push(p[0]!);
  assert.deepEqual(assembler.push(decode(encodeJpegFragments(tiny, 5).datagrams[0]!)), { frames: [], drops: [] });
  const r = assembler.tick();
  assert.deepEqual(r.frames, [tiny]);
  assert.deepEqual(
    r.drops.map((d) => d.reason),
    ['incomplete'],
  );
  assert.equal(assembler.stats.framesDropped, 1);
});

test('fragment payloads are 1004 bytes and ids are consecutive across the u32 wrap', () => {
  const { datagrams, nextPkgId } = encodeJpegFragments(fakeJpeg(5000), 0xffff_fffe);
  const ids = datagrams.map((d) => decode(d).pkgId);
  // 5002-byte JPEG + 5 tail bytes = 5007 → 5 fragments
  assert.deepEqual(ids, [0xffff_fffe, 0xffff_ffff, 0, 1, 2]);
  assert.equal(nextPkgId, 3);
  assert.ok(
    datagrams.slice(0, -1).every((d) => d.length === 20 + FRAGMENT_PAYLOAD_BYTES),
    `every fragment but the last is full, got lengths ${datagrams.map((d) => d.length).join(', ')}`,
  );
});

test('property: random loss, duplication and reordering never deliver a frame that was not sent, never throw', () => {
  const sent = Array.from({ length: 6 }, (_, i) => fakeJpeg(500 + i * 900, i + 1));
  const sentSet = new Set(sent.map((f) => f.toString('base64')));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 200 }),
      fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 200 }),
      // Longer than the tail's slack (4 bytes): a lost fragment always changes the frame's size.
      // And few enough per frame (≤ 257 + as many audio packets) to fit the window's ID_SPAN.
      fc.integer({ min: 16, max: 1200 }),
      (start, order, noise, actions, fragmentBytes) => {
        // Frames with audio packets sprinkled between (and inside) them, then numbered the way
        // the camera does: one pkg_id per media packet, video and audio alike.
        const unnumbered: Packet[] = [];
        let k = 0;
        for (const index of order) {
          for (const datagram of encodeJpegFragments(sent[index]!, 0, fragmentBytes).datagrams) {
            unnumbered.push(decode(datagram));
            if ((noise[k++ % Math.max(1, noise.length)] ?? 1) % 4 === 0) unnumbered.push(decode(encodeAudioPacket(Buffer.alloc(8), 0)));
          }
        }
        const packets = unnumbered.map((p, i) => ({ ...p, pkgId: (start + i) >>> 0 }));
        // Perturb: 0 = drop, 1 = duplicate, 2 = swap with next, else keep.
        const stream: Packet[] = [];
        for (let i = 0; i < packets.length; i++) {
          const action = actions[i % Math.max(1, actions.length)] ?? 9;
          const packet = packets[i]!;
          if (action === 0) continue;
          if (action === 1) stream.push(packet, packet);
          else if (action === 2 && i + 1 < packets.length) {
            stream.push(packets[i + 1]!, packet);
            i++;
          } else stream.push(packet);
        }
        const assembler = new Assembler({ maxFrameBytes: 64 * 1024 });
        let delivered = 0;
        for (const step of [...stream.map((packet) => assembler.push(packet)), assembler.tick()]) {
          for (const jpeg of step.frames) {
            delivered++;
            assert.ok(sentSet.has(jpeg.toString('base64')), 'delivered frame equals a sent one');
          }
        }
        const stats = assembler.stats;
        assert.equal(stats.framesDelivered, delivered);
        if (actions.length === 0) assert.equal(delivered, order.length, 'no perturbation → every frame arrives');
      },
    ),
    { numRuns: 300 },
  );
});

test('property: arbitrary bytes as fragments never throw', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cmd: fc.constantFrom(1, 4, 0),
          msgFlag: fc.constantFrom(0, 250, 251, 252, 255, 7),
          pkgId: fc.integer({ min: 0, max: 0xffff_ffff }),
          payload: fc.uint8Array({ maxLength: 64 }),
        }),
        { maxLength: 50 },
      ),
      (items) => {
        const assembler = new Assembler({ maxFrameBytes: 256 });
        for (const item of items) {
          assembler.push(decode(encodePacket({ ...item, payload: Buffer.from(item.payload) })));
        }
      },
    ),
  );
});
