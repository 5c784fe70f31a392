/**
 * The pairing helper download's pure part: the panel's Wi-Fi values checked against the camera's
 * limits, and written into a9-pair.py as Python literals that python3 reads back exactly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  checkPassword,
  checkSsid,
  fillPairingHelper,
  parsePairingRequest,
  PRESET_MARKERS,
  pythonStringLiteral,
} from '../../src/web/pairing-helper-file.js';
import { HELPER_FILE } from '../support/python-helper.js';

const template = readFileSync(HELPER_FILE, 'utf8');

/** What python3 makes of each literal, as JSON (one interpreter run for many values). */
function pythonValues(literals: readonly string[]): unknown {
  const program = `import json\nprint(json.dumps([${literals.join(', ')}]))`;
  return JSON.parse(execFileSync('python3', ['-c', program], { encoding: 'utf8', timeout: 20_000 }));
}

test('Python literals: plain ASCII stays readable, quotes and backslashes are escaped, the rest by code point', () => {
  assert.equal(pythonStringLiteral('Home 42'), '"Home 42"');
  assert.equal(pythonStringLiteral('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(pythonStringLiteral("it's"), '"it\'s"');
  assert.equal(pythonStringLiteral('\t\n\x00\x1f\x7f'), '"\\x09\\x0a\\x00\\x1f\\x7f"');
  assert.equal(pythonStringLiteral(' ~'), '" ~"');
  assert.equal(pythonStringLiteral('é\u00ff'), '"\\xe9\\xff"');
  assert.equal(pythonStringLiteral('\u0100✓\uffff'), '"\\u0100\\u2713\\uffff"');
  assert.equal(pythonStringLiteral('📶'), '"\\U0001f4f6"');
  assert.equal(pythonStringLiteral('\u{10000}\u{10ffff}'), '"\\U00010000\\U0010ffff"', 'the first code point beyond 16 bits needs \\U');
  assert.equal(pythonStringLiteral(''), '""');
  assert.match(pythonStringLiteral('Ωμέγα 📶 "q" \\'), /^"[\x20-\x7e]*"$/, 'the literal is printable ASCII only');
});

test('python3 reads every literal back as exactly the original text (property, one interpreter run)', () => {
  const samples = fc.sample(
    fc.string({ unit: 'grapheme', maxLength: 24 }).filter((text) => Buffer.from(text, 'utf8').toString('utf8') === text),
    { numRuns: 300, seed: 20 },
  );
  const fixed = [
    '',
    '"',
    '\\',
    "'''",
    '"""',
    '\\x41',
    '\\u0041',
    '\r\n',
    'é',
    '📶',
    '\u2028',
    'a\u0000b',
    '\u{10000}',
    '\uffff\u0100\u00ff\u007f\u0020\u001f',
  ];
  const all = [...fixed, ...samples];
  assert.deepEqual(pythonValues(all.map(pythonStringLiteral)), all);
});

test('the SSID is 1–32 bytes of valid text (bytes, not characters)', () => {
  assert.equal(checkSsid('H'), undefined);
  assert.equal(checkSsid('x'.repeat(32)), undefined);
  assert.equal(checkSsid('é'.repeat(16)), undefined);
  assert.equal(checkSsid(''), 'the Wi-Fi name is empty');
  assert.equal(checkSsid('x'.repeat(33)), 'the Wi-Fi name is 33 bytes long; a Wi-Fi name has at most 32 bytes');
  assert.equal(checkSsid(`${'é'.repeat(16)}x`), 'the Wi-Fi name is 33 bytes long; a Wi-Fi name has at most 32 bytes');
  assert.equal(checkSsid('a\uD800b'), 'the Wi-Fi name is not valid text');
  assert.equal(checkSsid('\uDC00'), 'the Wi-Fi name is not valid text');
  assert.equal(checkSsid('📶'), undefined, 'a surrogate pair is valid text');
});

test('the password is 8–36 characters (code points) of valid text', () => {
  assert.equal(checkPassword('12345678'), undefined);
  assert.equal(checkPassword('x'.repeat(36)), undefined);
  assert.equal(checkPassword('📶'.repeat(36)), undefined, '36 characters even though 72 UTF-16 units');
  assert.equal(checkPassword('1234567'), 'the Wi-Fi password has 7 characters; the camera needs 8 to 36');
  assert.equal(checkPassword('x'.repeat(37)), 'the Wi-Fi password has 37 characters; the camera needs 8 to 36');
  assert.equal(checkPassword('📶📶📶📶'), 'the Wi-Fi password has 4 characters; the camera needs 8 to 36');
  assert.equal(checkPassword('12345678\uDFFF'), 'the Wi-Fi password is not valid text');
  assert.equal(checkPassword('\uD83D12345678'), 'the Wi-Fi password is not valid text');
});

test('the request body: both strings, SSID checked before the password', () => {
  assert.deepEqual(parsePairingRequest({ ssid: 'Home', password: '12345678' }), {
    ok: true,
    value: { ssid: 'Home', password: '12345678' },
  });
  const shape = 'send {"ssid": "<Wi-Fi name>", "password": "<Wi-Fi password>"} as strings';
  assert.deepEqual(parsePairingRequest({}), { ok: false, reason: shape });
  assert.deepEqual(parsePairingRequest({ ssid: 'Home' }), { ok: false, reason: shape });
  assert.deepEqual(parsePairingRequest({ password: '12345678' }), { ok: false, reason: shape });
  assert.deepEqual(parsePairingRequest({ ssid: 42, password: '12345678' }), { ok: false, reason: shape });
  assert.deepEqual(parsePairingRequest({ ssid: 'Home', password: 12345678 }), { ok: false, reason: shape });
  assert.deepEqual(parsePairingRequest({ ssid: '', password: 'short' }), { ok: false, reason: 'the Wi-Fi name is empty' });
  assert.deepEqual(parsePairingRequest({ ssid: 'Home', password: 'short' }), {
    ok: false,
    reason: 'the Wi-Fi password has 5 characters; the camera needs 8 to 36',
  });
});

test('filling in replaces exactly the two marked None values and nothing else', () => {
  const filled = fillPairingHelper(template, { ssid: 'My "Net"', password: 'pass\\word' });
  assert.ok(filled.includes('PRESET_SSID = "My \\"Net\\""  # a9-pair:preset:ssid'), 'the SSID line');
  assert.ok(filled.includes('PRESET_PASSWORD = "pass\\\\word"  # a9-pair:preset:password'), 'the password line');
  const changed = template.split('\n').filter((line, i) => filled.split('\n')[i] !== line);
  assert.deepEqual(changed, [PRESET_MARKERS.ssid, PRESET_MARKERS.password]);
  assert.equal(filled.split('\n').length, template.split('\n').length);
});

test('a template without a marker, or with one twice, is a build bug: it throws', () => {
  const wifi = { ssid: 'Home', password: '12345678' };
  assert.throws(
    () => fillPairingHelper('print(1)\n', wifi),
    /must contain the line "PRESET_SSID = None {2}# a9-pair:preset:ssid" exactly once/,
  );
  assert.throws(() => fillPairingHelper(`${PRESET_MARKERS.ssid}\n`, wifi), /PRESET_PASSWORD = None/);
  assert.throws(
    () => fillPairingHelper(`${PRESET_MARKERS.ssid}\n${PRESET_MARKERS.ssid}\n${PRESET_MARKERS.password}\n`, wifi),
    /exactly once/,
  );
  assert.throws(
    () => fillPairingHelper(`${PRESET_MARKERS.ssid}\n${PRESET_MARKERS.password}\n${PRESET_MARKERS.password}\n`, wifi),
    /PRESET_PASSWORD = None {2}# a9-pair:preset:password" exactly once/,
  );
  assert.equal(
    fillPairingHelper(`${PRESET_MARKERS.password}\n${PRESET_MARKERS.ssid}\n`, wifi),
    'PRESET_PASSWORD = "12345678"  # a9-pair:preset:password\nPRESET_SSID = "Home"  # a9-pair:preset:ssid\n',
  );
});
