import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { LatestWinsWriter } from '../../src/media/latest-wins-writer.js';

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
