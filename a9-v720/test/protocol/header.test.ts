import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cmd, decodeDatagram, decodeHeader, encodePacket, HEADER_SIZE, MsgFlag } from '../../src/protocol/header.js';
import { encodeHeartbeat, encodeRegisterOk } from '../../src/protocol/messages.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test("the registration answer is the vendor cloud's 45-byte form, byte for byte (PROTOCOL.md §3)", () => {
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
  assert.ok(result.ok);
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
