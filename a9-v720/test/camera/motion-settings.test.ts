import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_MOTION_SETTINGS,
  MAX_MOTION_SENSITIVITY,
  MIN_MOTION_SENSITIVITY,
  parseMotionChange,
  parseSensitivityPayload,
  parseStoredMotionSettings,
} from '../../src/camera/motion-settings.js';
import { CameraRegistry, type CameraRecord } from '../../src/camera/registry.js';

test('motion change requests: enabled and/or a whole sensitivity 1–100, nothing else', () => {
  assert.deepEqual(parseMotionChange({ enabled: true }), { ok: true, change: { enabled: true } });
  assert.deepEqual(parseMotionChange({ sensitivity: 1, enabled: false }), { ok: true, change: { enabled: false, sensitivity: 1 } });
  assert.deepEqual(parseMotionChange({ sensitivity: 100 }), { ok: true, change: { sensitivity: 100 } });
  for (const bad of [
    {},
    { enabled: 1 },
    { enabled: 'true' },
    { sensitivity: 0 },
    { sensitivity: 101 },
    { sensitivity: 5.5 },
    { sensitivity: '50' },
    { enabled: true, extra: 1 },
  ]) {
    const parsed = parseMotionChange(bad);
    assert.equal(parsed.ok, false, JSON.stringify(bad));
    assert.ok(!parsed.ok && parsed.reason.length > 0, `a reason for ${JSON.stringify(bad)}`);
  }
});

test('HA number payloads and stored settings are validated, never cast', () => {
  assert.equal(parseSensitivityPayload('42'), 42);
  assert.equal(parseSensitivityPayload('42.0'), 42);
  for (const bad of ['', '0', '101', '4.2', ' 42', '0x10', 'NaN', '1e1']) assert.equal(parseSensitivityPayload(bad), undefined, bad);
  assert.deepEqual(parseStoredMotionSettings({ enabled: true, sensitivity: 70 }), { enabled: true, sensitivity: 70 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: 'yes', sensitivity: 7000 }), { enabled: false, sensitivity: 50 });
  assert.equal(parseStoredMotionSettings('on'), undefined);
  assert.equal(parseStoredMotionSettings(undefined), undefined);
});

test('registry: each motion settings change and each motion start/end is one event of its kind; offline clears detected motion', () => {
  const registry = new CameraRegistry(() => 1000);
  const updates: string[] = [];
  const record = (kind: string) => (c: CameraRecord) =>
    updates.push(`${kind}:${c.motion?.enabled}/${c.motion?.sensitivity}/${c.motionDetected}/${c.lastMotionAt}`);
  registry.on('motion-settings', record('settings'));
  registry.on('motion', record('motion'));
  assert.equal(registry.changeMotionSettings('nobody', { enabled: true }), undefined);
  registry.markOnline('A', '10.0.0.2', true);
  registry.changeMotionSettings('A', { enabled: true });
  registry.changeMotionSettings('A', { enabled: true });
  registry.changeMotionSettings('A', { sensitivity: 60 });
  registry.setMotionDetected('A', true, 5000);
  registry.setMotionDetected('A', true, 6000);
  registry.setMotionDetected('A', false, 7000);
  assert.deepEqual(updates, [
    'settings:true/50/undefined/undefined',
    'settings:true/60/undefined/undefined',
    'motion:true/60/true/5000',
    'motion:true/60/false/5000',
  ]);
  registry.setMotionDetected('A', true, 8000);
  registry.markOffline('A', 'gone');
  assert.equal(registry.get('A')?.motionDetected, false);
  assert.equal(registry.get('A')?.lastMotionAt, 8000);
  assert.deepEqual(registry.get('A')?.motion, { enabled: true, sensitivity: 60 });
});

test('motion change requests: the exact reason for each refusal, the first unknown key named', () => {
  const reason = (body: Parameters<typeof parseMotionChange>[0]): string => {
    const parsed = parseMotionChange(body);
    assert.equal(parsed.ok, false, JSON.stringify(body));
    return parsed.ok ? '' : parsed.reason;
  };
  assert.equal(reason({}), 'send enabled and/or sensitivity');
  assert.equal(reason({ zone: 1, extra: 2, enabled: true }), 'unknown motion setting "zone"; send enabled and/or sensitivity');
  assert.equal(reason({ enabled: null }), 'enabled must be true or false');
  assert.equal(reason({ enabled: 0 }), 'enabled must be true or false');
  for (const sensitivity of [0, 101, 50.5, '50', null, true])
    assert.equal(reason({ sensitivity }), 'sensitivity must be a whole number from 1 to 100', JSON.stringify(sensitivity));
  assert.equal(reason({ enabled: true, sensitivity: 0 }), 'sensitivity must be a whole number from 1 to 100');
  assert.equal(reason({ enabled: 'yes', sensitivity: 10 }), 'enabled must be true or false');
  // Both limits are inside; false is a value, not an absence.
  assert.deepEqual(parseMotionChange({ sensitivity: 1 }), { ok: true, change: { sensitivity: 1 } });
  assert.deepEqual(parseMotionChange({ enabled: false }), { ok: true, change: { enabled: false } });
});

test('HA number payloads: 1 and 100 (also "100.00", "007") are sensitivities, 0, 101 and 1000 are not', () => {
  assert.equal(parseSensitivityPayload('1'), 1);
  assert.equal(parseSensitivityPayload('100'), 100);
  assert.equal(parseSensitivityPayload('100.00'), 100);
  assert.equal(parseSensitivityPayload('007'), 7);
  for (const bad of ['0.0', '101', '1000', '100.5', '42.', '.5', '-1', '42\n', 'x42'])
    assert.equal(parseSensitivityPayload(bad), undefined, JSON.stringify(bad));
});

test('stored settings: enabled only when exactly true; a missing or invalid sensitivity falls back to 50; 1 and 100 are kept', () => {
  assert.deepEqual(parseStoredMotionSettings({}), { enabled: false, sensitivity: 50 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: 1, sensitivity: 1 }), { enabled: false, sensitivity: 1 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: true, sensitivity: 100 }), { enabled: true, sensitivity: 100 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: true, sensitivity: 0 }), { enabled: true, sensitivity: 50 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: true, sensitivity: 101 }), { enabled: true, sensitivity: 50 });
  assert.deepEqual(parseStoredMotionSettings({ enabled: true, sensitivity: 99.5 }), { enabled: true, sensitivity: 50 });
  assert.equal(parseStoredMotionSettings(null), undefined);
  assert.equal(parseStoredMotionSettings([true, 50]), undefined);
  assert.deepEqual(DEFAULT_MOTION_SETTINGS, { enabled: false, sensitivity: 50 });
  assert.deepEqual([MIN_MOTION_SENSITIVITY, MAX_MOTION_SENSITIVITY], [1, 100]);
});
