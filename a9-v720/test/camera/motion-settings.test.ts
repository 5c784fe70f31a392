import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMotionChange, parseSensitivityPayload, parseStoredMotionSettings } from '../../src/camera/motion-settings.js';
import { CameraRegistry } from '../../src/camera/registry.js';

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
    assert.ok(!parsed.ok && parsed.reason.length > 0);
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

test('registry: motion settings and state changes fire one update each; offline clears detected motion', () => {
  const registry = new CameraRegistry(() => 1000);
  const updates: string[] = [];
  registry.on('updated', (c) => updates.push(`${c.motion?.enabled}/${c.motion?.sensitivity}/${c.motionDetected}/${c.lastMotionAt}`));
  assert.equal(registry.changeMotionSettings('nobody', { enabled: true }), undefined);
  registry.markOnline('A', '10.0.0.2', true);
  registry.changeMotionSettings('A', { enabled: true });
  registry.changeMotionSettings('A', { enabled: true });
  registry.changeMotionSettings('A', { sensitivity: 60 });
  registry.setMotionDetected('A', true, 5000);
  registry.setMotionDetected('A', true, 6000);
  registry.setMotionDetected('A', false, 7000);
  assert.deepEqual(updates, ['true/50/undefined/undefined', 'true/60/undefined/undefined', 'true/60/true/5000', 'true/60/false/5000']);
  registry.setMotionDetected('A', true, 8000);
  registry.markOffline('A', 'gone');
  assert.equal(registry.get('A')?.motionDetected, false);
  assert.equal(registry.get('A')?.lastMotionAt, 8000);
  assert.deepEqual(registry.get('A')?.motion, { enabled: true, sensitivity: 60 });
});
