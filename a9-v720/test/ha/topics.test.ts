import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HA_BIRTH_TOPIC, HaTopics, topicId } from '../../src/ha/topics.js';

const topics = new HaTopics('a9_v720', 'homeassistant');

test('every topic of the scheme, exactly', () => {
  assert.equal(topics.bridgeState, 'a9_v720/bridge/state');
  assert.equal(topics.bridgeEntity('cameras_online'), 'a9_v720/bridge/cameras_online');
  assert.equal(topics.bridgeDiscovery, 'homeassistant/device/a9v720_bridge/config');
  assert.deepEqual(topics.haStatusTopics, ['homeassistant/status']);
  assert.equal(topics.cameraAvailability('0800c00128F8'), 'a9_v720/0800c00128F8/availability');
  assert.equal(topics.cameraEntity('0800c00128F8', 'battery'), 'a9_v720/0800c00128F8/battery');
  assert.equal(topics.cameraCommand('0800c00128F8', 'ir_led'), 'a9_v720/0800c00128F8/ir_led/set');
  assert.equal(topics.cameraDiscovery('0800c00128F8'), 'homeassistant/device/a9v720_0800c00128F8/config');
  assert.equal(topics.commandWildcard, 'a9_v720/+/+/set');
  assert.equal(HA_BIRTH_TOPIC, 'homeassistant/status');
  const custom = new HaTopics('cams', 'ha');
  assert.deepEqual(custom.haStatusTopics, ['homeassistant/status', 'ha/status'], "HA's birth topic does not follow the prefix");
  assert.equal(custom.cameraDiscovery('a/b'), 'ha/device/a9v720_a_b/config');
  assert.equal(custom.cameraCommand('a/b', 'k'), 'cams/a_b/k/set');
});

test('camera ids become safe topic segments; the bridge segment and the empty id cannot be taken', () => {
  assert.equal(topicId('0800c00128F8'), '0800c00128F8');
  assert.equal(topicId('A-z_09'), 'A-z_09');
  assert.equal(topicId('a.b c/é'), 'a_b_c__');
  assert.equal(topicId('bridge'), '_bridge');
  assert.equal(topicId('Bridge'), 'Bridge');
  assert.equal(topicId('bridge!'), 'bridge_');
  assert.equal(topicId(''), '_');
});

test('command topics parse to id and key; anything else is not a command', () => {
  assert.deepEqual(topics.parseCommand('a9_v720/0800c00128F8/ir_led/set'), { topicId: '0800c00128F8', key: 'ir_led' });
  assert.deepEqual(topics.parseCommand('a9_v720/_bridge/ir_led/set'), { topicId: '_bridge', key: 'ir_led' });
  for (const topic of [
    'a9_v720/bridge/ir_led/set',
    'a9_v720//ir_led/set',
    'a9_v720/cam//set',
    'a9_v720/cam/set',
    'a9_v720/cam/a/b/set',
    'a9_v720/cam/ir_led/state',
    'a9_v720/cam/ir_led/set/',
    'a9_v720/cam/ir_led_set',
    'a9_v720x/cam/ir_led/set',
    'other/cam/ir_led/set',
    'a9_v720',
  ]) {
    assert.equal(topics.parseCommand(topic), undefined, topic);
  }
});
