import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { encodePacket } from '../../src/protocol/header.js';
import { encodeCameraJson } from '../../src/protocol/messages.js';
import { PacketStreamDecoder, ProtocolError } from '../../src/protocol/stream-decoder.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const REGISTRATION = Buffer.concat([
  hex('57000000 0000 00 00 0000000000000000 00000000'),
  Buffer.from('{"code": 100, "uid": "0800c00128F8", "token": "91edf41f" ,"domain": "v720.naxclow.com"}'),
]);
const HEARTBEAT = hex('00000000 6400 00 00 0000000000000000 00000000');

test('the observed 107-byte registration decodes as one packet', () => {
  assert.equal(REGISTRATION.length, 107);
  const packets = new PacketStreamDecoder().push(REGISTRATION);
  assert.equal(packets.length, 1);
  assert.equal(packets[0]?.length, 87);
  assert.equal((JSON.parse(packets[0]?.payload.toString() ?? '') as { uid?: unknown }).uid, '0800c00128F8');
});

test('a registration split at every byte offset decodes identically', () => {
  for (let cut = 0; cut <= REGISTRATION.length; cut++) {
    const decoder = new PacketStreamDecoder();
    const packets = [...decoder.push(REGISTRATION.subarray(0, cut)), ...decoder.push(REGISTRATION.subarray(cut))];
    assert.equal(packets.length, 1, `cut at ${cut}`);
    assert.deepEqual(packets[0]?.payload, REGISTRATION.subarray(20));
    assert.equal(decoder.bufferedBytes, 0);
  }
});

test('coalesced packets come out in order, with the remainder kept', () => {
  const decoder = new PacketStreamDecoder();
  const stream = Buffer.concat([REGISTRATION, HEARTBEAT, HEARTBEAT, REGISTRATION.subarray(0, 30)]);
  const packets = decoder.push(stream);
  assert.deepEqual(
    packets.map((p) => p.cmd),
    [0, 100, 100],
  );
  assert.equal(decoder.bufferedBytes, 30);
  assert.equal(decoder.push(REGISTRATION.subarray(30)).length, 1);
});

test('a length field over the bound is a ProtocolError naming the length', () => {
  const decoder = new PacketStreamDecoder(64 * 1024);
  assert.throws(
    () => decoder.push(hex('ffffffff 0000 00 00 0000000000000000 00000000')),
    (error: unknown) => {
      assert.ok(error instanceof ProtocolError, `a ProtocolError, got ${String(error)}`);
      assert.equal(error.name, 'ProtocolError');
      assert.match(error.message, /length field 4294967295 exceeds the 65536-byte limit/);
      return true;
    },
  );
});

test('property: any sequence of packets split into any chunks decodes to the same packets', () => {
  const packetArb = fc.record({
    cmd: fc.integer({ min: 0, max: 0xffff }),
    msgFlag: fc.integer({ min: 0, max: 255 }),
    pkgId: fc.integer({ min: 0, max: 0xffffffff }),
    payload: fc.uint8Array({ maxLength: 300 }),
  });
  fc.assert(
    fc.property(fc.array(packetArb, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (specs, cuts) => {
      const encoded = specs.map((s) => encodePacket({ ...s, payload: Buffer.from(s.payload) }));
      const stream = Buffer.concat(encoded);
      const decoder = new PacketStreamDecoder();
      const out = [];
      let offset = 0;
      let i = 0;
      while (offset < stream.length) {
        const size = cuts[i++ % cuts.length] as number;
        out.push(...decoder.push(stream.subarray(offset, offset + size)));
        offset += size;
      }
      assert.equal(out.length, specs.length);
      out.forEach((packet, index) => {
        const spec = specs[index]!;
        assert.equal(packet.cmd, spec.cmd);
        assert.equal(packet.pkgId, spec.pkgId);
        assert.deepEqual(packet.payload, Buffer.from(spec.payload));
      });
    }),
  );
});

test('property: random bytes never crash the decoder; they yield packets or a ProtocolError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const decoder = new PacketStreamDecoder(1024);
      try {
        decoder.push(Buffer.from(bytes));
      } catch (error) {
        assert.ok(error instanceof ProtocolError, `a ProtocolError, got ${String(error)}`);
      }
      assert.ok(decoder.bufferedBytes <= 1024 + 20, `${decoder.bufferedBytes} bytes buffered, cap ${1024 + 20}`);
    }),
  );
});

test('camera JSON helper writes cmd 0 with a zero forward id', () => {
  const packet = encodeCameraJson({ code: 20 });
  assert.deepEqual(packet.subarray(0, 20), hex('0b000000 0000 00 00 0000000000000000 00000000'));
});

test('the payload bound: exactly at it is a packet, one byte past it is a ProtocolError', () => {
  const atLimit = encodePacket({ cmd: 0, payload: Buffer.alloc(100, 0x61) });
  const decoder = new PacketStreamDecoder(100);
  assert.equal(decoder.push(atLimit).length, 1);
  const pastLimit = encodePacket({ cmd: 0, payload: Buffer.alloc(101, 0x61) });
  assert.throws(() => decoder.push(pastLimit), /length field 101 exceeds the 100-byte limit \(cmd 0\)/);
  assert.equal(decoder.bufferedBytes, 0, 'nothing is kept after a framing error');
  assert.deepEqual(decoder.pendingHead(), Buffer.alloc(0));
});

test('the default bound is 64 KiB', () => {
  const decoder = new PacketStreamDecoder();
  assert.equal(decoder.push(encodePacket({ cmd: 0, payload: Buffer.alloc(65536) })).length, 1);
  assert.throws(
    () => decoder.push(encodePacket({ cmd: 0, payload: Buffer.alloc(65537) })),
    /length field 65537 exceeds the 65536-byte limit/,
  );
});

test('a packet is returned as soon as its last byte arrives, not one chunk later', () => {
  const decoder = new PacketStreamDecoder();
  assert.deepEqual(decoder.push(REGISTRATION.subarray(0, 19)), []);
  assert.deepEqual(decoder.push(REGISTRATION.subarray(19, 20)), []);
  assert.equal(decoder.bufferedBytes, 20);
  assert.deepEqual(decoder.push(REGISTRATION.subarray(20, 106)), []);
  const [packet] = decoder.push(REGISTRATION.subarray(106));
  assert.deepEqual(packet?.payload, REGISTRATION.subarray(20));
  assert.equal(decoder.bufferedBytes, 0);
  assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
  // A header alone, completed by its last byte, is a whole packet.
  assert.equal(decoder.push(HEARTBEAT.subarray(0, 19)).length, 0);
  assert.deepEqual(
    decoder.push(HEARTBEAT.subarray(19)).map((p) => p.cmd),
    [100],
  );
});

test('decoded packets carry every header field and own their bytes', () => {
  const wire = encodePacket({
    cmd: 1,
    msgFlag: 251,
    dealFlag: 3,
    forwardId: Buffer.from('0102030405060708', 'hex'),
    pkgId: 2803,
    payload: Buffer.from('abc'),
  });
  const [packet] = new PacketStreamDecoder().push(wire);
  wire.fill(0); // the socket's buffer is reused: the packet must not change with it
  assert.deepEqual(
    { ...packet, forwardId: packet?.forwardId.toString('hex'), payload: packet?.payload.toString() },
    { length: 3, cmd: 1, msgFlag: 251, dealFlag: 3, forwardId: '0102030405060708', pkgId: 2803, payload: 'abc' },
  );
});

test('pendingHead shows the first waiting bytes, across chunks, up to max', () => {
  const decoder = new PacketStreamDecoder();
  decoder.push(REGISTRATION.subarray(0, 10));
  decoder.push(REGISTRATION.subarray(10, 50));
  assert.deepEqual(decoder.pendingHead(), REGISTRATION.subarray(0, 32));
  assert.deepEqual(decoder.pendingHead(4), REGISTRATION.subarray(0, 4));
  assert.equal(decoder.bufferedBytes, 50);
});

/**
 * Counts the chunk joins (Buffer.concat) the decoder makes while `run` runs. The copying is the
 * decoder's cost model (module doc: chunks are joined only once a packet can complete); a count,
 * unlike a time, is exact on a loaded machine.
 */
function countJoins(run: () => void): { joins: number; joinedBytes: number } {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was
  const original = Buffer.concat;
  const join = original.bind(Buffer);
  let joins = 0;
  let joinedBytes = 0;
  const counting: typeof Buffer.concat = (list, totalLength) => {
    joins++;
    const joined = join(list, totalLength);
    joinedBytes += joined.length;
    return joined;
  };
  Buffer.concat = counting;
  try {
    run();
  } finally {
    Buffer.concat = original;
  }
  return { joins, joinedBytes };
}

test('a packet trickled one byte per chunk is joined once, when its last byte arrives: linear copying', () => {
  const wire = encodePacket({ cmd: 0, pkgId: 7, payload: Buffer.alloc(4000, 0x61) });
  const decoder = new PacketStreamDecoder();
  const out: ReturnType<PacketStreamDecoder['push']> = [];
  const counted = countJoins(() => {
    for (let i = 0; i < wire.length; i++) out.push(...decoder.push(wire.subarray(i, i + 1)));
  });
  // One join of the 20 header bytes (the header is read), one of the whole packet.
  assert.deepEqual(counted, { joins: 2, joinedBytes: 20 + wire.length });
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]?.payload, Buffer.alloc(4000, 0x61));
  assert.equal(decoder.bufferedBytes, 0);
});

test('whole packets in their own chunks, and empty chunks between them, are never joined', () => {
  const decoder = new PacketStreamDecoder();
  const counted = countJoins(() => {
    assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
    assert.equal(decoder.push(REGISTRATION).length, 1);
    assert.deepEqual(decoder.push(Buffer.alloc(0)), []);
    assert.equal(decoder.push(HEARTBEAT).length, 1);
    assert.equal(decoder.push(Buffer.concat([HEARTBEAT, HEARTBEAT])).length, 2);
  });
  // The one join is the test's own Buffer.concat above.
  assert.deepEqual(counted, { joins: 1, joinedBytes: 40 });
  assert.equal(decoder.bufferedBytes, 0);
});

test('a header split in two chunks is joined once; the payload chunks after it only when the packet completes', () => {
  const decoder = new PacketStreamDecoder();
  const counted = countJoins(() => {
    assert.deepEqual(decoder.push(REGISTRATION.subarray(0, 10)), []);
    assert.deepEqual(decoder.push(REGISTRATION.subarray(10, 30)), []); // header complete: joined, 87 bytes needed
    assert.deepEqual(decoder.push(REGISTRATION.subarray(30, 60)), []);
    assert.deepEqual(decoder.push(REGISTRATION.subarray(60, 106)), []);
    assert.equal(decoder.push(REGISTRATION.subarray(106)).length, 1);
  });
  assert.deepEqual(counted, { joins: 2, joinedBytes: 30 + 107 });
});
