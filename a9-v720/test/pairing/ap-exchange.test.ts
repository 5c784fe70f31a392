/**
 * The simulator's access-point camera, decision by decision, on the bytes the working AP client
 * sends (docs/protocol.md §9).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cmd, decodeHeader, type Packet } from '../../src/protocol/header.js';
import { PacketStreamDecoder } from '../../src/protocol/stream-decoder.js';
import { AP_REFUSED_STATUS, reactToApPacket, wifiFormatProblem, type NetworkCheck } from '../../src/simulator/ap-exchange.js';

const known: NetworkCheck = (wifi) => (wifi.ssid === 'Home' && wifi.password === '12345678' ? undefined : 'not in range');

function packet(hex: string, payload = ''): Packet {
  const bytes = Buffer.concat([Buffer.from(hex.replace(/ /g, ''), 'hex'), Buffer.from(payload)]);
  const [decoded] = new PacketStreamDecoder().push(bytes);
  assert.ok(decoded, 'one whole packet');
  return decoded;
}

const json = (text: string): Packet => {
  const length = Buffer.byteLength(text).toString(16).padStart(8, '0');
  const le = length.match(/../g)!.reverse().join('');
  return packet(`${le} 0000 00 00 3030303030303030 00000000`, text);
};

const replyJson = (reply: Buffer): unknown => JSON.parse(reply.subarray(20).toString('utf8'));

test('the session opener: a bare cmd 115 header is echoed (camera forward id: zeros)', () => {
  const reaction = reactToApPacket(packet('00000000 7300 00 00 3030303030303030 00000000'), known);
  assert.deepEqual(reaction.outcome, { kind: 'session' });
  assert.deepEqual(
    reaction.replies.map((r) => r.toString('hex')),
    ['00000000730000000000000000000000' + '00000000'],
  );
  const direct = reactToApPacket(packet('00000000 7200 00 00 3030303030303030 00000000'), known);
  assert.equal(decodeHeader(direct.replies[0]!).cmd, Cmd.ApDirectSession, 'cmd 114 is echoed as 114');
});

test('heartbeats are answered; other media commands are ignored with a reason', () => {
  const beat = reactToApPacket(packet('00000000 6400 00 00 3030303030303030 00000000'), known);
  assert.deepEqual(beat.outcome, { kind: 'none' });
  assert.equal(beat.replies[0]!.toString('hex'), '0000000064000000' + '0000000000000000' + '00000000');
  assert.deepEqual(reactToApPacket(packet('01000000 0100 fb 00 3030303030303030 00000000', 'x'), known), {
    replies: [],
    outcome: { kind: 'ignored', reason: 'cmd 1' },
  });
});

test('the login (501) as the working client sends it is answered with the target and status 200', () => {
  const reaction = reactToApPacket(
    json('{"code": 501, "target": "deadbeef", "token": "This is TEST token", "unixTimer": 1733540000}'),
    known,
  );
  assert.deepEqual(reaction.outcome, { kind: 'login' });
  assert.equal(reaction.replies.length, 1);
  const reply = reaction.replies[0]!;
  assert.deepEqual(replyJson(reply), { code: 501, target: 'deadbeef', status: 200 });
  assert.deepEqual(
    { ...decodeHeader(reply), forwardId: decodeHeader(reply).forwardId.toString('hex') },
    {
      length: reply.length - 20,
      cmd: 0,
      msgFlag: 0,
      dealFlag: 0,
      forwardId: '0000000000000000',
      pkgId: 0,
    },
  );
});

test('a 204 for a network in range is accepted (status 200); the camera then restarts', () => {
  const reaction = reactToApPacket(
    json('{"code": 502, "content": {"code": 204, "devTarget": "deadbeef", "s": "Home", "p": "12345678"}}'),
    known,
  );
  assert.deepEqual(reaction.outcome, { kind: 'accepted', wifi: { ssid: 'Home', password: '12345678' } });
  assert.deepEqual(replyJson(reaction.replies[0]!), { code: 502, content: { code: 204, devTarget: 'deadbeef', status: 200 } });
});

test('a 204 the camera cannot use is refused with status 500 and the reason', () => {
  const wrong = reactToApPacket(
    json('{"code": 502, "content": {"code": 204, "devTarget": "deadbeef", "s": "Home", "p": "87654321"}}'),
    known,
  );
  assert.deepEqual(wrong.outcome, { kind: 'refused', reason: 'not in range' });
  assert.deepEqual(replyJson(wrong.replies[0]!), { code: 502, content: { code: 204, devTarget: 'deadbeef', status: AP_REFUSED_STATUS } });
  assert.equal(AP_REFUSED_STATUS, 500);
  const short = reactToApPacket(
    json('{"code": 502, "content": {"code": 204, "devTarget": "deadbeef", "s": "Home", "p": "1234567"}}'),
    () => {
      throw new Error('the world is not asked about a malformed network');
    },
  );
  assert.deepEqual(short.outcome, { kind: 'refused', reason: 'a password of 7 characters' });
});

test('the format the camera stores: s of 1–32 bytes, p of 8–36 characters, both strings', () => {
  assert.equal(wifiFormatProblem({ s: 'H', p: '12345678' }), undefined);
  assert.equal(wifiFormatProblem({ s: 'x'.repeat(32), p: 'x'.repeat(36) }), undefined);
  assert.equal(wifiFormatProblem({ s: 'é'.repeat(16), p: '📶'.repeat(36) }), undefined);
  assert.equal(wifiFormatProblem({ s: '', p: '12345678' }), 'a Wi-Fi name of 0 bytes');
  assert.equal(wifiFormatProblem({ s: 'é'.repeat(17), p: '12345678' }), 'a Wi-Fi name of 34 bytes');
  assert.equal(wifiFormatProblem({ s: 'H', p: 'x'.repeat(37) }), 'a password of 37 characters');
  assert.equal(wifiFormatProblem({ s: 'H', p: '📶'.repeat(7) }), 'a password of 7 characters');
  assert.equal(wifiFormatProblem({ s: 'H' }), 'the 204 lacks the string fields "s" and "p"');
  assert.equal(wifiFormatProblem({ p: '12345678' }), 'the 204 lacks the string fields "s" and "p"');
  assert.equal(wifiFormatProblem({ s: 1, p: '12345678' }), 'the 204 lacks the string fields "s" and "p"');
});

test('other wrapped commands are confirmed in the wrapper; a 299 asks for the restart', () => {
  const flip = reactToApPacket(json('{"code": 502, "content": {"code": 216, "devTarget": "deadbeef", "mirrorFlip": 4}}'), known);
  assert.deepEqual(flip.outcome, { kind: 'none' });
  assert.deepEqual(replyJson(flip.replies[0]!), { code: 502, content: { code: 216, devTarget: 'deadbeef', mirrorFlip: 4, status: 200 } });
  assert.deepEqual(reactToApPacket(json('{"code": 502, "content": {"code": 299, "devTarget": "deadbeef"}}'), known), {
    replies: [],
    outcome: { kind: 'reboot' },
  });
});

test('JSON that is not a message of this mode is ignored, with a reason', () => {
  assert.deepEqual(reactToApPacket(json('{"code": 100}'), known).outcome, { kind: 'ignored', reason: 'JSON code 100' });
  assert.deepEqual(reactToApPacket(json('{"code": 502, "content": 4}'), known).outcome, { kind: 'ignored', reason: 'JSON code 502' });
  assert.deepEqual(reactToApPacket(json('{"content": {"code": 204}}'), known).outcome, { kind: 'ignored', reason: 'JSON code undefined' });
  const garbage = reactToApPacket(json('not json'), known);
  assert.equal(garbage.outcome.kind, 'ignored');
  assert.deepEqual(garbage.replies, []);
  assert.match(garbage.outcome.kind === 'ignored' ? garbage.outcome.reason : '', /payload is not JSON/);
});
