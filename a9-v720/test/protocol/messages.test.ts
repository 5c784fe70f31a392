import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BASE_INFO_LIMITS,
  encodeCameraJson,
  encodeDeviceStatus,
  encodeForward,
  encodeNatRequest,
  encodeProbeRequest,
  encodeUdpHelloAnswer,
  isUnknownMessage,
  parseBaseInfo,
  parseCameraMessage,
  toBaseInfo,
} from '../../src/protocol/messages.js';
import { cleanCameraText } from '../../src/protocol/camera-text.js';
import { SETTING_SPECS } from '../../src/protocol/settings.js';

const parse = (text: string) => parseCameraMessage(Buffer.from(text));

test('the observed registration parses, spaces and all', () => {
  const result = parse('{"code": 100, "uid": "0800c00128F8", "token": "91edf41f" ,"domain": "v720.naxclow.com"}');
  assert.deepEqual(result, { ok: true, value: { code: 100, uid: '0800c00128F8', token: '91edf41f', domain: 'v720.naxclow.com' } });
});

test('the X6 mini 301/4 answer with irregular whitespace and new fields parses', () => {
  const result = parse(
    '{"code": 301 , "target": "abc", "content":  {"code": 4 , "IrLed":  2, "udpPlayBack": 1, "version": "202412061749"} }',
  );
  assert.ok(result.ok, `the 301/4 answer parses, got: ${result.ok ? 'ok' : result.reason}`);
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
  assert.ok(
    nat.ok && nat.value.code === 12 && 'devPort' in nat.value && nat.value.devPort === 4000,
    `a code 12 NAT result with devPort 4000, got ${JSON.stringify(nat)}`,
  );
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
  assert.ok(result.ok, `an unknown code still parses, got: ${result.ok ? 'ok' : result.reason}`);
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

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
/** A server JSON packet as PROTOCOL.md §3 shows them: cmd 0, flags 0, ASCII "00000000", pkg 0. */
const serverJson = (lengthHex: string, json: string): Buffer =>
  Buffer.concat([hex(`${lengthHex} 0000 00 00 3030303030303030 00000000`), Buffer.from(json)]);

test('every server message, byte for byte', () => {
  assert.deepEqual(encodeUdpHelloAnswer('10.0.0.2', 6123), serverJson('27000000', '{"code":21,"ip":"10.0.0.2","port":6123}'));
  assert.deepEqual(encodeProbeRequest(), serverJson('0b000000', '{"code":50}'));
  assert.deepEqual(encodeDeviceStatus(), serverJson('16000000', '{"code":53,"status":1}'));
  assert.deepEqual(
    encodeForward('t', { code: 202, IrLed: 1 }),
    serverJson('3a000000', '{"code":301,"target":"t","content":{"code":202,"IrLed":1}}'),
  );
  assert.deepEqual(
    encodeNatRequest({ cliTarget: 'a', cliToken: 'b', cliIp: '10.0.0.2', cliPort: 6123, cliNatIp: '10.0.0.3', cliNatPort: 6124 }),
    serverJson(
      '74000000',
      '{"code":11,"cliTarget":"a","cliToken":"b","cliIp":"10.0.0.2","cliPort":6123,"cliNatIp":"10.0.0.3","cliNatPort":6124}',
    ),
  );
});

test('camera JSON (simulator side): zero forward id, the given pkg id, text passed through as is', () => {
  assert.deepEqual(
    encodeCameraJson({ code: 20 }, 7),
    Buffer.concat([hex('0b000000 0000 00 00 0000000000000000 07000000'), Buffer.from('{"code":20}')]),
  );
  assert.deepEqual(
    encodeCameraJson('{"code": 20}'),
    Buffer.concat([hex('0c000000 0000 00 00 0000000000000000 00000000'), Buffer.from('{"code": 20}')]),
  );
});

test('uid and devTarget: 4 and 32 letters and digits pass; 3, 33, other characters and non-strings are refused', () => {
  for (const id of ['abc1', 'A'.repeat(16) + '0'.repeat(16)]) {
    assert.deepEqual(parse(`{"code":100,"uid":"${id}","token":"t"}`), {
      ok: true,
      value: { code: 100, uid: id, token: 't', domain: undefined },
    });
    assert.deepEqual(parse(`{"code":51,"devTarget":"${id}"}`), { ok: true, value: { code: 51, devTarget: id, status: undefined } });
  }
  for (const id of ['', 'abc', 'x'.repeat(33), 'abc-1', 'abc 1', '0800c00128F8/', 'é800c00128F8']) {
    assert.deepEqual(
      parse(`{"code":100,"uid":"${id}"}`),
      { ok: false, reason: 'registration (code 100) without a usable "uid" (4 to 32 letters and digits)' },
      id,
    );
    assert.deepEqual(
      parse(`{"code":51,"devTarget":"${id}"}`),
      { ok: false, reason: 'probe (code 51) without a usable "devTarget" (4 to 32 letters and digits)' },
      id,
    );
  }
  assert.equal(parse('{"code":51,"devTarget":12345}').ok, false);
  assert.equal(parse('{"code":100,"uid":12345}').ok, false);
});

test('optional registration fields: a missing token is empty, a numeric one is text', () => {
  assert.deepEqual(parse('{"code":100,"uid":"cam1"}'), { ok: true, value: { code: 100, uid: 'cam1', token: '', domain: undefined } });
  assert.deepEqual(parse('{"code":100,"uid":"cam1","token":1234,"domain":"d"}'), {
    ok: true,
    value: { code: 100, uid: 'cam1', token: '1234', domain: 'd' },
  });
});

test('the NAT result keeps every field, numbers given as text included', () => {
  assert.deepEqual(
    parse(
      '{"code":12,"status":"200","devIp":"192.168.1.5","devPort":"4000","devNatIp":"1.2.3.4","devNatPort":5000,"cliTarget":"x","cliToken":"y"}',
    ),
    {
      ok: true,
      value: {
        code: 12,
        status: 200,
        devIp: '192.168.1.5',
        devPort: 4000,
        devNatIp: '1.2.3.4',
        devNatPort: 5000,
        cliTarget: 'x',
        cliToken: 'y',
      },
    },
  );
  assert.deepEqual(parse('{"code":12}'), {
    ok: true,
    value: {
      code: 12,
      status: undefined,
      devIp: undefined,
      devPort: undefined,
      devNatIp: undefined,
      devNatPort: undefined,
      cliTarget: undefined,
      cliToken: undefined,
    },
  });
});

test('codes given as text are understood; a blank or missing code is an unknown message', () => {
  assert.deepEqual(parse('{"code":"20"}'), { ok: true, value: { code: 20 } });
  assert.deepEqual(parse('{"code":"51","devTarget":"cam1"}'), { ok: true, value: { code: 51, devTarget: 'cam1', status: undefined } });
  assert.deepEqual(parse('{"code":" "}'), { ok: true, value: { code: undefined, unknown: true, raw: { code: ' ' } } });
  assert.deepEqual(parse('{"x":1}'), { ok: true, value: { code: undefined, unknown: true, raw: { x: 1 } } });
  const unknown = parse('{"code":777}');
  assert.ok(unknown.ok && isUnknownMessage(unknown.value), `code 777 is an unknown message, got ${JSON.stringify(unknown)}`);
  const hello = parse('{"code":20}');
  assert.ok(hello.ok && !isUnknownMessage(hello.value), `code 20 is a known message, got ${JSON.stringify(hello)}`);
});

test('a forward: content code given as text becomes a number, target as text', () => {
  assert.deepEqual(parse('{"code":301,"target":7,"content":{"code":"4","IrLed":1}}'), {
    ok: true,
    value: { code: 301, target: '7', content: { code: 4, IrLed: 1 } },
  });
  assert.deepEqual(parse('{"code":301,"content":{"code":0}}'), { ok: true, value: { code: 301, target: undefined, content: { code: 0 } } });
  assert.deepEqual(parse('{"code":301,"content":[1]}'), { ok: false, reason: 'forward (code 301) without a "content" object' });
});

test('base info keeps numbers, strings and booleans beside the code, and drops the rest', () => {
  assert.deepEqual(toBaseInfo({ code: 4, IrLed: 1, wifiName: 'home', pir: true, nested: { a: 1 }, list: [1], nothing: null }), {
    IrLed: 1,
    wifiName: 'home',
    pir: true,
  });
  assert.deepEqual(toBaseInfo({ code: 4 }), {});
});

test('a dropped value is described in the reason: strings quoted and cut after 16 characters, other kinds by name', () => {
  const reasonFor = (value: unknown): string | undefined => parseBaseInfo({ code: 4, devPower: value }).dropped[0]?.reason;
  const expected = 'expected a whole number from 0 to 100, got ';
  assert.equal(reasonFor('0123456789abcdef'), `${expected}"0123456789abcdef"`, 'exactly 16 characters: whole, no mark');
  assert.equal(reasonFor('0123456789abcdefg'), `${expected}"0123456789abcdef…"`, '17 characters: cut, with a mark');
  assert.equal(reasonFor(''), `${expected}""`);
  assert.equal(reasonFor([]), `${expected}an array`);
  assert.equal(reasonFor({}), `${expected}an object`);
  // Not from JSON, but a caller's object may hold it.
  assert.equal(reasonFor(undefined), `${expected}undefined`);
});

test('base info limits: 64-character strings, 32-character field names, 48 fields; exactly at each bound kept, one past it not', () => {
  assert.deepEqual(BASE_INFO_LIMITS, { fields: 48, keyLength: 32, stringLength: 64 });
  const info = toBaseInfo({ code: 4, at: 'x'.repeat(64), past: 'y'.repeat(65), [`k${'e'.repeat(31)}`]: 1, [`k${'e'.repeat(32)}`]: 2 });
  assert.deepEqual(info, { at: 'x'.repeat(64), past: 'y'.repeat(64), [`k${'e'.repeat(31)}`]: 1 });
  assert.equal(cleanCameraText('abcdef', 3), 'abc');
  assert.equal(cleanCameraText('abc', 3), 'abc');
  assert.equal(cleanCameraText('z'.repeat(65)), 'z'.repeat(64));
  // Field names must be identifiers; non-finite numbers are not kept.
  assert.deepEqual(
    toBaseInfo({ code: 4, _ok: 1, ok_2: 2, '2bad': 3, 'a-b': 4, 'a b': 5, '': 6, inf: Number.POSITIVE_INFINITY, nan: Number.NaN }),
    { _ok: 1, ok_2: 2 },
  );
  const many = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, i]));
  assert.equal(Object.keys(toBaseInfo({ code: 4, ...many(48) })).length, 48);
  const capped = toBaseInfo({ code: 4, skipped: null, nested: {}, ...many(49) });
  assert.deepEqual(Object.keys(capped), Object.keys(many(48)), 'the first 48 kept fields; dropped values do not count');
});

test('base info of PROTOCOL.md §4 (firmware 202212011602) parses field for field, nothing dropped', () => {
  const wire =
    '{"code":301,"target":"00112233445566778899aabbccddeeff","content":{"code":4,"IrLed":1,"devPower":100,"speedGrade":1,"moveAlert":0,"sdMoveMode":0,"wifiName":"x","instLed":1,"sdDevStatus":0,"mirrorFlip":0,"version":"202212011602"}}';
  const message = parse(wire);
  assert.ok(
    message.ok && 'content' in message.value,
    `the §4 wire text parses to a forward with content, got: ${message.ok ? 'no content' : message.reason}`,
  );
  assert.deepEqual(parseBaseInfo(message.value.content), {
    info: {
      IrLed: 1,
      devPower: 100,
      speedGrade: 1,
      moveAlert: 0,
      sdMoveMode: 0,
      wifiName: 'x',
      instLed: 1,
      sdDevStatus: 0,
      mirrorFlip: 0,
      version: '202212011602',
    },
    dropped: [],
  });
});

test('base info: each known field of the wrong type is dropped with its reason, the others kept', () => {
  const cases: Array<[string, unknown, string]> = [
    ['IrLed', '1', 'expected one of 0, 1, 2, got "1"'],
    ['IrLed', true, 'expected one of 0, 1, 2, got true'],
    ['devPower', '87', 'expected a whole number from 0 to 100, got "87"'],
    ['devPower', null, 'expected a whole number from 0 to 100, got null'],
    ['speedGrade', [1], 'expected a whole number from 0 to 255, got an array'],
    ['moveAlert', { on: 1 }, 'expected one of 0, 1, got an object'],
    ['sdMoveMode', false, 'expected one of 0, 1, got false'],
    ['instLed', '0', 'expected one of 0, 1, got "0"'],
    ['sdDevStatus', 'ok', 'expected a whole number from 0 to 255, got "ok"'],
    ['mirrorFlip', '4', 'expected one of 0, 1, 2, 3, 4, got "4"'],
    ['wifiName', 5, 'expected a string, got 5'],
    ['version', 202212011602, 'expected a string, got 202212011602'],
    ['version', null, 'expected a string, got null'],
  ];
  for (const [field, value, reason] of cases) {
    const parsed = parseBaseInfo({ code: 4, [field]: value, wifiName: field === 'wifiName' ? value : 'home' });
    assert.deepEqual(parsed.dropped, [{ field, reason }], `${field}: ${JSON.stringify(value)}`);
    assert.equal(field in parsed.info, false, `${field} left out`);
    if (field !== 'wifiName') assert.equal(parsed.info.wifiName, 'home', 'the other fields are kept');
  }
  // Non-finite numbers never come from JSON (1e999 parses as Infinity, though) and never stay.
  assert.deepEqual(parseBaseInfo(JSON.parse('{"code":4,"devPower":1e999,"battery":1e999}') as Record<string, unknown>), {
    info: {},
    dropped: [
      { field: 'devPower', reason: 'expected a whole number from 0 to 100, got Infinity' },
      { field: 'battery', reason: 'expected a finite number, got Infinity' },
    ],
  });
  // Other fields: scalars kept, anything else dropped with its reason.
  assert.deepEqual(parseBaseInfo({ code: 4, pir: true, nested: { a: 1 }, list: [1], nothing: null }), {
    info: { pir: true },
    dropped: [
      { field: 'nested', reason: 'expected a number, string or boolean, got an object' },
      { field: 'list', reason: 'expected a number, string or boolean, got an array' },
      { field: 'nothing', reason: 'expected a number, string or boolean, got null' },
    ],
  });
});

test('base info bounds: exactly at each limit kept, one past it dropped (or capped, for strings)', () => {
  const kept = (field: string, value: unknown) => {
    const parsed = parseBaseInfo({ code: 4, [field]: value });
    return parsed.dropped.length === 0 && parsed.info[field] === value;
  };
  assert.ok(kept('devPower', 0) && kept('devPower', 100), 'devPower keeps 0 and 100');
  assert.ok(!kept('devPower', -1) && !kept('devPower', 101) && !kept('devPower', 99.5), 'devPower drops -1, 101 and 99.5');
  assert.ok(
    kept('speedGrade', 0) && kept('speedGrade', 255) && !kept('speedGrade', 256) && !kept('speedGrade', -1),
    'speedGrade keeps 0 and 255, drops 256 and -1',
  );
  assert.ok(kept('sdDevStatus', 255) && !kept('sdDevStatus', 256), 'sdDevStatus keeps 255, drops 256');
  assert.ok(kept('IrLed', 2) && !kept('IrLed', 3) && !kept('IrLed', -1), 'IrLed keeps 2, drops 3 and -1');
  assert.ok(kept('instLed', 1) && !kept('instLed', 2), 'instLed keeps 1, drops 2');
  assert.ok(kept('moveAlert', 1) && !kept('moveAlert', 2), 'moveAlert keeps 1, drops 2');
  assert.ok(kept('sdMoveMode', 1) && !kept('sdMoveMode', 2), 'sdMoveMode keeps 1, drops 2');
  assert.ok(kept('mirrorFlip', 4) && kept('mirrorFlip', 1) && !kept('mirrorFlip', 5), 'mirrorFlip keeps 4 and 1, drops 5');
  assert.deepEqual(parseBaseInfo({ code: 4, devPower: 101 }).dropped, [
    { field: 'devPower', reason: 'expected a whole number from 0 to 100, got 101' },
  ]);
  // Strings: 64 characters kept as they are, longer ones capped (not dropped).
  const at = parseBaseInfo({ code: 4, wifiName: 'w'.repeat(64), version: 'v'.repeat(65) });
  assert.deepEqual(at, { info: { wifiName: 'w'.repeat(64), version: 'v'.repeat(64) }, dropped: [] });
  // Field names: 32 characters kept, 33 dropped; the dropped name is capped in the report.
  const name32 = `n${'a'.repeat(31)}`;
  const name33 = `n${'a'.repeat(32)}`;
  assert.deepEqual(parseBaseInfo({ code: 4, [name32]: 1, [name33]: 2, 'a-b': 3 }), {
    info: { [name32]: 1 },
    dropped: [
      { field: name32, reason: 'the name is not an identifier of at most 32 characters' },
      { field: 'a-b', reason: 'the name is not an identifier of at most 32 characters' },
    ],
  });
  // 48 fields kept, the 49th dropped; a flood of bad fields reports 47 of them and counts the rest.
  const many = (count: number, value: unknown = 1) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}`, value]));
  assert.deepEqual(parseBaseInfo({ code: 4, ...many(48) }).dropped, []);
  assert.deepEqual(parseBaseInfo({ code: 4, ...many(49) }).dropped, [{ field: 'f48', reason: 'more than 48 fields' }]);
  const flood = parseBaseInfo({ code: 4, ...many(1000, null) });
  assert.equal(flood.dropped.length, BASE_INFO_LIMITS.fields);
  assert.deepEqual(flood.dropped.at(-1), { field: '…', reason: '953 more fields dropped' });
  assert.deepEqual(flood.info, {});
});

test('base info accepts every value the settings table can send or a camera may report', () => {
  for (const spec of SETTING_SPECS.filter((row) => row.reported)) {
    for (const { value } of [...spec.values, ...(spec.reportedOnly ?? [])]) {
      assert.deepEqual(
        parseBaseInfo({ code: spec.code, [spec.field]: value }),
        { info: { [spec.field]: value }, dropped: [] },
        `${spec.field} ${value}`,
      );
    }
  }
});

test('every camera-sent string of a message comes out clean: base info (known and other fields), NAT fields, registration, forward target', () => {
  const dirty = '\u001b[31m\u202eX\u200b\u0085';
  const info = toBaseInfo({ code: 4, version: `2022${dirty}12`, wifiName: `Home${dirty}Net`, mac: `aa${dirty}` });
  assert.deepEqual(info, { version: '2022[31mX12', wifiName: 'Home[31mXNet', mac: 'aa[31mX' });
  const nat = parse(
    JSON.stringify({ code: 12, devIp: `10.0.0.7${dirty}`, devNatIp: dirty, cliTarget: `t${dirty}`, cliToken: `k${dirty}` }),
  );
  assert.ok(nat.ok && 'devIp' in nat.value, 'a NAT result');
  assert.deepEqual(
    [nat.value.devIp, nat.value.devNatIp, nat.value.cliTarget, nat.value.cliToken],
    ['10.0.0.7[31mX', '[31mX', 't[31mX', 'k[31mX'],
  );
  const register = parse(JSON.stringify({ code: 100, uid: '0800c00128F8', token: `ab${dirty}`, domain: `v720${dirty}` }));
  assert.ok(register.ok && 'token' in register.value, 'a registration');
  assert.deepEqual([register.value.token, register.value.domain], ['ab[31mX', 'v720[31mX']);
  const forward = parse(JSON.stringify({ code: 301, target: `x${dirty}`, content: { code: 4 } }));
  assert.ok(forward.ok && 'target' in forward.value, 'a forward');
  assert.equal(forward.value.target, 'x[31mX');
});
