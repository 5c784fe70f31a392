import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeForward, encodeNatRequest, parseCameraMessage, toBaseInfo } from '../../src/protocol/messages.js';

const parse = (text: string) => parseCameraMessage(Buffer.from(text));

test('the observed registration parses, spaces and all', () => {
  const result = parse('{"code": 100, "uid": "0800c00128F8", "token": "91edf41f" ,"domain": "v720.naxclow.com"}');
  assert.deepEqual(result, { ok: true, value: { code: 100, uid: '0800c00128F8', token: '91edf41f', domain: 'v720.naxclow.com' } });
});

test('the X6 mini 301/4 answer with irregular whitespace and new fields parses', () => {
  const result = parse(
    '{"code": 301 , "target": "abc", "content":  {"code": 4 , "IrLed":  2, "udpPlayBack": 1, "version": "202412061749"} }',
  );
  assert.ok(result.ok);
  assert.equal(result.value.code, 301);
  const content = 'content' in result.value ? result.value.content : undefined;
  assert.deepEqual(content, { code: 4, IrLed: 2, udpPlayBack: 1, version: '202412061749' });
  assert.deepEqual(toBaseInfo(content ?? assert.fail('no content')), { IrLed: 2, udpPlayBack: 1, version: '202412061749' });
});

test('probe and NAT result parse to typed messages', () => {
  assert.deepEqual(parse('{"code":51,"devTarget":"0800c00128F8","status":200}'), {
    ok: true,
    value: { code: 51, devTarget: '0800c00128F8', status: 200 },
  });
  const nat = parse(
    '{"code":12,"status":200,"devIp":"192.168.1.5","devPort":4000,"devNatIp":"1.2.3.4","devNatPort":5000,"cliTarget":"x","cliToken":"y"}',
  );
  assert.ok(nat.ok && nat.value.code === 12 && 'devPort' in nat.value && nat.value.devPort === 4000);
});

test('wrong types and missing fields are rejected with a reason, not thrown', () => {
  for (const [text, reason] of [
    ['{"code": 100, "uid": 5}', /without a usable "uid"/],
    ['{"code": 100}', /without a usable "uid"/],
    ['{"code": 51}', /devTarget/],
    ['{"code": 301, "content": "x"}', /without a "content" object/],
    ['{"code": 301, "content": {}}', /without a numeric "code"/],
    ['[1,2,3]', /not an object/],
    ['{"code": 100', /not JSON/],
    ['\u0000\u0001garbage', /not JSON/],
    [`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`, /nested deeper/],
  ] as const) {
    const result = parse(text);
    assert.equal(result.ok, false, text);
    assert.match(!result.ok ? result.reason : '', reason, text);
  }
});

test('unknown codes parse as unknown messages (logged, never fatal)', () => {
  const result = parse('{"code": 777, "x": 1}');
  assert.ok(result.ok);
  assert.deepEqual(result.value, { code: 777, unknown: true, raw: { code: 777, x: 1 } });
});

test('server messages encode as cmd 0 JSON with the ASCII forward id', () => {
  const nat = encodeNatRequest({
    cliTarget: 'a'.repeat(32),
    cliToken: 'b'.repeat(8),
    cliIp: '10.0.0.2',
    cliPort: 6123,
    cliNatIp: '10.0.0.2',
    cliNatPort: 6123,
  });
  assert.equal(nat.readUInt32LE(0), nat.length - 20);
  assert.equal(nat.subarray(8, 16).toString('ascii'), '00000000');
  assert.deepEqual(JSON.parse(nat.subarray(20).toString()), {
    code: 11,
    cliTarget: 'a'.repeat(32),
    cliToken: 'bbbbbbbb',
    cliIp: '10.0.0.2',
    cliPort: 6123,
    cliNatIp: '10.0.0.2',
    cliNatPort: 6123,
  });
  const forward = encodeForward('t', { code: 202, IrLed: 1 });
  assert.deepEqual(JSON.parse(forward.subarray(20).toString()), { code: 301, target: 't', content: { code: 202, IrLed: 1 } });
});
