/**
 * The byte-level rules of fragments.ts, at their bounds: how an unflagged fragment is classified,
 * where the JPEG ends in a frame's bytes (tail, declared size, tolerance), and when a frame's
 * bytes "add up" to its declared size.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cmd, type Packet } from '../../src/protocol/header.js';
import {
  classifyFragment,
  cutAtLastEoi,
  DECLARED_SIZE_TOLERANCE,
  DEFAULT_MAX_FRAME_BYTES,
  extractJpeg,
  fitsDeclaredSize,
  FragmentRole,
  MAX_TAIL_BYTES,
  SIZE_FIELD_BYTES,
} from '../../src/protocol/fragments.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** A JPEG-shaped buffer: FFD8, filler, FFD9. */
function jpeg(length: number): Buffer {
  const out = Buffer.alloc(length, 0x42);
  out.writeUInt16BE(0xffd8, 0);
  out.writeUInt16BE(0xffd9, length - 2);
  return out;
}

/** `unknown` tail bytes, then the u32 LE declared size. */
function tail(declared: number, unknown = 1): Buffer {
  const out = Buffer.alloc(unknown + 4);
  out.writeUInt32LE(declared, unknown);
  return out;
}

const packet = (msgFlag: number, payload: Buffer): Packet => ({
  length: payload.length,
  cmd: Cmd.JpegFragment,
  msgFlag,
  dealFlag: 0,
  forwardId: Buffer.alloc(8),
  pkgId: 1,
  payload,
});

test('the constants of the frame format', () => {
  assert.deepEqual([SIZE_FIELD_BYTES, MAX_TAIL_BYTES, DECLARED_SIZE_TOLERANCE, DEFAULT_MAX_FRAME_BYTES], [4, 8, 8, 524_288]);
});

test('flagged fragments: the flag decides, whatever the bytes', () => {
  const bytes = jpeg(10);
  assert.deepEqual(classifyFragment(packet(250, bytes)), { role: FragmentRole.First, unflagged: false });
  assert.deepEqual(classifyFragment(packet(251, bytes)), { role: FragmentRole.Middle, unflagged: false });
  assert.deepEqual(classifyFragment(packet(252, Buffer.alloc(3))), { role: FragmentRole.Last, unflagged: false });
  assert.deepEqual(classifyFragment(packet(255, Buffer.alloc(3))), { role: FragmentRole.Whole, unflagged: false });
});

test('unflagged fragments: FFD8 at the start, FFD9 within the last 10 bytes', () => {
  const role = (payload: Buffer) => {
    const classified = classifyFragment(packet(0, payload));
    assert.equal(classified.unflagged, true);
    return classified.role;
  };
  assert.equal(role(jpeg(20)), FragmentRole.Whole);
  assert.equal(role(hex('ffd8 4242 4242')), FragmentRole.First);
  assert.equal(role(hex('ffd8')), FragmentRole.First);
  assert.equal(role(hex('ffd9')), FragmentRole.Last);
  assert.equal(role(Buffer.concat([hex('4242 ffd9'), Buffer.alloc(8)])), FragmentRole.Last, 'FFD9 then 8 tail bytes: the end');
  assert.equal(role(Buffer.concat([hex('4242 ffd9'), Buffer.alloc(9)])), FragmentRole.Middle, 'FFD9 then 9 bytes: not the end');
  assert.equal(role(Buffer.concat([jpeg(20), Buffer.alloc(8)])), FragmentRole.Whole);
  assert.equal(role(hex('ff')), FragmentRole.Middle, 'one byte cannot start a JPEG');
  assert.equal(role(hex('d8ff d8ff')), FragmentRole.Middle);
  assert.equal(role(Buffer.alloc(0)), FragmentRole.Middle);
  assert.equal(classifyFragment(packet(253, jpeg(4))).unflagged, true, 'any other flag is unflagged');
});

test('extractJpeg: the declared size is trusted when it lands right after an FFD9', () => {
  const image = jpeg(20);
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(20)])), { ok: true, jpeg: image });
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(20, 0)])), { ok: true, jpeg: image }, 'a 4-byte tail: the size field only');
  // Unknown tail bytes that happen to be FF D9: the declared size still ends the JPEG exactly.
  const tricky = Buffer.concat([image, hex('ffd9'), Buffer.from([20, 0, 0, 0])]);
  assert.deepEqual(extractJpeg(tricky), { ok: true, jpeg: image });
});

test('extractJpeg: otherwise the last FFD9 before the size field, if the declared size is within 8 bytes of it', () => {
  const image = jpeg(20);
  assert.deepEqual(
    extractJpeg(Buffer.concat([image, tail(20 + 8, 4)])),
    { ok: true, jpeg: image },
    'declared 8 too large, = the frame size',
  );
  assert.deepEqual(
    extractJpeg(Buffer.concat([image, tail(20 + 7, 2)])),
    { ok: false, reason: 'bad-trailer', detail: 'declared size 27 vs JPEG of 20 bytes in 26' },
    'declared beyond the frame',
  );
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(20 - 8, 2)])), { ok: true, jpeg: image }, 'declared 8 too small');
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(20 + 9, 2)])), {
    ok: false,
    reason: 'bad-trailer',
    detail: 'declared size 29 vs JPEG of 20 bytes in 26',
  });
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(20 - 9, 2)])), {
    ok: false,
    reason: 'bad-trailer',
    detail: 'declared size 11 vs JPEG of 20 bytes in 26',
  });
  assert.deepEqual(extractJpeg(Buffer.concat([image, tail(1000, 2)])), {
    ok: false,
    reason: 'bad-trailer',
    detail: 'declared size 1000 vs JPEG of 20 bytes in 26',
  });
});

test('extractJpeg: SOI, EOI and minimum sizes', () => {
  assert.deepEqual(extractJpeg(hex('ffd8ff')), { ok: false, reason: 'no-soi', detail: '3 bytes not starting with FFD8' });
  assert.deepEqual(extractJpeg(Buffer.concat([hex('00d8'), jpeg(10), tail(12)])), {
    ok: false,
    reason: 'no-soi',
    detail: '17 bytes not starting with FFD8',
  });
  assert.deepEqual(extractJpeg(Buffer.concat([hex('ff00'), jpeg(10)])).ok, false);
  assert.deepEqual(extractJpeg(Buffer.concat([hex('ffd8 4242 4242'), tail(6)])), {
    ok: false,
    reason: 'no-eoi',
    detail: 'no FFD9 in 11 bytes',
  });
  assert.deepEqual(extractJpeg(hex('ffd8 ffd9 0000 00')), {
    ok: false,
    reason: 'bad-trailer',
    detail: '7 bytes cannot hold a JPEG and a size field',
  });
  const smallest = jpeg(4);
  assert.deepEqual(
    extractJpeg(Buffer.concat([smallest, tail(4, 0)])),
    { ok: true, jpeg: smallest },
    'the smallest JPEG with its size field',
  );
  assert.deepEqual(extractJpeg(Buffer.concat([smallest, tail(0, 0)])), { ok: true, jpeg: smallest }, 'declared 0: found by its FFD9');
});

test('extractJpeg on a whole (flag 255) frame: a JPEG without a tail is accepted only then', () => {
  const image = jpeg(30);
  assert.deepEqual(extractJpeg(image, true), { ok: true, jpeg: image });
  assert.equal(extractJpeg(image, false).ok, false);
  assert.deepEqual(extractJpeg(jpeg(4), true), { ok: true, jpeg: jpeg(4) });
  const noEnd = Buffer.concat([hex('ffd8'), Buffer.alloc(30, 0x42)]);
  assert.deepEqual(extractJpeg(noEnd, true), { ok: false, reason: 'no-eoi', detail: 'no FFD9 in 32 bytes' });
  const endsInFf = Buffer.concat([hex('ffd8'), Buffer.alloc(30, 0x42), hex('ff')]);
  assert.equal(extractJpeg(endsInFf, true).ok, false);
  const endsInD9 = Buffer.concat([hex('ffd8'), Buffer.alloc(30, 0x42), hex('d9')]);
  assert.equal(extractJpeg(endsInD9, true).ok, false);
});

test('cutAtLastEoi (unflagged frames): FFD8 … the last FFD9, at most 8 bytes after it', () => {
  const image = jpeg(20);
  assert.deepEqual(cutAtLastEoi(image), { ok: true, jpeg: image });
  assert.deepEqual(cutAtLastEoi(Buffer.concat([image, Buffer.alloc(8)])), { ok: true, jpeg: image });
  assert.deepEqual(cutAtLastEoi(Buffer.concat([image, Buffer.alloc(9)])), {
    ok: false,
    reason: 'no-eoi',
    detail: 'no FFD9 in the last 10 of 29 bytes',
  });
  assert.deepEqual(cutAtLastEoi(jpeg(4)), { ok: true, jpeg: jpeg(4) });
  assert.deepEqual(cutAtLastEoi(hex('ffd8 4242')), { ok: false, reason: 'no-eoi', detail: 'no FFD9 in the last 10 of 4 bytes' });
  assert.deepEqual(cutAtLastEoi(hex('ffd8 ff')), { ok: false, reason: 'no-soi', detail: '3 bytes not starting with FFD8' });
  assert.deepEqual(cutAtLastEoi(hex('ff00 ffd9')), { ok: false, reason: 'no-soi', detail: '4 bytes not starting with FFD8' });
  assert.equal(cutAtLastEoi(hex('00d8 ffd9')).ok, false);
});

test('fitsDeclaredSize: one JPEG plus a 4–8 byte tail whose size field points right after its FFD9, across chunk borders', () => {
  const image = jpeg(20);
  const split = (data: Buffer, ...cuts: number[]): Buffer[] => {
    const out: Buffer[] = [];
    let from = 0;
    for (const cut of [...cuts, data.length]) {
      out.push(data.subarray(from, cut));
      from = cut;
    }
    return out;
  };
  for (const unknown of [0, 1, 2, 3, 4]) {
    const data = Buffer.concat([image, tail(20, unknown)]);
    for (const cuts of [[], [1], [19], [21], [data.length - 2], [1, 2, 19]]) {
      assert.equal(fitsDeclaredSize(split(data, ...cuts), data.length), true, `tail ${unknown + 4}, cuts ${cuts.join(',')}`);
    }
  }
  const tooLong = Buffer.concat([image, tail(20, 5)]);
  assert.equal(fitsDeclaredSize([tooLong], tooLong.length), false, 'a 9-byte tail');
  const short = Buffer.concat([image.subarray(0, 19), hex('d9'), Buffer.from([21, 0, 0, 0])]);
  assert.equal(fitsDeclaredSize([short], short.length), false, 'a 3-byte tail: the size points into the size field');
  assert.equal(fitsDeclaredSize([Buffer.concat([jpeg(4), tail(4, 0)])], 8), true, 'the smallest: 4 + 4 bytes');
  assert.equal(fitsDeclaredSize([Buffer.concat([jpeg(4), tail(4, 0)]).subarray(0, 7)], 7), false, 'fewer than 8 bytes');
  assert.equal(fitsDeclaredSize([Buffer.concat([hex('ffd9 4242'), tail(3, 1)])], 9), false, 'a declared size under 4');
  assert.equal(fitsDeclaredSize([Buffer.concat([hex('00d8'), image.subarray(2), tail(20)])], 25), false, 'no SOI');
  assert.equal(fitsDeclaredSize([Buffer.concat([hex('ff00'), image.subarray(2), tail(20)])], 25), false, 'SOI second byte wrong');
  assert.equal(fitsDeclaredSize([Buffer.concat([image.subarray(0, 18), hex('00d9'), tail(20)])], 25), false, 'no EOI');
  assert.equal(fitsDeclaredSize([Buffer.concat([image.subarray(0, 18), hex('ff00'), tail(20)])], 25), false, 'EOI second byte wrong');
  // The size field's high bytes count: 20 + 2^24 is not 20.
  const high = Buffer.concat([image, Buffer.from([0, 20, 0, 0, 1])]);
  assert.equal(fitsDeclaredSize([high], high.length), false);
  // `total` is what the chunks hold; a missing fragment longer than the tail cannot pass.
  const data = Buffer.concat([image, tail(20)]);
  assert.equal(fitsDeclaredSize([data.subarray(0, 5), data.subarray(10)], data.length - 5), false);
});

test('extractJpeg: the declared size needs FF D9 right before it, inside the bytes before the size field', () => {
  const image = jpeg(20);
  const sized = (declared: number) => Buffer.from(new Uint32Array([declared]).buffer);
  assert.deepEqual(extractJpeg(Buffer.concat([image, hex('d9'), sized(21)])), { ok: true, jpeg: image }, 'D9 without FF before it');
  assert.deepEqual(extractJpeg(Buffer.concat([image, hex('ff00'), sized(22)])), { ok: true, jpeg: image }, 'FF without D9 after it');
  assert.deepEqual(
    extractJpeg(Buffer.concat([image, hex('00ffd9'), sized(20)])),
    { ok: true, jpeg: image },
    'an FFD9 in the tail after the declared end',
  );
  // The size field itself reads FF D9 (declared 0xD9FF = 55807, two bytes past the field's start):
  // the JPEG still ends at its own FFD9, not inside the size field.
  const big = jpeg(55_803);
  assert.deepEqual(extractJpeg(Buffer.concat([big, hex('0000'), hex('ffd90000')])), { ok: true, jpeg: big });
  assert.equal(extractJpeg(image).ok, false, 'without the whole-frame flag a tail is required');
  assert.equal(extractJpeg(Buffer.concat([image.subarray(0, 1), hex('00'), image.subarray(2), tail(20)])).ok, false);
  assert.deepEqual(extractJpeg(Buffer.concat([hex('ff00'), image.subarray(2), tail(20)])), {
    ok: false,
    reason: 'no-soi',
    detail: '25 bytes not starting with FFD8',
  });
  assert.equal(extractJpeg(Buffer.concat([hex('ffd8'), Buffer.alloc(30, 0x42), hex('ff00')]), true).ok, false, 'ends in FF 00');
  assert.equal(classifyFragment(packet(0, hex('00d8 4242'))).role, FragmentRole.Middle, 'D8 alone does not start a JPEG');
});

test('fitsDeclaredSize: a size field whose first byte is D9 after an FF is still no 3-byte tail', () => {
  const data = Buffer.alloc(220, 0x42);
  data.writeUInt16BE(0xffd8, 0);
  data[215] = 0xff;
  data.writeUInt32LE(217, 216); // declared 217 = 0xD9: bytes 215, 216 read FF D9
  assert.equal(fitsDeclaredSize([data], data.length), false);
});
