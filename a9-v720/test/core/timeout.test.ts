import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTimeout } from '../../src/util/timeout.js';

test('withTimeout settles like the promise when it is in time', async () => {
  assert.equal(await withTimeout(Promise.resolve('done'), 1_000, () => 'late'), 'done');
  await assert.rejects(
    withTimeout(Promise.reject(new Error('broke')), 1_000, () => 'late'),
    /broke/,
  );
});

test('withTimeout gives the fallback, or the error onTimeout throws, when the promise is late', async () => {
  const never = new Promise<string>(() => {});
  assert.equal(await withTimeout(never, 5, () => 'late'), 'late');
  await assert.rejects(
    withTimeout(never, 5, () => {
      throw new Error('openStream did not settle within 5 ms');
    }),
    /did not settle within 5 ms/,
  );
});
