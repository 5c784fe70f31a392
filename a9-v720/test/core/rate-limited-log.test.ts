/** The one rate-limited log helper: one line per key and interval, and one wording for the count held back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moreLikeIt, RateLimitedLog } from '../../src/util/rate-limited-log.js';
import { captureLog } from '../support/log-capture.js';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, set: (at: number) => (t = at) };
}

const shape = (line: { level: number; msg: string; [key: string]: unknown }) => [line.level, line.msg, line['suppressed']];

describe('moreLikeIt', () => {
  it('says nothing for none, the one wording for any other count', () => {
    assert.equal(moreLikeIt(0), '');
    assert.equal(moreLikeIt(1), ' (1 more like it since the last such line)');
    assert.equal(moreLikeIt(17), ' (17 more like it since the last such line)');
  });
});

describe('RateLimitedLog', () => {
  it('one line per key and interval; the next one counts those held back, in text and field', () => {
    const log = captureLog('trace');
    const time = clock();
    const limited = new RateLimitedLog(log.logger, { intervalMs: 1000, now: time.now });
    limited.warn('junk', { ip: '10.0.0.9' }, 'ignored junk from 10.0.0.9');
    for (let i = 0; i < 3; i++) limited.warn('junk', { ip: '10.0.0.9' }, 'ignored junk again');
    time.set(1_000_999);
    limited.warn('junk', {}, 'still within the interval');
    assert.deepEqual(log.lines.map(shape), [[40, 'ignored junk from 10.0.0.9', 0]]);
    assert.equal(log.lines[0]?.['ip'], '10.0.0.9');
    time.set(1_001_000);
    limited.warn('junk', { ip: '10.0.0.10' }, 'ignored junk from 10.0.0.10');
    assert.deepEqual(log.lines.map(shape).at(-1), [40, 'ignored junk from 10.0.0.10 (4 more like it since the last such line)', 4]);
    assert.equal(log.lines.at(-1)?.['ip'], '10.0.0.10');
    // The count starts over with each line written.
    time.set(1_002_000);
    limited.warn('junk', {}, 'quiet since');
    assert.deepEqual(log.lines.map(shape).at(-1), [40, 'quiet since', 0]);
  });

  it('keys are counted apart: kinds, camera ids or both', () => {
    const log = captureLog('trace');
    const time = clock();
    const limited = new RateLimitedLog(log.logger, { intervalMs: 1000, now: time.now });
    limited.warn('bad-json:CAM1', {}, 'a');
    limited.warn('bad-json:CAM2', {}, 'b');
    limited.warn('bad-json:CAM1', {}, 'a again');
    limited.warn('rate', {}, 'c');
    assert.deepEqual(
      log.lines.map((line) => line.msg),
      ['a', 'b', 'c'],
    );
    time.set(1_001_000);
    limited.warn('bad-json:CAM2', {}, 'b later');
    limited.warn('bad-json:CAM1', {}, 'a later');
    assert.deepEqual(
      log.lines.slice(3).map((line) => line.msg),
      ['b later', 'a later (1 more like it since the last such line)'],
    );
  });

  it('at any level: warn, info or one named', () => {
    const log = captureLog('trace');
    const limited = new RateLimitedLog(log.logger, { now: () => 0 });
    limited.info('i', {}, 'an info line');
    limited.warn('w', {}, 'a warning');
    limited.log('error', 'e', {}, 'an error');
    limited.log('debug', 'd', {}, 'a debug line');
    assert.deepEqual(
      log.lines.map((line) => [line.level, line.msg]),
      [
        [30, 'an info line'],
        [40, 'a warning'],
        [50, 'an error'],
        [20, 'a debug line'],
      ],
    );
  });

  it('a minute by default, on the wall clock', () => {
    const log = captureLog('trace');
    const limited = new RateLimitedLog(log.logger);
    limited.warn('k', {}, 'first');
    limited.warn('k', {}, 'second');
    assert.deepEqual(
      log.lines.map((line) => line.msg),
      ['first'],
    );
    const time = clock();
    const timed = new RateLimitedLog(log.logger, { now: time.now });
    timed.warn('k', {}, 'one');
    time.set(1_059_999);
    timed.warn('k', {}, 'held back');
    time.set(1_060_000);
    timed.warn('k', {}, 'two');
    assert.deepEqual(
      log.lines.slice(1).map((line) => line.msg),
      ['one', 'two (1 more like it since the last such line)'],
    );
  });

  it('remembers at most maxKeys keys (1024 by default), forgetting the oldest first', () => {
    const log = captureLog('trace');
    const time = clock();
    const limited = new RateLimitedLog(log.logger, { maxKeys: 3, now: time.now });
    for (const key of ['a', 'b', 'c']) limited.warn(key, {}, key);
    assert.equal(limited.keyCount, 3);
    limited.warn('b', {}, 'b held back'); // a held-back line keeps the key's place
    limited.warn('d', {}, 'd');
    assert.equal(limited.keyCount, 3, 'a is forgotten to make room for d');
    limited.warn('a', {}, 'a again');
    limited.warn('c', {}, 'c held back');
    assert.deepEqual(
      log.lines.map((line) => line.msg),
      ['a', 'b', 'c', 'd', 'a again'],
      'a was forgotten, so it logs again at once (b made room for it)',
    );
    limited.warn('b', {}, 'b again');
    assert.equal(log.lines.at(-1)?.msg, 'b again', 'b was forgotten when a came back: its count went with it');

    const many = new RateLimitedLog(log.logger, { now: time.now });
    for (let i = 0; i < 2000; i++) many.warn(`port:${i}`, {}, 'scan');
    assert.equal(many.keyCount, 1024);
    const before = log.lines.length;
    many.warn('port:976', {}, 'the oldest key still remembered');
    many.warn('port:975', {}, 'a forgotten key');
    assert.deepEqual(
      log.lines.slice(before).map((line) => line.msg),
      ['a forgotten key'],
    );
  });

  it('through(): another logger, the same keys and counts', () => {
    const log = captureLog('trace');
    const time = clock();
    const limited = new RateLimitedLog(log.logger.child({ part: 'camera' }), { now: time.now });
    const cameraLine = limited.through(log.logger.child({ part: 'camera', camera: 'CAM1' }));
    limited.warn('bad-json', {}, 'from an unregistered connection');
    cameraLine.warn('bad-json', {}, 'from the camera');
    time.set(1_060_000);
    cameraLine.warn('bad-json', {}, 'from the camera, later');
    assert.deepEqual(
      log.lines.map((line) => [line.msg, line['camera']]),
      [
        ['from an unregistered connection', undefined],
        ['from the camera, later (1 more like it since the last such line)', 'CAM1'],
      ],
    );
    assert.equal(cameraLine.keyCount, 1);
  });

  it('a budget over all keys: asked only for lines a key lets through; a refused line is lost with its count', () => {
    const log = captureLog('trace');
    const time = clock();
    let tokens = 2;
    let asked = 0;
    const budget = (): boolean => {
      asked++;
      return tokens-- > 0;
    };
    const limited = new RateLimitedLog(log.logger, { now: time.now, budget });
    limited.warn('id1', {}, 'id1');
    limited.warn('id1', {}, 'id1 held back');
    limited.warn('id2', {}, 'id2');
    limited.warn('id3', {}, 'id3 over budget');
    assert.equal(asked, 3, 'held back lines do not spend the budget');
    time.set(1_060_000);
    tokens = 1;
    limited.warn('id1', {}, 'id1 later');
    limited.warn('id3', {}, 'id3 later');
    assert.deepEqual(
      log.lines.map((line) => line.msg),
      ['id1', 'id2', 'id1 later (1 more like it since the last such line)'],
    );
  });
});
