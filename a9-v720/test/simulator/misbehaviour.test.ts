import assert from 'node:assert/strict';
import { test } from 'node:test';
import { impairBurst, newImpairmentCounters } from '../../src/simulator/impairments.js';
import { ResendBuffer } from '../../src/simulator/resend-buffer.js';
import { seededRandom } from '../../src/simulator/seeded-random.js';

test('seeded PRNG: the same seed gives the same sequence, another seed another one', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const seqA = Array.from({ length: 20 }, a);
  assert.deepEqual(Array.from({ length: 20 }, b), seqA);
  assert.notDeepEqual(Array.from({ length: 20 }, c), seqA);
  assert.ok(
    seqA.every((x) => x >= 0 && x < 1),
    `every value in [0, 1), got ${seqA.join(', ')}`,
  );
});

test('loss over a seeded run stays within bounds of the configured rate, and is reproducible', () => {
  const run = (seed: number) => {
    const counters = newImpairmentCounters();
    const random = seededRandom(seed);
    const delivered: number[] = [];
    for (let burst = 0; burst < 1000; burst++) {
      const items = Array.from({ length: 27 }, (_, i) => burst * 27 + i);
      delivered.push(...impairBurst(items, { loss: 0.05 }, random, counters).now);
    }
    return { counters, delivered };
  };
  const first = run(7);
  assert.equal(first.counters.offered, 27_000);
  const rate = first.counters.lost / first.counters.offered;
  // 27 000 Bernoulli(0.05) draws: σ ≈ 0.0013, so ±0.006 is more than 4σ.
  assert.ok(rate > 0.044 && rate < 0.056, `loss rate ${rate}`);
  assert.equal(first.delivered.length, 27_000 - first.counters.lost);
  assert.deepEqual(run(7).delivered, first.delivered, 'same seed, same losses');
  assert.notDeepEqual(run(8).delivered, first.delivered, 'other seed, other losses');
});

test('neighbour swaps, duplicates and delays: every datagram accounted for, order changed only between neighbours', () => {
  const counters = newImpairmentCounters();
  const random = seededRandom(3);
  const items = Array.from({ length: 10_000 }, (_, i) => i);
  const { now, later } = impairBurst(items, { swap: 0.1, duplicate: 0.02, delay: 0.01, delayMs: 40 }, random, counters);
  assert.ok(counters.swapped > 400 && counters.swapped < 1000, `swapped ${counters.swapped}`);
  assert.ok(counters.duplicated > 100 && counters.duplicated < 300, `duplicated ${counters.duplicated}`);
  assert.ok(counters.delayed > 50 && counters.delayed < 150, `delayed ${counters.delayed}`);
  assert.equal(now.length, items.length - counters.delayed + counters.duplicated);
  assert.equal(later.length, counters.delayed);
  for (const { afterMs } of later) assert.ok(afterMs >= 20 && afterMs <= 40, `delay ${afterMs}`);
  // Nothing invented, nothing lost: the union is exactly the input.
  assert.deepEqual(
    [...new Set([...now, ...later.map((l) => l.item)])].sort((a, b) => a - b),
    items,
  );
  // No item moved more than one place relative to its neighbours among the kept ones.
  const kept = [...new Set(now)];
  const sorted = [...kept].sort((a, b) => a - b);
  kept.forEach((item, i) => assert.ok(Math.abs(sorted.indexOf(item) - i) <= 1, `item ${item} moved from ${sorted.indexOf(item)} to ${i}`));
});

test('no impairment options: the burst goes out unchanged and the PRNG is not needed', () => {
  const counters = newImpairmentCounters();
  const result = impairBurst([1, 2, 3], {}, () => assert.fail('PRNG used'), counters);
  assert.deepEqual(result.now, [1, 2, 3]);
  assert.deepEqual(result.later, []);
});

test('resend: an id the confirm did not list is resent after the delay; a confirmed one never', () => {
  const buffer = new ResendBuffer<string>({ graceMs: 20, resendDelayMs: 10, maxResends: 2 });
  buffer.sent(100, 'p100', 0);
  buffer.sent(101, 'p101', 0);
  buffer.sent(102, 'p102', 0);
  assert.deepEqual(buffer.due(5), [], 'no confirm yet: nothing is known to be missing');
  buffer.confirm([100, 102], 50);
  assert.deepEqual(buffer.due(55), [], 'not before the resend delay');
  assert.deepEqual(buffer.due(60), [{ pkgId: 101, item: 'p101' }]);
  assert.deepEqual(buffer.due(100), [], 'resent once; the next confirm decides again');
  buffer.confirm([101], 120);
  assert.deepEqual(buffer.due(200), []);
  assert.equal(buffer.size, 0);
  assert.deepEqual(buffer.counters, { resent: 1, confirmed: 3, abandoned: 0 });
});

test('resend: only a packet older than a confirmed later one is missed; young ones get grace; resends are bounded', () => {
  const buffer = new ResendBuffer<number>({ graceMs: 20, resendDelayMs: 10, maxResends: 2 });
  buffer.sent(1, 1, 0);
  buffer.sent(2, 2, 45);
  buffer.sent(3, 3, 46);
  buffer.confirm([], 50);
  assert.deepEqual(buffer.due(60), [], 'an empty confirm proves nothing missing: the server may just be slow');
  buffer.confirm([3], 50);
  assert.deepEqual(
    buffer.due(60).map((p) => p.pkgId),
    [1],
    'id 2 was sent 5 ms before the confirm: maybe only reordered',
  );
  buffer.confirm([], 100);
  assert.deepEqual(
    buffer.due(110).map((p) => p.pkgId),
    [1, 2],
  );
  buffer.confirm([], 150);
  assert.deepEqual(
    buffer.due(160).map((p) => p.pkgId),
    [2],
    'id 1 used up its two resends',
  );
  assert.equal(buffer.counters.abandoned, 1);
});

test('resend: nextDueAt tells when the earliest missed packet is due, so a missed packet never waits for the next confirm', () => {
  const buffer = new ResendBuffer<number>({ graceMs: 20, resendDelayMs: 10, maxResends: 2 });
  buffer.sent(1, 1, 0);
  buffer.sent(2, 2, 0);
  buffer.sent(3, 3, 30);
  buffer.sent(4, 4, 30);
  assert.equal(buffer.nextDueAt(), undefined, 'nothing known to be missing');
  buffer.confirm([2], 25);
  assert.equal(buffer.nextDueAt(), 35, 'id 1 missed at 25, due 10 ms later');
  buffer.confirm([4], 55);
  // A timer set by the first confirm fires at 36: id 1 goes, id 3 (missed at 55) is not due yet.
  assert.deepEqual(
    buffer.due(36).map((p) => p.pkgId),
    [1],
  );
  assert.equal(buffer.nextDueAt(), 65, 'id 3 is due 10 ms after the confirm that missed it');
  assert.deepEqual(
    buffer.due(65).map((p) => p.pkgId),
    [3],
  );
  assert.equal(buffer.nextDueAt(), undefined);
});

test('resend: a slow server that has not confirmed the later packets either causes no resends; pkg_id wrap-around', () => {
  const buffer = new ResendBuffer<number>({ graceMs: 20, silenceMs: 60, resendDelayMs: 10 });
  buffer.sent(0xffff_fffe, 1, 0);
  buffer.sent(0xffff_ffff, 2, 0);
  buffer.sent(0, 3, 0);
  buffer.sent(1, 4, 0);
  buffer.confirm([0xffff_fffe], 30);
  assert.deepEqual(buffer.due(45), [], 'everything after the newest confirmed id may still be in flight');
  buffer.confirm([1], 40);
  assert.deepEqual(
    buffer.due(55).map((p) => p.pkgId),
    [0xffff_ffff, 0],
    'across the u32 wrap',
  );
});

test('resend: the last packets of a burst (nothing later to confirm) are missed once a confirm comes silenceMs after them', () => {
  const buffer = new ResendBuffer<number>({ graceMs: 20, silenceMs: 60, resendDelayMs: 10 });
  buffer.sent(7, 7, 0);
  buffer.confirm([], 59);
  assert.deepEqual(buffer.due(70), []);
  buffer.confirm([], 60);
  assert.deepEqual(
    buffer.due(70).map((p) => p.pkgId),
    [7],
  );
});

test('resend: memory is bounded by count and age, whatever the server confirms', () => {
  const buffer = new ResendBuffer<number>({ maxPackets: 100, keepMs: 1000 });
  for (let id = 0; id < 10_000; id++) buffer.sent(id, id, id / 10);
  assert.equal(buffer.size, 100);
  buffer.due(5000);
  assert.equal(buffer.size, 0, 'everything older than keepMs is forgotten');
  // A server that never confirms: nothing is ever resent.
  const silent = new ResendBuffer<number>();
  for (let id = 0; id < 50; id++) silent.sent(id, id, 0);
  assert.deepEqual(silent.due(500), []);
});
