import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERA_NAME_MAX_LENGTH, parseCameraName } from '../../src/camera/camera-name.js';

test('names are trimmed; empty or null clears the name; anything but a string or null is refused', () => {
  assert.deepEqual(parseCameraName('  Garden '), { ok: true, name: 'Garden' });
  assert.deepEqual(parseCameraName('Front door, left'), { ok: true, name: 'Front door, left' });
  assert.deepEqual(parseCameraName(''), { ok: true, name: undefined });
  assert.deepEqual(parseCameraName(' \t '), { ok: true, name: undefined });
  assert.deepEqual(parseCameraName(null), { ok: true, name: undefined });
  for (const bad of [undefined, 5, true, ['Garden'], { name: 'Garden' }])
    assert.deepEqual(parseCameraName(bad), { ok: false, reason: 'name must be a string (or null to clear it)' }, JSON.stringify(bad));
});

test('length: exactly 64 characters (counted as characters, not UTF-16 units) is a name, 65 is refused', () => {
  assert.equal(CAMERA_NAME_MAX_LENGTH, 64);
  assert.deepEqual(parseCameraName('a'.repeat(64)), { ok: true, name: 'a'.repeat(64) });
  assert.deepEqual(parseCameraName('a'.repeat(65)), { ok: false, reason: 'name is 65 characters long; at most 64 are allowed' });
  // 64 astral characters are 128 UTF-16 units and still one name.
  const cameras = '📷'.repeat(64);
  assert.deepEqual(parseCameraName(cameras), { ok: true, name: cameras });
  assert.deepEqual(parseCameraName(`${cameras}x`), { ok: false, reason: 'name is 65 characters long; at most 64 are allowed' });
});

test('control characters, line separators and bidi overrides are refused at both ends of each range; their neighbours pass', () => {
  const refused = ['\u0000', '\u0001', '\u001f', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029', '\u202a', '\u202e', '\u2066', '\u2069'];
  for (const c of refused)
    assert.deepEqual(
      parseCameraName(`Gar${c}den`),
      { ok: false, reason: 'name must not contain control characters or line breaks' },
      `U+${c.codePointAt(0)!.toString(16)}`,
    );
  const allowed = ['\u0020', '\u007e', '\u00a0', '\u00e9', '\u2027', '\u202f', '\u2065', '\u206a'];
  for (const c of allowed)
    assert.deepEqual(parseCameraName(`Gar${c}den`), { ok: true, name: `Gar${c}den` }, `U+${c.codePointAt(0)!.toString(16)}`);
});
