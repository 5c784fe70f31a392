import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isObject, optionalNumber, optionalString, parseJsonObject, preview, strictString } from '../../src/protocol/json.js';

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

test('objects only: arrays, null and primitives are not objects', () => {
  assert.equal(isObject({}), true);
  assert.equal(isObject({ a: 1 }), true);
  for (const value of [null, [], [1], 'x', 1, true, undefined]) assert.equal(isObject(value), false, JSON.stringify(value));
});

test('optionalString takes strings and finite numbers, nothing else', () => {
  const obj = JSON.parse('{"s":"x","empty":"","n":5,"f":1.5,"big":1e999,"b":true,"o":{},"z":null}') as Record<string, unknown>;
  assert.equal(optionalString(obj, 's'), 'x');
  assert.equal(optionalString(obj, 'empty'), '');
  assert.equal(optionalString(obj, 'n'), '5');
  assert.equal(optionalString(obj, 'f'), '1.5');
  assert.equal(optionalString(obj, 'big'), undefined, '1e999 parses to Infinity');
  for (const key of ['b', 'o', 'z', 'missing']) assert.equal(optionalString(obj, key), undefined, key);
});

test('strictString never coerces', () => {
  const obj = { s: 'x', n: 5, b: false };
  assert.equal(strictString(obj, 's'), 'x');
  assert.equal(strictString(obj, 'n'), undefined);
  assert.equal(strictString(obj, 'b'), undefined);
  assert.equal(strictString(obj, 'missing'), undefined);
});

test('optionalNumber takes finite numbers and numeric strings; blanks and words are not numbers', () => {
  const obj = JSON.parse(
    '{"n":7,"neg":-2.5,"s":"42","padded":" 8 ","hex":"0x10","blank":"","space":"   ","word":"abc","inf":1e999,"sinf":"Infinity","b":true,"z":null}',
  ) as Record<string, unknown>;
  assert.equal(optionalNumber(obj, 'n'), 7);
  assert.equal(optionalNumber(obj, 'neg'), -2.5);
  assert.equal(optionalNumber(obj, 's'), 42);
  assert.equal(optionalNumber(obj, 'padded'), 8);
  assert.equal(optionalNumber(obj, 'hex'), 16);
  for (const key of ['blank', 'space', 'word', 'inf', 'sinf', 'b', 'z', 'missing']) assert.equal(optionalNumber(obj, key), undefined, key);
});

test('nesting: 16 levels pass, 17 are refused with a reason', () => {
  assert.deepEqual(parseJsonObject(Buffer.from(nested(16))).ok, true);
  assert.deepEqual(parseJsonObject(Buffer.from(nested(17))), { ok: false, reason: 'JSON nested deeper than 16 levels' });
  // Arrays count as levels too.
  assert.equal(parseJsonObject(Buffer.from(`{"a":${'['.repeat(15)}${']'.repeat(15)}}`)).ok, true);
  assert.equal(parseJsonObject(Buffer.from(`{"a":${'['.repeat(16)}1${']'.repeat(16)}}`)).ok, false);
  assert.equal(parseJsonObject(Buffer.from(`{"a":[1,2,{"b":${nested(13)}}]}`)).ok, true, 'the deepest branch decides, not the first');
  assert.equal(parseJsonObject(Buffer.from(`{"a":[1,2,{"b":${nested(14)}}]}`)).ok, false);
});

test('a 100 000-level payload is refused with a reason, never a stack overflow', () => {
  const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  assert.deepEqual(parseJsonObject(Buffer.from(deep)), { ok: false, reason: 'JSON nested deeper than 16 levels' });
  const wide = `{"a":[${new Array(200_000).fill(0).join(',')}]}`;
  assert.equal(parseJsonObject(Buffer.from(wide)).ok, true);
});

test('what is not a JSON object comes back with a reason showing the bytes', () => {
  const value = parseJsonObject(Buffer.from(' {"code": 1} '));
  assert.deepEqual(value, { ok: true, value: { code: 1 } });
  const array = parseJsonObject(Buffer.from('[1,2]'));
  assert.deepEqual(array, { ok: false, reason: 'payload is JSON but not an object: [1,2]' });
  const broken = parseJsonObject(Buffer.from('{"code"\x00'));
  assert.equal(broken.ok, false);
  assert.match(!broken.ok ? broken.reason : '', /^payload is not JSON \(.+\): \{"code"\.$/);
});

test('preview: printable ASCII kept, other bytes as dots, long input cut at 80 with its size', () => {
  assert.equal(preview(Buffer.from('ok {"a":1}')), 'ok {"a":1}');
  assert.equal(preview(Buffer.from([0x41, 0x00, 0x1f, 0x7f, 0x80, 0x20, 0x7e])), 'A.... ~');
  assert.equal(preview(Buffer.alloc(80, 0x61)), 'a'.repeat(80));
  assert.equal(preview(Buffer.alloc(81, 0x61)), `${'a'.repeat(80)}… (81 bytes)`);
  assert.equal(preview(Buffer.from('abcdef'), 3), 'abc… (6 bytes)');
  assert.equal(preview(Buffer.from('abc'), 3), 'abc');
});
