import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeating, StartedParts, subscriptions, type Lifecycle } from '../../src/util/lifecycle.js';
import { StartupError } from '../../src/errors.js';

/** A part that records its start and stop in a shared journal, and fails where told to. */
function part(name: string, journal: string[], fail: { start?: Error; stop?: Error } = {}): Lifecycle {
  return {
    async start() {
      await Promise.resolve();
      journal.push(`start ${name}`);
      if (fail.start) throw fail.start;
    },
    async stop() {
      await Promise.resolve();
      journal.push(`stop ${name}`);
      if (fail.stop) throw fail.stop;
    },
  };
}

test('parts start in order and stop in reverse; stop is idempotent', async () => {
  const journal: string[] = [];
  const parts = new StartedParts(() => assert.fail('no stop error expected'));
  for (const name of ['a', 'b', 'c']) await parts.start(name, part(name, journal));
  assert.deepEqual(parts.names, ['a', 'b', 'c']);
  await Promise.all([parts.stop(), parts.stop()]);
  await parts.stop();
  assert.deepEqual(journal, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('a start that fails stops the parts already started, in reverse, and rejects with one line naming the part', async () => {
  const journal: string[] = [];
  const parts = new StartedParts(() => assert.fail('no stop error expected'));
  await parts.start('a', part('a', journal));
  await parts.start('b', part('b', journal));
  await assert.rejects(parts.start('broker', part('c', journal, { start: new Error('socket hang up') })), (error: unknown) => {
    assert.ok(error instanceof StartupError, `a StartupError, got ${String(error)}`);
    assert.equal(error.message, 'broker could not start: socket hang up');
    return true;
  });
  assert.deepEqual(journal, ['start a', 'start b', 'start c', 'stop b', 'stop a'], 'the failed part itself is not stopped');
  // Nothing more starts once stopping has begun, and a later stop() does nothing again.
  await assert.rejects(parts.start('d', part('d', journal)), /d was not started: the server is shutting down/);
  await parts.stop();
  assert.deepEqual(journal.length, 5);
});

test('a StartupError from a part is passed on as it is (it already says what to change)', async () => {
  const parts = new StartedParts(() => undefined);
  const clear = new StartupError('web (dashboard) port 1234 is already in use by another program: stop it or change the option "web_port"');
  await assert.rejects(parts.start('web', part('web', [], { start: clear })), (error) => error === clear);
});

test('a part whose stop throws is reported once and the parts started before it still stop', async () => {
  const journal: string[] = [];
  const reported: string[] = [];
  const parts = new StartedParts((name, error) => reported.push(`${name}: ${error.message}`));
  await parts.start('a', part('a', journal));
  await parts.start('b', part('b', journal, { stop: new Error('broker gone') }));
  await parts.start('c', part('c', journal));
  await parts.stop();
  await parts.stop();
  assert.deepEqual(journal, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  assert.deepEqual(reported, ['b: broker gone']);
});

test('subscriptions() subscribes on start and ends each subscription on stop; repeating() ticks only while started', async () => {
  const active = new Set<string>();
  const subscribed = subscriptions(() => {
    active.add('x');
    active.add('y');
    return [() => active.delete('x'), () => active.delete('y')];
  });
  assert.equal(active.size, 0, 'nothing before start');
  await subscribed.start();
  assert.deepEqual([...active], ['x', 'y']);
  await subscribed.stop();
  assert.equal(active.size, 0);

  let ticks = 0;
  const timer = repeating(5, () => ticks++);
  await timer.start();
  const started = Date.now();
  while (ticks < 2 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(ticks >= 2, 'ticks while started');
  await timer.stop();
  const atStop = ticks;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(ticks, atStop, 'no tick after stop');
});
