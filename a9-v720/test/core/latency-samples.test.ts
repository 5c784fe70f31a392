import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencySamples } from '../../src/util/latency-samples.js';

test('percentiles by nearest rank over the samples held; none held gives 0', () => {
  const samples = new LatencySamples(100);
  assert.equal(samples.percentile(50), 0);
  assert.equal(samples.count, 0);
  // Added out of order, with values that sort differently as strings ("10" < "9").
  for (const ms of [100, 9, 10, 55, 1.5]) samples.add(ms);
  assert.equal(samples.count, 5);
  // Sorted: 1.5, 9, 10, 55, 100; index = floor(p / 100 × 5), at most 4.
  assert.equal(samples.percentile(0), 1.5);
  assert.equal(samples.percentile(39), 9);
  assert.equal(samples.percentile(40), 10);
  assert.equal(samples.percentile(79), 55);
  assert.equal(samples.percentile(80), 100);
  assert.equal(samples.percentile(100), 100);
});

test('a full ring keeps the most recent samples: the oldest are overwritten, memory stays fixed', () => {
  const samples = new LatencySamples(4);
  for (let ms = 1; ms <= 6; ms++) samples.add(ms * 10);
  assert.equal(samples.count, 4);
  assert.equal(samples.percentile(0), 30, '10 and 20 are gone');
  assert.equal(samples.percentile(100), 60);
  for (let ms = 0; ms < 4; ms++) samples.add(1);
  assert.equal(samples.percentile(100), 1, 'a whole ring later, only the new samples count');
});

test('a capacity that is not a positive integer is refused', () => {
  assert.throws(() => new LatencySamples(0), /positive integer, not 0/);
  assert.throws(() => new LatencySamples(2.5), /positive integer, not 2.5/);
});
