import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntitySpec } from '../../src/ha/entities.js';
import { allStateTopics, RetainedPublisher, statesOf, type Publisher, type PublishOptions } from '../../src/ha/state-publisher.js';
import { cameraTopics, HaTopics } from '../../src/ha/topics.js';

interface Subject {
  readonly online: boolean;
  readonly level?: number;
}

const SPECS: readonly EntitySpec<Subject>[] = [
  {
    key: 'connectivity',
    platform: 'binary_sensor',
    name: 'Connectivity',
    availability: 'bridge',
    stateOnAvailabilityTopic: true,
    state: (s) => (s.online ? 'online' : 'offline'),
  },
  {
    key: 'also_availability',
    platform: 'binary_sensor',
    name: 'Again',
    availability: 'bridge',
    stateOnAvailabilityTopic: true,
    state: () => 'x',
  },
  { key: 'image', platform: 'camera', name: null, availability: 'device', image: true, state: () => 'never published as text' },
  { key: 'press', platform: 'button', name: 'Press', availability: 'device', command: () => undefined },
  {
    key: 'level',
    platform: 'sensor',
    name: 'Level',
    availability: 'device',
    present: (s) => s.level !== undefined,
    state: (s) => String(s.level),
  },
  { key: 'maybe', platform: 'sensor', name: 'Maybe', availability: 'device', state: (s) => (s.level === 0 ? undefined : 'known') },
];

const t = cameraTopics(new HaTopics('base', 'ha'), 'cam');

test('states: present entities with a text state; images, buttons and unknown values publish nothing', () => {
  assert.deepEqual(statesOf(SPECS, { online: true, level: 5 }, t), [
    { topic: 'base/cam/availability', payload: 'online' },
    { topic: 'base/cam/availability', payload: 'x' },
    { topic: 'base/cam/level', payload: '5' },
    { topic: 'base/cam/maybe', payload: 'known' },
  ]);
  assert.deepEqual(statesOf(SPECS, { online: false }, t), [
    { topic: 'base/cam/availability', payload: 'offline' },
    { topic: 'base/cam/availability', payload: 'x' },
    { topic: 'base/cam/maybe', payload: 'known' },
  ]);
  assert.deepEqual(
    statesOf(SPECS, { online: false, level: 0 }, t).map((s) => s.topic),
    ['base/cam/availability', 'base/cam/availability', 'base/cam/level'],
  );
});

test('all state topics of a device, each once, whatever its data (images included, buttons not)', () => {
  assert.deepEqual(allStateTopics(SPECS, t), ['base/cam/availability', 'base/cam/image', 'base/cam/level', 'base/cam/maybe']);
});

/** Records what would go to the broker; `accept` false plays a disconnected client. */
function recorder() {
  const sent: { topic: string; payload: string; options: PublishOptions }[] = [];
  const out: Publisher & { accept: boolean } = {
    accept: true,
    get connected() {
      return this.accept;
    },
    publish(topic, payload, options) {
      if (!this.accept) return false;
      sent.push({ topic, payload: payload.toString(), options });
      return true;
    },
  };
  return { out, sent };
}

test('retained publisher: sends a payload once, again only when it changes or is forced', () => {
  const { out, sent } = recorder();
  const publisher = new RetainedPublisher(out);
  assert.equal(publisher.set('a', '1'), true);
  assert.equal(publisher.set('a', '1'), false);
  assert.equal(publisher.set('b', '1'), true);
  assert.equal(publisher.set('a', '2'), true);
  assert.equal(publisher.set('a', '2', true), true);
  assert.equal(publisher.last('a'), '2');
  assert.equal(publisher.last('c'), undefined);
  assert.deepEqual(sent, [
    { topic: 'a', payload: '1', options: { retain: true, qos: 1 } },
    { topic: 'b', payload: '1', options: { retain: true, qos: 1 } },
    { topic: 'a', payload: '2', options: { retain: true, qos: 1 } },
    { topic: 'a', payload: '2', options: { retain: true, qos: 1 } },
  ]);
});

test('retained publisher: an unsent payload is not remembered; clear and reset forget', () => {
  const { out, sent } = recorder();
  const publisher = new RetainedPublisher(out);
  out.accept = false;
  assert.equal(publisher.set('a', '1'), false);
  assert.equal(publisher.last('a'), undefined);
  out.accept = true;
  assert.equal(publisher.set('a', '1'), true, 'sent once the client is connected again');
  publisher.clear('a');
  assert.equal(publisher.last('a'), undefined);
  assert.deepEqual(sent.at(-1), { topic: 'a', payload: '', options: { retain: true, qos: 1 } }, 'an empty retained payload deletes it');
  assert.equal(publisher.set('a', '1'), true);
  publisher.set('b', '2');
  publisher.reset();
  assert.equal(publisher.last('a'), undefined);
  assert.equal(publisher.last('b'), undefined);
  assert.equal(publisher.set('b', '2'), true, 'after a reset everything is sent again');
  assert.equal(sent.length, 5);
});

test('JSON attributes: published beside the state when the entity has them; nothing when they are unknown', () => {
  const t = cameraTopics(new HaTopics('a9_v720', 'homeassistant'), 'cam1');
  const specs: EntitySpec<{ attrs?: string }>[] = [
    { key: 'with', platform: 'binary_sensor', name: 'With', availability: 'bridge', state: () => 'ON', attributes: (s) => s.attrs },
    { key: 'without', platform: 'sensor', name: 'Without', availability: 'bridge', state: () => '1' },
  ];
  assert.deepEqual(statesOf(specs, { attrs: '{"a":1}' }, t), [
    { topic: 'a9_v720/cam1/with', payload: 'ON' },
    { topic: 'a9_v720/cam1/with/attributes', payload: '{"a":1}' },
    { topic: 'a9_v720/cam1/without', payload: '1' },
  ]);
  assert.deepEqual(statesOf(specs, {}, t), [
    { topic: 'a9_v720/cam1/with', payload: 'ON' },
    { topic: 'a9_v720/cam1/without', payload: '1' },
  ]);
  assert.deepEqual(allStateTopics(specs, t), ['a9_v720/cam1/with', 'a9_v720/cam1/with/attributes', 'a9_v720/cam1/without']);
});
