import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeForward } from '../../src/protocol/messages.js';
import {
  CAMERA_SETTINGS,
  REBOOT_CODE,
  SETTING_SPECS,
  STATE_REPORTING_CODES,
  settingByCode,
  settingByField,
  settingCommand,
  type SettingSpec,
} from '../../src/protocol/settings.js';

const spec = (code: number): SettingSpec => {
  const found = settingByCode(code);
  assert.ok(found, `row ${code}`);
  return found;
};

test('the settings table, row by row: wire code and field (docs/protocol.md §4), the key HA entity ids and topics are built from, what HA shows', () => {
  // The labels are HA select options and dashboard labels: automations compare against them,
  // so a changed label is a breaking change, not cosmetics.
  assert.deepEqual(
    SETTING_SPECS.map((s) => ({ ...s })),
    [
      {
        code: 202,
        field: 'IrLed',
        key: 'ir_led',
        name: 'IR LED',
        platform: 'switch',
        values: [
          { value: 0, label: 'off' },
          { value: 1, label: 'on' },
        ],
        reportedOnly: [{ value: 2, label: 'auto' }],
        reported: true,
        icon: 'mdi:weather-night',
      },
      {
        code: 210,
        field: 'instLed',
        key: 'status_led',
        name: 'Status LED',
        platform: 'switch',
        values: [
          { value: 0, label: 'off' },
          { value: 1, label: 'on' },
        ],
        reported: true,
        icon: 'mdi:led-on',
      },
      {
        code: 216,
        field: 'mirrorFlip',
        key: 'orientation',
        name: 'Image orientation',
        platform: 'select',
        values: [
          { value: 0, label: 'normal' },
          { value: 2, label: 'mirror' },
          { value: 3, label: 'flip' },
          { value: 4, label: 'rotate 180' },
        ],
        reported: true,
        icon: 'mdi:flip-horizontal',
      },
      {
        code: 201,
        field: 'speedGrade',
        key: 'video_quality',
        name: 'Video quality',
        platform: 'select',
        values: [
          { value: 0, label: 'grade 0' },
          { value: 1, label: 'grade 1' },
        ],
        reported: true,
        icon: 'mdi:high-definition',
      },
      {
        code: 205,
        field: 'moveAlert',
        key: 'motion_alert',
        name: 'Camera motion alarm',
        platform: 'switch',
        values: [
          { value: 0, label: 'off' },
          { value: 1, label: 'on' },
        ],
        reported: true,
        icon: 'mdi:motion-sensor',
      },
      {
        code: 299,
        field: 'reboot',
        key: 'restart',
        name: 'Restart',
        platform: 'button',
        values: [{ value: 1, label: 'restart' }],
        reported: false,
        deviceClass: 'restart',
      },
    ],
  );
  assert.equal(SETTING_SPECS, CAMERA_SETTINGS);
});

test('settingCommand: every allowed value gives the exact 301 forward bytes; report-only and unknown values give nothing', () => {
  const wire = (code: number, value: number): string | undefined => {
    const command = settingCommand(spec(code), value);
    return command === undefined ? undefined : encodeForward('0800c00128F8', command).subarray(20).toString('utf8');
  };
  assert.equal(wire(202, 0), '{"code":301,"target":"0800c00128F8","content":{"code":202,"IrLed":0}}');
  assert.equal(wire(202, 1), '{"code":301,"target":"0800c00128F8","content":{"code":202,"IrLed":1}}');
  assert.equal(wire(202, 2), undefined, 'IrLed 2 is reported by some units, never sent');
  assert.equal(wire(210, 1), '{"code":301,"target":"0800c00128F8","content":{"code":210,"instLed":1}}');
  assert.equal(wire(216, 4), '{"code":301,"target":"0800c00128F8","content":{"code":216,"mirrorFlip":4}}');
  assert.equal(wire(216, 1), undefined, 'mirrorFlip 1 has no known meaning');
  assert.equal(wire(216, 5), undefined);
  assert.equal(wire(201, 0), '{"code":301,"target":"0800c00128F8","content":{"code":201,"speedGrade":0}}');
  assert.equal(wire(205, 1), '{"code":301,"target":"0800c00128F8","content":{"code":205,"moveAlert":1}}');
  assert.equal(wire(299, 1), '{"code":301,"target":"0800c00128F8","content":{"code":299,"reboot":1}}');
  assert.equal(wire(299, 0), undefined);
  assert.equal(wire(202, -1), undefined);
  assert.equal(wire(202, 0.5), undefined);
});

test('lookups by code and by field; the codes whose echo carries state; the reboot code', () => {
  for (const row of SETTING_SPECS) {
    assert.equal(settingByCode(row.code), row);
    assert.equal(settingByField(row.field), row);
  }
  assert.equal(settingByCode(203), undefined, 'sdMoveMode is not a setting of ours');
  assert.equal(settingByCode(301), undefined);
  assert.equal(settingByField('sdMoveMode'), undefined);
  assert.equal(settingByField('code'), undefined);
  assert.deepEqual(
    [...STATE_REPORTING_CODES].sort((a, b) => a - b),
    [201, 202, 205, 210, 216],
  );
  assert.equal(REBOOT_CODE, 299);
  assert.equal(spec(REBOOT_CODE).platform, 'button');
});
