import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cmd, decodeDatagram, decodeHeader, encodePacket, HEADER_SIZE, MsgFlag } from '../../src/protocol/header.js';
import { encodeHeartbeat, encodeRegisterOk } from '../../src/protocol/messages.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test("the registration answer is the vendor cloud's 45-byte form, byte for byte (docs/protocol.md §3)", () => {
  // The seed asserted a 48-byte form with spaces that one fake server sent; the real cloud answers
  // with msg_flag 255, forward id FF×8 and compact JSON, which every firmware accepts.
  const expected = Buffer.concat([hex('19000000 0000 ff 00 ffffffffffffffff 00000000'), Buffer.from('{"code":101,"status":200}')]);
  assert.equal(expected.length, 45);
  assert.deepEqual(encodeRegisterOk(), expected);
});

test('the server heartbeat is 20 bytes with the ASCII forward id', () => {
  assert.deepEqual(encodeHeartbeat(), hex('00000000 6400 00 00 3030303030303030 00000000'));
});

test('decodes the observed camera heartbeat', () => {
  const header = decodeHeader(hex('00000000 6400 00 00 0000000000000000 00000000'));
  assert.equal(header.length, 0);
  assert.equal(header.cmd, Cmd.Heartbeat);
  assert.equal(header.msgFlag, 0);
  assert.equal(header.pkgId, 0);
  assert.deepEqual(header.forwardId, Buffer.alloc(8));
});

test('decodes the observed media fragment header', () => {
  const header = decodeHeader(hex('ec030000 0100 fb 00 0000000000000000 f30a0000'));
  assert.deepEqual(
    { length: header.length, cmd: header.cmd, msgFlag: header.msgFlag, pkgId: header.pkgId },
    { length: 1004, cmd: Cmd.JpegFragment, msgFlag: MsgFlag.MiddleFragment, pkgId: 2803 },
  );
});

test('encode → decode round-trips every field', () => {
  const packet = encodePacket({ cmd: 605, msgFlag: 252, dealFlag: 7, pkgId: 0xfffffffe, payload: Buffer.from([1, 2, 3]) });
  assert.equal(packet.length, HEADER_SIZE + 3);
  const result = decodeDatagram(packet);
  assert.ok(result.ok, `the encoded packet decodes, got: ${result.ok ? 'ok' : result.reason}`);
  assert.equal(result.packet.cmd, 605);
  assert.equal(result.packet.msgFlag, 252);
  assert.equal(result.packet.dealFlag, 7);
  assert.equal(result.packet.pkgId, 0xfffffffe);
  assert.deepEqual(result.packet.payload, Buffer.from([1, 2, 3]));
  assert.equal(result.packet.forwardId.toString('ascii'), '00000000');
});

test('datagrams shorter than a header or shorter than their length field are rejected with a reason', () => {
  const short = decodeDatagram(Buffer.alloc(19));
  assert.equal(short.ok, false);
  assert.match(!short.ok ? short.reason : '', /shorter than the 20-byte header/);
  const lying = decodeDatagram(Buffer.concat([hex('ffffffff 0100 fa 00 0000000000000000 00000000'), Buffer.alloc(10)]));
  assert.equal(lying.ok, false);
  assert.match(!lying.ok ? lying.reason : '', /length field 4294967295 exceeds the 10 payload bytes/);
});

test('encodePacket defaults: flags 0, the ASCII server forward id, pkg id 0', () => {
  assert.deepEqual(
    encodePacket({ cmd: Cmd.Json, payload: Buffer.from('{}') }),
    Buffer.concat([hex('02000000 0000 00 00 3030303030303030 00000000'), Buffer.from('{}')]),
  );
});

test('encodePacket writes every field where docs/protocol.md §3 puts it', () => {
  const packet = encodePacket({
    cmd: Cmd.RetransmitConfirm,
    msgFlag: MsgFlag.Whole,
    dealFlag: 0x12,
    forwardId: Buffer.from('0102030405060708', 'hex'),
    pkgId: 0x0a0b0c0d,
    payload: Buffer.from([0xf2, 0x0a, 0x00, 0x00]),
  });
  assert.deepEqual(packet, hex('04000000 5d02 ff 12 0102030405060708 0d0c0b0a f20a0000'));
  // Negative ids wrap to their unsigned 32-bit value instead of throwing.
  assert.deepEqual(encodePacket({ cmd: 1, pkgId: -1 }).subarray(16, 20), hex('ffffffff'));
});

test('decodeHeader reads at an offset', () => {
  const twoPackets = Buffer.concat([encodeHeartbeat(), hex('ec030000 0100 fb 07 0102030405060708 f30a0000')]);
  const header = decodeHeader(twoPackets, 20);
  assert.deepEqual(
    { ...header, forwardId: header.forwardId.toString('hex') },
    { length: 1004, cmd: 1, msgFlag: 251, dealFlag: 7, forwardId: '0102030405060708', pkgId: 2803 },
  );
});

test('datagram bounds: exactly a header is an empty packet; the length field may equal but not exceed what arrived', () => {
  const empty = decodeDatagram(hex('00000000 6400 00 00 0000000000000000 00000000'));
  assert.ok(empty.ok, `a bare header decodes, got: ${empty.ok ? 'ok' : empty.reason}`);
  assert.equal(empty.packet.cmd, Cmd.Heartbeat);
  assert.deepEqual(empty.packet.payload, Buffer.alloc(0));
  const exact = decodeDatagram(Buffer.concat([hex('03000000 0400 ff 00 0000000000000000 05000000'), Buffer.from([1, 2, 3])]));
  assert.ok(exact.ok, `a length field equal to the payload decodes, got: ${exact.ok ? 'ok' : exact.reason}`);
  assert.deepEqual(exact.packet.payload, Buffer.from([1, 2, 3]));
  assert.equal(exact.packet.pkgId, 5);
  const trailing = decodeDatagram(Buffer.concat([hex('02000000 0400 ff 00 0000000000000000 05000000'), Buffer.from([1, 2, 3])]));
  assert.ok(trailing.ok, `a length field below the payload decodes, got: ${trailing.ok ? 'ok' : trailing.reason}`);
  assert.deepEqual(trailing.packet.payload, Buffer.from([1, 2]), 'bytes beyond the length field are cut off');
  const oneShort = decodeDatagram(Buffer.concat([hex('04000000 0400 ff 00 0000000000000000 05000000'), Buffer.from([1, 2, 3])]));
  assert.deepEqual(oneShort, { ok: false, reason: 'length field 4 exceeds the 3 payload bytes received' });
  assert.deepEqual(decodeDatagram(Buffer.alloc(19)), { ok: false, reason: 'datagram of 19 bytes is shorter than the 20-byte header' });
  assert.deepEqual(decodeDatagram(Buffer.alloc(0)), { ok: false, reason: 'datagram of 0 bytes is shorter than the 20-byte header' });
});
