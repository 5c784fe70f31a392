import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDatagram } from '../../src/protocol/header.js';
import { encodeRetransmitConfirm, encodeRetransmitConfirms, RetransmitTracker } from '../../src/protocol/retransmit.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('a confirm of 26 ids matches the observed datagram byte for byte', () => {
  const ids = Array.from({ length: 26 }, (_, i) => 0x0af2 + i);
  const datagram = encodeRetransmitConfirm(ids);
  assert.equal(datagram.length, 20 + 104);
  assert.deepEqual(datagram.subarray(0, 28), hex('68000000 5d02 00 00 3030303030303030 00000000 f20a0000 f30a0000'));
  const decoded = decodeDatagram(datagram);
  assert.ok(decoded.ok);
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
  assert.deepEqual(datagrams.map((d) => d.readUInt32LE(0) / 4), [256, 256, 88]);
  assert.equal(datagrams[2]!.readUInt32LE(20), 512);
});

test('tracker: nothing before the first frame, then an empty confirm, then ids every ~100 ms', () => {
  const tracker = new RetransmitTracker();
  tracker.record(1);
  tracker.record(2);
  assert.deepEqual(tracker.poll(0), [], 'no confirms before the first complete frame');
  tracker.frameCompleted();
  const first = tracker.poll(10);
  assert.equal(first.length, 1);
  assert.deepEqual(first[0], encodeRetransmitConfirm([]));
  tracker.record(3);
  tracker.record(4);
  assert.deepEqual(tracker.poll(50), [], 'not yet 100 ms since the last confirm');
  const second = tracker.poll(110);
  assert.deepEqual(second, [encodeRetransmitConfirm([3, 4])]);
  assert.equal(tracker.pendingIds, 0, 'ids are reset once returned');
  assert.deepEqual(tracker.poll(500), [], 'no ids → nothing to send');
  tracker.frameCompleted();
  assert.deepEqual(tracker.poll(600), [], 'only the first frame triggers the empty confirm');
  assert.deepEqual(tracker.stats, { confirmsSent: 2, idsConfirmed: 2, idsOverflowed: 0 });
});

test('tracker: a flood is capped and split', () => {
  const tracker = new RetransmitTracker({ maxPendingIds: 1000 });
  tracker.frameCompleted();
  tracker.poll(0);
  for (let i = 0; i < 5000; i++) tracker.record(i);
  assert.equal(tracker.pendingIds, 1000);
  const datagrams = tracker.poll(100);
  assert.equal(datagrams.length, 4);
  assert.ok(datagrams.every((d) => d.length <= 20 + 256 * 4));
  assert.equal(tracker.stats.idsOverflowed, 4000);
});

test('tracker: reset waits for a new first frame', () => {
  const tracker = new RetransmitTracker();
  tracker.frameCompleted();
  tracker.poll(0);
  tracker.reset();
  tracker.record(9);
  assert.deepEqual(tracker.poll(1000), []);
  tracker.frameCompleted();
  assert.deepEqual(tracker.poll(1001), [encodeRetransmitConfirm([])]);
});
