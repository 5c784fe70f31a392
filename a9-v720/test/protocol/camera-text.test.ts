/**
 * Camera-sent strings are cleaned where they enter (src/protocol/camera-text.ts): what a hostile
 * or broken camera can put in a firmware version or Wi-Fi name to forge, hide or reverse text on
 * the dashboard, in HA (sw_version) or in a terminal is removed; ordinary text is kept as sent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CAMERA_TEXT_MAX, cleanCameraText, FIRMWARE_MAX } from '../../src/protocol/camera-text.js';

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** Characters that must never survive, by the reason they are dangerous. */
const REMOVED: Record<string, readonly string[]> = {
  'C0 controls (NUL … US, ESC among them)': range(0x00, 0x1f),
  DEL: ['\u007f'],
  'C1 controls (U+0080 … U+009F, CSI U+009B among them)': range(0x80, 0x9f),
  'bidi embeddings and overrides U+202A … U+202E': range(0x202a, 0x202e),
  'bidi isolates U+2066 … U+2069': range(0x2066, 0x2069),
  'direction marks LRM, RLM, ALM': ['\u200e', '\u200f', '\u061c'],
  'zero-width space, non-joiner, joiner; word joiner; BOM': ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff'],
  'soft hyphen': ['\u00ad'],
  'line and paragraph separators': ['\u2028', '\u2029'],
  'tag characters': ['\u{e0001}', '\u{e0041}', '\u{e007f}'],
  // Each alone: together, a high and a low surrogate are one (valid) character.
  'lone surrogates': ['\ud800', '\udbff', '\udc00', '\udfff'],
};

test('each unshowable character is removed, alone and between ordinary text', () => {
  for (const [what, characters] of Object.entries(REMOVED)) {
    for (const character of characters) {
      const code = character.codePointAt(0)?.toString(16);
      assert.equal(cleanCameraText(character), '', `${what}: U+${code} alone`);
      assert.equal(cleanCameraText(`20${character}22`), '2022', `${what}: U+${code} inside text`);
    }
  }
});

test('what an attacker sent is readable text afterwards: a terminal colour, a reversed line, hidden characters', () => {
  assert.equal(cleanCameraText('\u001b[2J\u001b[31m202212011602\u001b[0m'), '[2J[31m202212011602[0m');
  assert.equal(cleanCameraText('2022\u202e1061121'), '20221061121');
  assert.equal(cleanCameraText('\u2066evil\u2069 \u200bcam\u00ad'), 'evil cam');
  assert.equal(cleanCameraText('line\r\nbreak\u2028here\u0085'), 'linebreakhere');
});

test('ordinary text is kept as sent: digits, spaces, accents, CJK, emoji (surrogate pairs), private-use', () => {
  for (const text of ['202212011602', 'My Wi-Fi 5G', 'Café Ñandú', '操作成功', 'Home 🏠 net', 'a\u00a0b', '\ue000']) {
    assert.equal(cleanCameraText(text), text, JSON.stringify(text));
  }
});

test('over-long strings are cut after cleaning, at the limit, never through a surrogate pair', () => {
  assert.equal(CAMERA_TEXT_MAX, 64);
  assert.equal(FIRMWARE_MAX, 32);
  assert.equal(cleanCameraText('x'.repeat(64)), 'x'.repeat(64), 'exactly at the limit: whole');
  assert.equal(cleanCameraText('x'.repeat(40_000)), 'x'.repeat(64), 'a 40 kB firmware string');
  assert.equal(cleanCameraText('\u200b'.repeat(100) + 'abc', 3), 'abc', 'removed characters do not use up the limit');
  assert.equal(cleanCameraText('ab😀', 3), 'ab', 'the emoji would be halved: left out');
  assert.equal(cleanCameraText('ab😀', 4), 'ab😀', 'room for the whole pair');
  assert.equal(cleanCameraText('a😀b', 3), 'a😀', 'a pair that fits is kept');
  // The first and the last high surrogate (U+10000 = D800 DC00, U+10FFFD = DBFF DFFD).
  assert.equal(cleanCameraText('ab\u{10000}', 3), 'ab', 'U+10000 would be halved: left out');
  assert.equal(cleanCameraText('ab\u{10fffd}', 3), 'ab', 'U+10FFFD would be halved: left out');
  assert.equal(cleanCameraText('ab\u{10fffd}', 4), 'ab\u{10fffd}');
  assert.equal(cleanCameraText('abcd', 0), '');
});

test('property: the result holds none of the removed characters, is well formed, within the limit, and cleaning is idempotent', () => {
  const unshowable = Object.values(REMOVED).flat();
  const characters = fc.oneof(
    fc.constantFrom(...unshowable),
    fc.string({ unit: 'binary', maxLength: 2 }),
    fc.constantFrom('a', ' ', 'é', '😀', '\ud83d', '\ude00'),
  );
  fc.assert(
    fc.property(fc.array(characters, { maxLength: 80 }), fc.integer({ min: 0, max: 70 }), (parts, max) => {
      const result = cleanCameraText(parts.join(''), max);
      assert.ok(result.length <= max, `length ${result.length} > ${max}`);
      assert.ok(!/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(result), `unshowable left in ${JSON.stringify(result)}`);
      assert.ok(!unshowable.some((c) => [...result].includes(c)), `a listed character left in ${JSON.stringify(result)}`);
      assert.equal(cleanCameraText(result, max), result, 'idempotent');
    }),
  );
});
