import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Listeners } from '../../src/util/listeners.js';

type Events = { change: [id: string, n: number]; other: [] };

test('on() returns its own unsubscribe: after it, the listener gets nothing; calling it twice is harmless', () => {
  const events = new Listeners<Events>();
  const seen: string[] = [];
  const unsubscribeA = events.on('change', (id, n) => seen.push(`a:${id}:${n}`));
  events.on('change', (id) => seen.push(`b:${id}`));
  events.emit('change', 'x', 1);
  unsubscribeA();
  unsubscribeA();
  events.emit('change', 'y', 2);
  assert.deepEqual(seen, ['a:x:1', 'b:x', 'b:y']);
  assert.equal(events.listenerCount('change'), 1);
  assert.equal(events.listenerCount('other'), 0);
});

test('the same function subscribed twice is called twice and each unsubscribe ends one of them', () => {
  const events = new Listeners<Events>();
  let calls = 0;
  const listener = (): void => {
    calls++;
  };
  const first = events.on('other', listener);
  const second = events.on('other', listener);
  events.emit('other');
  assert.equal(calls, 2);
  first();
  first();
  events.emit('other');
  assert.equal(calls, 3, 'a repeated unsubscribe does not end the other subscription');
  second();
  events.emit('other');
  assert.equal(calls, 3);
});

test('a listener that unsubscribes another during an event does not skip or break the event in flight', () => {
  const events = new Listeners<Events>();
  const seen: string[] = [];
  let unsubscribeB = (): void => undefined;
  events.on('other', () => {
    seen.push('a');
    unsubscribeB();
  });
  unsubscribeB = events.on('other', () => seen.push('b'));
  events.on('other', () => seen.push('c'));
  events.emit('other');
  events.emit('other');
  assert.deepEqual(seen, ['a', 'b', 'c', 'a', 'c']);
});
