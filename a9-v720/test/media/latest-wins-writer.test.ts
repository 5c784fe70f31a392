import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { LatestWinsWriter } from '../../src/media/latest-wins-writer.js';
import { within } from '../support/within.js';

/** A Writable that accepts writes but completes them only when `release()` is called. */
function stalledSink(highWaterMark: number): { sink: Writable; received: Buffer[]; release: () => void } {
  const received: Buffer[] = [];
  const callbacks: (() => void)[] = [];
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      received.push(chunk);
      callbacks.push(done);
    },
  });
  return { sink, received, release: () => callbacks.splice(0).forEach((done) => done()) };
}

test('video mode keeps only the newest part while the client is not drained', async () => {
  const { sink, received, release } = stalledSink(4);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: 1 });
  for (let i = 0; i < 10; i++) writer.write(Buffer.from(`frame${i}`));
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 8, pendingParts: 1, pendingBytes: 6 });
  release();
  await new Promise((resolve) => setImmediate(resolve));
  release();
  assert.deepEqual(received.map(String), ['frame0', 'frame9']);
});

test('audio mode keeps the newest bytes up to the bound, dropping the oldest', async () => {
  const { sink, received, release } = stalledSink(4);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: Number.POSITIVE_INFINITY, maxPendingBytes: 10 });
  writer.write(Buffer.from('head'));
  for (let i = 0; i < 6; i++) writer.write(Buffer.from(`a${i}${i}`));
  assert.equal(writer.stats.pendingBytes, 9);
  assert.equal(writer.stats.partsDropped, 3);
  for (let i = 0; i < 5; i++) {
    release();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.deepEqual(received.map(String), ['head', 'a33', 'a44', 'a55']);
  writer.close();
  writer.write(Buffer.from('late'));
  assert.ok(!received.some((r) => r.toString() === 'late'), 'nothing is written after close');
});

/** Completes the sink's pending writes and waits (bounded) for the 'drain' that follows. */
async function drainOnce(sink: Writable, release: () => void): Promise<void> {
  const drained = once(sink, 'drain');
  release();
  await within(drained, 2000, "'drain'");
}

test('stats after each drain: the newest pending part goes out, the counters add up', async () => {
  const { sink, received, release } = stalledSink(4);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: 1 });
  for (let i = 0; i < 10; i++) writer.write(Buffer.from(`frame${i}`));
  await drainOnce(sink, release);
  assert.deepEqual(writer.stats, { partsWritten: 2, partsDropped: 8, pendingParts: 0, pendingBytes: 0 });
  assert.deepEqual(received.map(String), ['frame0', 'frame9']);
  // Drained with nothing queued: the next part is written at once.
  await drainOnce(sink, release);
  assert.deepEqual(writer.stats, { partsWritten: 2, partsDropped: 8, pendingParts: 0, pendingBytes: 0 });
  writer.write(Buffer.from('x'));
  assert.deepEqual(writer.stats, { partsWritten: 3, partsDropped: 8, pendingParts: 0, pendingBytes: 0 });
  assert.deepEqual(received.map(String), ['frame0', 'frame9', 'x']);
});

test('a drain writes one queued part at a time while the client stays slow', async () => {
  const { sink, received, release } = stalledSink(1);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: 2 });
  for (const part of ['a', 'b', 'c', 'd']) writer.write(Buffer.from(part));
  // Two parts may wait: 'b' is the only one dropped.
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 1, pendingParts: 2, pendingBytes: 2 });
  await drainOnce(sink, release);
  assert.deepEqual(received.map(String), ['a', 'c'], "the sink is full again after 'c': 'd' waits for the next drain");
  assert.deepEqual(writer.stats, { partsWritten: 2, partsDropped: 1, pendingParts: 1, pendingBytes: 1 });
  await drainOnce(sink, release);
  assert.deepEqual(received.map(String), ['a', 'c', 'd']);
  assert.deepEqual(writer.stats, { partsWritten: 3, partsDropped: 1, pendingParts: 0, pendingBytes: 0 });
});

test('the byte bound: exactly at it nothing is dropped, one byte past it the oldest part goes', () => {
  const { sink } = stalledSink(1);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: Number.POSITIVE_INFINITY, maxPendingBytes: 6 });
  writer.write(Buffer.from('head'));
  writer.write(Buffer.from('aaa'));
  writer.write(Buffer.from('bbb'));
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 0, pendingParts: 2, pendingBytes: 6 });
  writer.write(Buffer.from('c'));
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 1, pendingParts: 2, pendingBytes: 4 });
});

test('the newest part is kept even when it alone exceeds the byte bound', () => {
  const { sink } = stalledSink(1);
  const writer = new LatestWinsWriter(sink, { maxPendingParts: Number.POSITIVE_INFINITY, maxPendingBytes: 2 });
  writer.write(Buffer.from('head'));
  writer.write(Buffer.from('xxxxx'));
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 0, pendingParts: 1, pendingBytes: 5 });
  writer.write(Buffer.from('yyyyy'));
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 1, pendingParts: 1, pendingBytes: 5 });
});

test('close forgets the queue, stops listening for drain and ignores later writes', async () => {
  const { sink, received, release } = stalledSink(1);
  const writer = new LatestWinsWriter(sink);
  writer.write(Buffer.from('first'));
  writer.write(Buffer.from('queued'));
  assert.equal(sink.listenerCount('drain'), 1);
  writer.close();
  assert.deepEqual(writer.stats, { partsWritten: 1, partsDropped: 0, pendingParts: 0, pendingBytes: 0 });
  assert.equal(sink.listenerCount('drain'), 0);
  await drainOnce(sink, release);
  writer.write(Buffer.from('late'));
  assert.deepEqual(received.map(String), ['first']);
  assert.equal(writer.stats.partsWritten, 1);
});

test('nothing is written to an ended or destroyed client', () => {
  const ended = stalledSink(64);
  ended.sink.end();
  const toEnded = new LatestWinsWriter(ended.sink);
  toEnded.write(Buffer.from('x'));
  assert.equal(toEnded.stats.partsWritten, 0);
  const destroyed = stalledSink(64);
  destroyed.sink.destroy();
  const toDestroyed = new LatestWinsWriter(destroyed.sink);
  toDestroyed.write(Buffer.from('x'));
  assert.equal(toDestroyed.stats.partsWritten, 0);
  assert.deepEqual([...ended.received, ...destroyed.received], []);
});
