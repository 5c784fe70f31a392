/**
 * Fuzzing every parser a camera (or anything else on the LAN) can reach: the 20-byte header and
 * datagram decoder, the TCP stream decoder, the JSON message parser and the fragment assembler.
 * Properties: never throw (except the documented ProtocolError), reject with a readable reason,
 * and keep memory bounded whatever the length fields claim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Cmd, decodeDatagram, encodePacket, HEADER_SIZE, MsgFlag, type Packet } from '../../src/protocol/header.js';
import { DECLARED_SIZE_TOLERANCE } from '../../src/protocol/fragments.js';
import { MediaReassembler, type FrameDrop, type MediaReassemblerOptions } from '../../src/protocol/reassembly.js';
import { parseJsonObject } from '../../src/protocol/json.js';
import { encodeCameraJson, isUnknownMessage, parseCameraMessage, toBaseInfo } from '../../src/protocol/messages.js';
import { DEFAULT_MAX_PAYLOAD, PacketStreamDecoder, ProtocolError } from '../../src/protocol/stream-decoder.js';
import { encodeJpegFragments, FRAME_TAIL_BYTES } from '../../src/simulator/media-encoder.js';

/** The reassembler with what each packet caused; time stands still (no window runs out). */
function reassembler(options: MediaReassemblerOptions = {}) {
  const r = new MediaReassembler(options);
  return {
    push(packet: Packet) {
      const step: { frames: Buffer[]; drops: FrameDrop[] } = { frames: [], drops: [] };
      for (const item of r.push(packet, 0)) {
        if (item.kind === 'frame') step.frames.push(item.frame.jpeg);
        else if (item.kind === 'drop') step.drops.push(item.drop);
      }
      return step;
    },
    get stats() {
      return r.stats;
    },
    get heldBytes() {
      return r.heldBytes;
    },
  };
}

const headerWithLength = (length: number, cmd = 0): Buffer => {
  const header = encodePacket({ cmd });
  header.writeUInt32LE(length >>> 0, 0);
  return header;
};

/** Length values a hostile peer would pick, plus fast-check's full u32 range. */
const lengthArb = fc.oneof(
  fc.constantFrom(
    0,
    1,
    DEFAULT_MAX_PAYLOAD - 1,
    DEFAULT_MAX_PAYLOAD,
    DEFAULT_MAX_PAYLOAD + 1,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffe,
    0xffff_ffff,
  ),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

// ---- header / datagrams ------------------------------------------------------------------------

test('datagrams: random bytes never throw; accepted ones have a payload of exactly the declared length', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1500 }), (bytes) => {
      const datagram = Buffer.from(bytes);
      const result = decodeDatagram(datagram);
      if (result.ok) {
        assert.ok(datagram.length >= HEADER_SIZE, `an accepted datagram holds the header, got ${datagram.length} bytes`);
        assert.equal(result.packet.payload.length, result.packet.length);
        assert.ok(
          result.packet.length <= datagram.length - HEADER_SIZE,
          `declared length ${result.packet.length} fits in the ${datagram.length - HEADER_SIZE} bytes after the header`,
        );
      } else {
        assert.match(result.reason, /shorter than the 20-byte header|exceeds the \d+ payload bytes received/);
      }
    }),
    { numRuns: 2000 },
  );
});

test('datagrams: any u32 length field is accepted only when the bytes are really there', () => {
  fc.assert(
    fc.property(lengthArb, fc.integer({ min: 0, max: 2048 }), (length, available) => {
      const datagram = Buffer.concat([headerWithLength(length, Cmd.JpegFragment), Buffer.alloc(available, 0x41)]);
      const result = decodeDatagram(datagram);
      assert.equal(result.ok, length <= available, `length ${length}, ${available} bytes`);
      if (!result.ok) assert.match(result.reason, new RegExp(`length field ${length} exceeds the ${available} payload bytes`));
    }),
    { numRuns: 1000 },
  );
});

// ---- TCP stream decoder ------------------------------------------------------------------------

test('stream decoder: every u32 length field is either an immediate ProtocolError or buffered as received (never pre-allocated)', () => {
  fc.assert(
    fc.property(lengthArb, fc.integer({ min: 0, max: 4096 }), (length, sent) => {
      const decoder = new PacketStreamDecoder();
      const body = Buffer.alloc(Math.min(sent, length), 0x20);
      if (length > DEFAULT_MAX_PAYLOAD) {
        assert.throws(
          () => decoder.push(Buffer.concat([headerWithLength(length), body])),
          (error: unknown) =>
            error instanceof ProtocolError &&
            error.message.includes(`length field ${length} exceeds the ${DEFAULT_MAX_PAYLOAD}-byte limit`),
        );
        assert.equal(decoder.bufferedBytes, 0, 'nothing kept after the error');
        return;
      }
      const packets = decoder.push(Buffer.concat([headerWithLength(length), body]));
      if (body.length === length) {
        assert.equal(packets.length, 1);
        assert.equal(decoder.bufferedBytes, 0);
      } else {
        assert.equal(packets.length, 0);
        assert.equal(decoder.bufferedBytes, HEADER_SIZE + body.length, 'buffers what arrived, not what the header claims');
      }
    }),
    { numRuns: 1000 },
  );
});

test('stream decoder: a header whose length field arrives byte by byte is still refused before any payload', () => {
  for (const length of [DEFAULT_MAX_PAYLOAD + 1, 0x1000_0000, 0xffff_ffff]) {
    const decoder = new PacketStreamDecoder();
    const header = headerWithLength(length);
    for (let i = 0; i < HEADER_SIZE - 1; i++) assert.deepEqual(decoder.push(header.subarray(i, i + 1)), []);
    assert.equal(decoder.bufferedBytes, HEADER_SIZE - 1);
    assert.throws(() => decoder.push(header.subarray(HEADER_SIZE - 1)), ProtocolError);
  }
});

/** A realistic control stream: registration, heartbeats, NAT result, sloppy X6 mini 301, a big payload. */
function controlStream(): { stream: Buffer; payloads: Buffer[] } {
  const packets = [
    encodeCameraJson('{"code": 100, "uid": "0800c00128F8", "token": "91edf41f" ,"domain": "v720.naxclow.com"}'),
    Buffer.from('0000000064000000000000000000000000000000', 'hex'),
    encodeCameraJson({ code: 12, status: 200, devIp: '10.0.0.5', devPort: 4000, cliTarget: 'a'.repeat(32), cliToken: 'b'.repeat(8) }),
    encodeCameraJson('{"code": 301 , "target": "x", "content":  {"code": 4 , "IrLed":  2, "udpPlayBack": 1} }'),
    encodeCameraJson({ code: 301, content: { code: 4, wifiName: 'w'.repeat(DEFAULT_MAX_PAYLOAD - 60) } }),
    Buffer.from('0000000064000000000000000000000000000000', 'hex'),
  ];
  return { stream: Buffer.concat(packets), payloads: packets.map((p) => p.subarray(HEADER_SIZE)) };
}

test('stream decoder: a mixed control stream split at every offset (and fed byte by byte) decodes identically, with bounded buffering', () => {
  const { stream, payloads } = controlStream();
  const largest = Math.max(...payloads.map((p) => p.length)) + HEADER_SIZE;
  // Two chunks, cut at every offset; a step keeps this fast while still hitting every packet boundary region.
  for (let cut = 0; cut <= stream.length; cut += cut < 400 || stream.length - cut < 400 ? 1 : 97) {
    const decoder = new PacketStreamDecoder();
    const out = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(
      out.map((p) => p.payload),
      payloads,
      `cut at ${cut}`,
    );
    assert.equal(decoder.bufferedBytes, 0);
  }
  const decoder = new PacketStreamDecoder();
  const out: Packet[] = [];
  let peak = 0;
  for (let i = 0; i < stream.length; i++) {
    out.push(...decoder.push(stream.subarray(i, i + 1)));
    peak = Math.max(peak, decoder.bufferedBytes);
  }
  assert.deepEqual(
    out.map((p) => p.payload),
    payloads,
  );
  assert.ok(peak < largest, `peak buffer ${peak} below the largest packet ${largest}`);
});

test('stream decoder: every truncation yields exactly the whole packets before the cut', () => {
  const { stream, payloads } = controlStream();
  const ends: number[] = [];
  let offset = 0;
  for (const payload of payloads) ends.push((offset += HEADER_SIZE + payload.length));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: stream.length }), (cut) => {
      const decoder = new PacketStreamDecoder();
      const out = decoder.push(stream.subarray(0, cut));
      const complete = ends.filter((end) => end <= cut).length;
      assert.equal(out.length, complete);
      assert.equal(decoder.bufferedBytes, cut - (complete === 0 ? 0 : ends[complete - 1]!));
    }),
    { numRuns: 500 },
  );
});

test('stream decoder: random junk in random chunks keeps the buffer below one maximal packet', () => {
  const max = 2048;
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 700 }), { maxLength: 60 }), (chunks) => {
      const decoder = new PacketStreamDecoder(max);
      for (const chunk of chunks) {
        try {
          decoder.push(Buffer.from(chunk));
        } catch (error) {
          assert.ok(error instanceof ProtocolError, `only ProtocolError may escape, got ${String(error)}`);
          assert.equal(decoder.bufferedBytes, 0);
          return; // the connection would be dropped here
        }
        assert.ok(decoder.bufferedBytes < HEADER_SIZE + max, `buffered ${decoder.bufferedBytes}`);
      }
    }),
    { numRuns: 1000 },
  );
});

// ---- JSON messages -------------------------------------------------------------------------------

const codeArb = fc.constantFrom<unknown>(100, 12, 20, 51, 301, 4, 777, '100', ' 51 ', 4.5, -1, null, true, [], {}, 1e308, 'NaN');

test('JSON: any value in any field is parsed or rejected with a reason, never thrown, and typed fields have their types', () => {
  fc.assert(
    fc.property(
      fc.record(
        {
          code: codeArb,
          uid: fc.oneof(fc.string({ maxLength: 80 }), fc.anything()),
          token: fc.anything(),
          devTarget: fc.oneof(fc.string({ maxLength: 80 }), fc.anything()),
          content: fc.oneof(fc.record({ code: codeArb, IrLed: fc.anything(), extra: fc.anything() }), fc.anything()),
          status: fc.anything(),
          devPort: fc.anything(),
        },
        { requiredKeys: [] },
      ),
      (message) => {
        const result = parseCameraMessage(Buffer.from(JSON.stringify(message)));
        if (!result.ok) {
          assert.equal(typeof result.reason, 'string');
          assert.ok(result.reason.length > 0 && result.reason.length < 400, 'short reason for the log');
          return;
        }
        const value = result.value;
        if (isUnknownMessage(value)) return;
        switch (value.code) {
          case 100:
            assert.equal(typeof value.uid, 'string');
            assert.ok(value.uid.length >= 1 && value.uid.length <= 64, `uid of 1 to 64 characters, got ${value.uid.length}`);
            assert.equal(typeof value.token, 'string');
            break;
          case 51:
            assert.equal(typeof value.devTarget, 'string');
            break;
          case 301:
            assert.ok(Number.isFinite(value.content.code), `a finite content code, got ${value.content.code}`);
            for (const field of Object.values(toBaseInfo(value.content)))
              assert.ok(['number', 'string', 'boolean'].includes(typeof field), `a base info field is a scalar, got ${typeof field}`);
            break;
          case 12:
            assert.ok(value.devPort === undefined || Number.isFinite(value.devPort), `devPort absent or finite, got ${value.devPort}`);
            break;
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('JSON: random bytes (invalid UTF-8, NUL, BOM, truncated JSON) are rejected with a printable, bounded reason', () => {
  const prefixes = ['', '\ufeff', '{"code":100,"uid":"', '{"code":301,"content":{', '[', '"'];
  fc.assert(
    fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 3000 }), (prefix, bytes) => {
      const payload = Buffer.concat([Buffer.from(prefix), Buffer.from(bytes)]);
      const result = parseCameraMessage(payload);
      if (result.ok) return;
      assert.ok(result.reason.length < 400, `reason of ${result.reason.length} chars`);
      assert.match(
        result.reason,
        /^(payload is not JSON|payload is JSON but not an object|JSON nested deeper|registration \(code 100\)|probe \(code 51\)|forward \(code 301\))/,
      );
      // The excerpt of the payload after the reason is printable (the parser's own message may quote one char).
      const excerpt = result.reason.slice(result.reason.lastIndexOf('): ') + 3);
      assert.match(excerpt, /^[\x20-\x7e…]*( \(\d+ bytes\))?$/);
    }),
    { numRuns: 1500 },
  );
});

test('JSON: huge strings are refused as identities and never echoed whole into a log reason', () => {
  const big = 'A'.repeat(60_000);
  const register = parseCameraMessage(Buffer.from(JSON.stringify({ code: 100, uid: big, token: big })));
  assert.equal(register.ok, false);
  assert.match(register.ok ? '' : register.reason, /^registration \(code 100\) without a usable "uid" \(4 to 32 letters and digits\)$/);
  const probe = parseCameraMessage(Buffer.from(JSON.stringify({ code: 51, devTarget: big })));
  assert.equal(probe.ok, false);
  const notJson = parseCameraMessage(Buffer.from(`{"code":100,"uid":"${'x'.repeat(1_000_000)}`));
  assert.ok(
    !notJson.ok && notJson.reason.length < 300 && /\(1000\d{3} bytes\)/.test(notJson.reason),
    'reason names the size, shows a preview only',
  );
});

test('JSON: deep nesting is refused with a reason, at any depth, without blowing the stack', () => {
  for (const depth of [17, 100, 10_000, 200_000]) {
    const nested = `{"code":301,"content":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const result = parseCameraMessage(Buffer.from(nested));
    assert.equal(result.ok, false, `depth ${depth}`);
    const objects = `{"code":4,"a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
    const parsed = parseJsonObject(Buffer.from(objects));
    assert.ok(
      !parsed.ok && /nested deeper than 16 levels|not JSON/.test(parsed.reason),
      `object depth ${depth}: ${parsed.ok ? 'accepted' : parsed.reason}`,
    );
  }
  const ok = parseCameraMessage(Buffer.from(`{"code":301,"content":{"code":4,"x":${'['.repeat(14)}${']'.repeat(14)}}}`));
  assert.equal(ok.ok, true, '14 levels are still fine');
});

test('JSON: very wide arrays and objects are parsed or refused, never a RangeError (regression: Math.max spread)', () => {
  for (const n of [1_000, 150_000, 500_000]) {
    const wideArray = Buffer.from(`{"code":777,"a":[${new Array(n).fill(0).join(',')}]}`);
    assert.doesNotThrow(() => parseCameraMessage(wideArray), `array of ${n}`);
    const wideObject = Buffer.from(`{"code":777,${Array.from({ length: n }, (_, i) => `"k${i}":0`).join(',')}}`);
    assert.doesNotThrow(() => parseCameraMessage(wideObject), `object of ${n} keys`);
    assert.equal(parseCameraMessage(wideObject).ok, true);
  }
});

// ---- media fragments ---------------------------------------------------------------------------

/** SOI + bytes that never contain FF D9 + EOI: the only EOI is the real end. */
function syntheticJpeg(body: Uint8Array): Buffer {
  const clean = Buffer.from(body).map((b) => (b === 0xff ? 0xfe : b));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), clean, Buffer.from([0xff, 0xd9])]);
}

function packetsOf(datagrams: readonly Buffer[]): Packet[] {
  return datagrams.map((d) => {
    const r = decodeDatagram(d);
    assert.ok(r.ok, 'a datagram from our own encoder decodes');
    return r.packet;
  });
}

test('fragments: a random declared size in the trailer delivers the exact JPEG only within the tolerance, else a bad-trailer drop', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 10, maxLength: 5000 }),
      fc.oneof(
        fc.record({ near: fc.constant(true), value: fc.integer({ min: -12, max: 12 }) }),
        fc.record({ near: fc.constant(false), value: fc.integer({ min: 0, max: 0xffff_ffff }) }),
      ),
      fc.integer({ min: 16, max: 1100 }),
      (body, size, fragmentBytes) => {
        const jpeg = syntheticJpeg(body);
        const declared = size.near ? jpeg.length + size.value : size.value;
        const { datagrams } = encodeJpegFragments(jpeg, 1, fragmentBytes);
        const packets = packetsOf(datagrams);
        // A one-packet (255) frame without a valid trailer is accepted when it simply ends in FFD9;
        // a size field whose top bytes read FF D9 would be that case, which is not under test here.
        fc.pre(!(packets.length === 1 && declared >>> 16 === 0xd9ff));
        // Rewrite the u32 size field (it may straddle the last two fragments).
        const data = Buffer.concat(packets.map((p) => p.payload));
        data.writeUInt32LE(declared >>> 0, data.length - 4);
        let at = 0;
        for (const [i, p] of packets.entries()) {
          packets[i] = { ...p, payload: data.subarray(at, at + p.payload.length) };
          at += p.payload.length;
        }
        const assembler = reassembler();
        const results = packets.map((p) => assembler.push(p));
        const final = results[results.length - 1]!;
        // Size field sits at jpeg.length + 1 (the encoder's 5-byte tail, as measured); the declared size
        // may point at an EOI only at jpeg.length, and may not reach beyond the reassembled data.
        const acceptable =
          declared >>> 0 === jpeg.length ||
          (declared >>> 0 <= jpeg.length + FRAME_TAIL_BYTES && Math.abs((declared >>> 0) - jpeg.length) <= DECLARED_SIZE_TOLERANCE);
        if (acceptable) {
          assert.deepEqual(final.frames, [jpeg], `declared ${declared} for ${jpeg.length}: exactly the JPEG, nothing after FFD9`);
        } else {
          assert.deepEqual(
            final.drops.map((d) => d.reason),
            ['bad-trailer'],
            `declared ${declared} for ${jpeg.length}`,
          );
          assert.match(final.drops[0]!.detail, /declared size \d+ vs JPEG of \d+ bytes/);
        }
        assert.equal(assembler.heldBytes, 0);
      },
    ),
    { numRuns: 1500 },
  );
});

test('fragments: a frame that never ends (endless middle fragments) is capped; held memory never exceeds the cap', () => {
  const cap = 16 * 1024;
  const assembler = reassembler({ maxFrameBytes: cap });
  const chunk = Buffer.alloc(1004, 0x11);
  let pkg = 0xffff_fff0; // across the u32 wrap as well
  const push = (msgFlag: number, payload = chunk) =>
    assembler.push({
      length: payload.length,
      cmd: Cmd.JpegFragment,
      msgFlag,
      dealFlag: 0,
      forwardId: Buffer.alloc(8),
      pkgId: pkg++ >>> 0,
      payload,
    });
  push(MsgFlag.FirstFragment, Buffer.concat([Buffer.from([0xff, 0xd8]), chunk]));
  let peak = 0;
  for (let i = 0; i < 20_000; i++) {
    push(MsgFlag.MiddleFragment);
    peak = Math.max(peak, assembler.heldBytes);
  }
  assert.ok(peak <= cap, `peak pending ${peak}`);
  const stats = assembler.stats;
  assert.equal(stats.dropReasons.oversize, 1, 'one oversize drop for the one runaway frame');
  assert.ok(stats.discardedFragments > 19_000, 'the rest is discarded without buffering');
  // A first fragment with a new frame starts over cleanly.
  const jpeg = syntheticJpeg(Buffer.alloc(3000, 7));
  let delivered: Buffer | undefined;
  for (const p of packetsOf(encodeJpegFragments(jpeg, pkg).datagrams)) {
    delivered = assembler.push(p).frames[0] ?? delivered;
  }
  assert.ok(delivered?.equals(jpeg), 'the next frame after the runaway one is delivered intact');
});

test('fragments: hostile streams (restarts, unknown flags, wild pkg ids, duplicates) keep the held bytes ≤ cap and counters consistent', () => {
  const cap = 8 * 1024;
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          cmd: fc.constantFrom(Cmd.JpegFragment, Cmd.JpegFragment, Cmd.JpegFragment, Cmd.G711Alaw, Cmd.Json),
          msgFlag: fc.constantFrom(250, 251, 251, 251, 252, 255, 0, 9),
          step: fc.oneof(
            fc.constant(1),
            fc.constant(1),
            fc.constant(0),
            fc.integer({ min: -5, max: 5 }),
            fc.integer({ min: 0, max: 0xffff_ffff }),
          ),
          size: fc.integer({ min: 0, max: 3000 }),
          soi: fc.boolean(),
        }),
        { maxLength: 300 },
      ),
      (items) => {
        const assembler = reassembler({ maxFrameBytes: cap, maxHeldBytes: cap });
        let pkg = 0;
        let frames = 0;
        let drops = 0;
        for (const item of items) {
          pkg = (pkg + item.step) >>> 0;
          const payload = Buffer.alloc(item.size, 0x33);
          if (item.soi && payload.length >= 2) payload.writeUInt16BE(0xffd8, 0);
          const r = assembler.push({
            length: payload.length,
            cmd: item.cmd,
            msgFlag: item.msgFlag,
            dealFlag: 0,
            forwardId: Buffer.alloc(8),
            pkgId: pkg,
            payload,
          });
          for (const jpeg of r.frames) {
            frames++;
            assert.equal(jpeg[0], 0xff);
            assert.equal(jpeg[jpeg.length - 1], 0xd9);
          }
          drops += r.drops.length;
          assert.ok(assembler.heldBytes <= cap, `held ${assembler.heldBytes}`);
        }
        const stats = assembler.stats;
        assert.equal(stats.framesDelivered, frames);
        assert.equal(stats.framesDropped, drops, 'every drop is reported and counted');
        assert.equal(
          Object.values(stats.dropReasons).reduce((a, b) => a + b, 0),
          stats.framesDropped,
        );
      },
    ),
    { numRuns: 500 },
  );
});
