/**
 * The complete discovery and state payloads, written out by hand: a change to the entity tables
 * or to how discovery is derived from them shows here field by field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CameraRecord } from '../../src/camera/registry.js';
import { buildBridgeDiscovery, buildCameraDiscovery, cameraDevice, type DiscoveryContext } from '../../src/ha/discovery.js';
import { BRIDGE_ENTITIES, CAMERA_ENTITIES } from '../../src/ha/entities.js';
import { allStateTopics, statesOf } from '../../src/ha/state-publisher.js';
import { bridgeTopics, cameraTopics, HaTopics } from '../../src/ha/topics.js';
import { toBaseInfo } from '../../src/protocol/messages.js';
import { BARE_CAMERA_KEYS } from './expected-entities.js';

const ctx: DiscoveryContext = {
  topics: new HaTopics('a9_v720', 'homeassistant'),
  addonVersion: '0.1.0',
  dashboardUrl: 'http://10.0.0.2:1234/',
};

const camera: CameraRecord = {
  id: '0800c00128F8',
  ip: '::ffff:192.168.1.50',
  online: true,
  firstSeen: Date.UTC(2026, 0, 1),
  lastSeen: Date.UTC(2026, 10, 27, 9, 30, 15, 250),
  state: 'streaming',
  registered: true,
  motion: { enabled: true, sensitivity: 73 },
  motionDetected: true,
  lastMotionAt: Date.UTC(2026, 10, 27, 9, 29, 59, 500),
  baseInfo: { IrLed: 1, devPower: 87, wifiName: 'home', instLed: 0, mirrorFlip: 4, version: '202212011602', mac: 'AA:BB:CC:00:11:22' },
};

const BRIDGE = { topic: 'a9_v720/bridge/state' };
const CAM = { topic: 'a9_v720/0800c00128F8/availability' };
const base = (key: string, platform: string, name: string | null, availability: 'bridge' | 'both') => ({
  platform,
  unique_id: `a9v720_0800c00128F8_${key}`,
  default_entity_id: name === null ? `${platform}.a9v720_0800c00128f8` : `${platform}.a9v720_0800c00128f8_${key}`,
  name,
  ...(availability === 'both' ? { availability: [BRIDGE, CAM], availability_mode: 'all' } : { availability: [BRIDGE] }),
});

test('camera discovery with full base info: every component, every field', () => {
  const d = buildCameraDiscovery(camera, ctx);
  assert.deepEqual(d.payload.components, {
    connectivity: {
      ...base('connectivity', 'binary_sensor', 'Connectivity', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/availability',
      qos: 1,
      device_class: 'connectivity',
      payload_on: 'online',
      payload_off: 'offline',
      entity_category: 'diagnostic',
    },
    image: { ...base('image', 'camera', null, 'both'), topic: 'a9_v720/0800c00128F8/image', qos: 1 },
    snapshot: {
      ...base('snapshot', 'button', 'Snapshot', 'both'),
      command_topic: 'a9_v720/0800c00128F8/snapshot/set',
      qos: 1,
      payload_press: 'PRESS',
      icon: 'mdi:camera-iris',
    },
    restart: {
      ...base('restart', 'button', 'Restart', 'both'),
      command_topic: 'a9_v720/0800c00128F8/restart/set',
      qos: 1,
      payload_press: 'PRESS',
      device_class: 'restart',
      entity_category: 'config',
    },
    ir_led: {
      ...base('ir_led', 'switch', 'IR LED', 'both'),
      state_topic: 'a9_v720/0800c00128F8/ir_led',
      command_topic: 'a9_v720/0800c00128F8/ir_led/set',
      qos: 1,
      entity_category: 'config',
      icon: 'mdi:weather-night',
      payload_on: 'ON',
      payload_off: 'OFF',
    },
    status_led: {
      ...base('status_led', 'switch', 'Status LED', 'both'),
      state_topic: 'a9_v720/0800c00128F8/status_led',
      command_topic: 'a9_v720/0800c00128F8/status_led/set',
      qos: 1,
      entity_category: 'config',
      icon: 'mdi:led-on',
      payload_on: 'ON',
      payload_off: 'OFF',
    },
    orientation: {
      ...base('orientation', 'select', 'Image orientation', 'both'),
      state_topic: 'a9_v720/0800c00128F8/orientation',
      command_topic: 'a9_v720/0800c00128F8/orientation/set',
      qos: 1,
      options: ['normal', 'mirror', 'flip', 'rotate 180'],
      entity_category: 'config',
      icon: 'mdi:flip-horizontal',
    },
    battery: {
      ...base('battery', 'sensor', 'Battery', 'both'),
      state_topic: 'a9_v720/0800c00128F8/battery',
      qos: 1,
      device_class: 'battery',
      unit_of_measurement: '%',
      state_class: 'measurement',
      entity_category: 'diagnostic',
    },
    wifi_network: {
      ...base('wifi_network', 'sensor', 'Wi-Fi network', 'both'),
      state_topic: 'a9_v720/0800c00128F8/wifi_network',
      qos: 1,
      entity_category: 'diagnostic',
      icon: 'mdi:wifi',
    },
    ip_address: {
      ...base('ip_address', 'sensor', 'IP address', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/ip_address',
      qos: 1,
      entity_category: 'diagnostic',
      icon: 'mdi:ip-network',
    },
    last_seen: {
      ...base('last_seen', 'sensor', 'Last seen', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/last_seen',
      qos: 1,
      device_class: 'timestamp',
      entity_category: 'diagnostic',
    },
    streaming: {
      ...base('streaming', 'binary_sensor', 'Streaming', 'both'),
      state_topic: 'a9_v720/0800c00128F8/streaming',
      qos: 1,
      payload_on: 'ON',
      payload_off: 'OFF',
      entity_category: 'diagnostic',
      icon: 'mdi:video',
    },
    motion: {
      ...base('motion', 'binary_sensor', 'Motion', 'both'),
      state_topic: 'a9_v720/0800c00128F8/motion',
      qos: 1,
      device_class: 'motion',
      payload_on: 'ON',
      payload_off: 'OFF',
    },
    motion_detection: {
      ...base('motion_detection', 'switch', 'Motion detection', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/motion_detection',
      command_topic: 'a9_v720/0800c00128F8/motion_detection/set',
      qos: 1,
      payload_on: 'ON',
      payload_off: 'OFF',
      entity_category: 'config',
      icon: 'mdi:motion-sensor',
    },
    motion_sensitivity: {
      ...base('motion_sensitivity', 'number', 'Motion sensitivity', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/motion_sensitivity',
      command_topic: 'a9_v720/0800c00128F8/motion_sensitivity/set',
      qos: 1,
      min: 1,
      max: 100,
      step: 1,
      mode: 'slider',
      entity_category: 'config',
      icon: 'mdi:tune-vertical',
    },
    last_motion: {
      ...base('last_motion', 'sensor', 'Last motion', 'bridge'),
      state_topic: 'a9_v720/0800c00128F8/last_motion',
      qos: 1,
      device_class: 'timestamp',
      icon: 'mdi:motion-sensor',
    },
  });
  assert.deepEqual(d.payload.device, {
    identifiers: ['a9v720_0800c00128F8'],
    name: 'A9 camera 0800c00128F8',
    manufacturer: 'Naxclow',
    model: 'A9 / V720 mini camera',
    sw_version: '202212011602',
    serial_number: '0800c00128F8',
    configuration_url: 'http://10.0.0.2:1234/',
    via_device: 'a9v720_bridge',
    connections: [['mac', 'aa:bb:cc:00:11:22']],
  });
});

test('camera states with full base info, an IPv4-mapped address and a timestamp far from zero', () => {
  const states = statesOf(CAMERA_ENTITIES, camera, cameraTopics(ctx.topics, camera.id));
  assert.deepEqual(states, [
    { topic: 'a9_v720/0800c00128F8/availability', payload: 'online' },
    { topic: 'a9_v720/0800c00128F8/ir_led', payload: 'ON' },
    { topic: 'a9_v720/0800c00128F8/status_led', payload: 'OFF' },
    { topic: 'a9_v720/0800c00128F8/orientation', payload: 'rotate 180' },
    { topic: 'a9_v720/0800c00128F8/battery', payload: '87' },
    { topic: 'a9_v720/0800c00128F8/wifi_network', payload: 'home' },
    { topic: 'a9_v720/0800c00128F8/ip_address', payload: '192.168.1.50' },
    { topic: 'a9_v720/0800c00128F8/last_seen', payload: '2026-11-27T09:30:15.250Z' },
    { topic: 'a9_v720/0800c00128F8/streaming', payload: 'ON' },
    { topic: 'a9_v720/0800c00128F8/motion', payload: 'ON' },
    { topic: 'a9_v720/0800c00128F8/motion_detection', payload: 'ON' },
    { topic: 'a9_v720/0800c00128F8/motion_sensitivity', payload: '73' },
    { topic: 'a9_v720/0800c00128F8/last_motion', payload: '2026-11-27T09:29:59.500Z' },
  ]);
  const offline = statesOf(
    CAMERA_ENTITIES,
    { ...camera, online: false, ip: '10.0.0.7', state: 'offline' },
    cameraTopics(ctx.topics, camera.id),
  );
  const byTopic = Object.fromEntries(offline.map((s) => [s.topic, s.payload]));
  assert.equal(byTopic['a9_v720/0800c00128F8/availability'], 'offline');
  assert.equal(byTopic['a9_v720/0800c00128F8/ip_address'], '10.0.0.7');
  assert.equal(byTopic['a9_v720/0800c00128F8/streaming'], 'OFF');
  const defaults = statesOf(
    CAMERA_ENTITIES,
    { ...camera, motion: undefined, motionDetected: undefined },
    cameraTopics(ctx.topics, camera.id),
  );
  assert.deepEqual(
    defaults.filter((m) => /motion/.test(m.topic)).map((m) => m.payload),
    ['OFF', 'OFF', '50', '2026-11-27T09:29:59.500Z'],
    'motion off by default, sensitivity 50',
  );
  const mappedLater = statesOf(CAMERA_ENTITIES, { ...camera, ip: 'fe80::ffff:1' }, cameraTopics(ctx.topics, camera.id));
  assert.equal(mappedLater.find((s) => s.topic.endsWith('/ip_address'))?.payload, 'fe80::ffff:1', 'only a leading ::ffff: is stripped');
});

test('base info of the wrong type backs no entity: text where a number belongs, Infinity (1e999 on the wire), a numeric Wi-Fi name', () => {
  // Through the wire parser, as the registry stores it; non-finite numbers straight in the record.
  const wrongTypes = toBaseInfo(JSON.parse('{"code":4,"IrLed":"1","devPower":"87","wifiName":5}') as { [field: string]: unknown });
  const odd = { ...camera, ip: '', baseInfo: { ...wrongTypes, instLed: Number.POSITIVE_INFINITY, mirrorFlip: Number.NaN } };
  const d = buildCameraDiscovery(odd, ctx);
  assert.deepEqual(d.keys, [
    'connectivity',
    'image',
    'snapshot',
    'restart',
    'last_seen',
    'streaming',
    'motion',
    'motion_detection',
    'motion_sensitivity',
    'last_motion',
  ]);
  assert.deepEqual(Object.keys(d.payload.components), d.keys, 'never announced: no removal stubs either');
});

test('removal stubs only for entities announced before', () => {
  const before = buildCameraDiscovery(camera, ctx);
  const bare = { ...camera, baseInfo: undefined };
  const after = buildCameraDiscovery(bare, ctx, ['battery', 'ir_led', 'connectivity']);
  assert.deepEqual(after.payload.components['battery'], { platform: 'sensor' });
  assert.deepEqual(after.payload.components['ir_led'], { platform: 'switch' });
  assert.equal(after.payload.components['status_led'], undefined, 'status_led was not in the previous keys');
  assert.deepEqual(
    after.payload.components['connectivity'],
    before.payload.components['connectivity'],
    'still present: the full component',
  );
  assert.deepEqual(after.keys, [...BARE_CAMERA_KEYS, 'last_motion']);
  assert.deepEqual(Object.keys(buildCameraDiscovery(bare, ctx).payload.components), after.keys, 'no previous keys: no stubs');
});

test('the MAC connections block: six octets with ":", "-" or nothing, lowercased; anything else is left out', () => {
  const connections = (mac: string | number) => cameraDevice({ ...camera, baseInfo: { mac } }, ctx).connections;
  assert.deepEqual(connections('AA:BB:CC:00:11:22'), [['mac', 'aa:bb:cc:00:11:22']]);
  assert.deepEqual(connections('aa-bb-cc-00-11-22'), [['mac', 'aa-bb-cc-00-11-22']]);
  assert.deepEqual(connections('AABBCC001122'), [['mac', 'aabbcc001122']]);
  for (const bad of [
    'AA:BB:CC:00:11',
    'AA:BB:CC:00:11:22:33',
    'AA:BB',
    'A:BB:CC:00:11:22',
    'AA:B:C:0:1:2',
    'GG:BB:CC:00:11:22',
    ' AA:BB:CC:00:11:22',
    'AA:BB:CC:00:11:22 ',
    'AA;BB;CC;00;11;22',
    '',
    112233445566,
  ]) {
    assert.equal(connections(bad), undefined, String(bad));
    assert.equal('connections' in cameraDevice({ ...camera, baseInfo: { mac: bad } }, ctx), false);
  }
  assert.equal('connections' in cameraDevice({ ...camera, baseInfo: undefined }, ctx), false);
});

test('sw_version: the registry firmware first, else a text base-info version, else none', () => {
  assert.equal(cameraDevice({ ...camera, firmware: '202312111512' }, ctx).sw_version, '202312111512');
  assert.equal(cameraDevice({ ...camera, firmware: undefined }, ctx).sw_version, '202212011602');
  assert.equal('sw_version' in cameraDevice({ ...camera, baseInfo: toBaseInfo({ version: 202212011602 }) }, ctx), false);
  assert.equal('sw_version' in cameraDevice({ ...camera, baseInfo: undefined }, ctx), false);
});

test('entity ids: lowercase, anything but [a-z0-9_] becomes "_"; origin carries the support URL when given', () => {
  const d = buildCameraDiscovery({ ...camera, id: 'Cam-01.x' }, { ...ctx, supportUrl: 'https://example.invalid/help' });
  assert.equal(d.payload.components['battery']?.['unique_id'], 'a9v720_Cam-01_x_battery');
  assert.equal(d.payload.components['battery']?.['default_entity_id'], 'sensor.a9v720_cam_01_x_battery');
  assert.equal(d.payload.components['image']?.['default_entity_id'], 'camera.a9v720_cam_01_x');
  assert.deepEqual(d.payload.origin, { name: 'a9-v720', sw_version: '0.1.0', support_url: 'https://example.invalid/help' });
});

test('bridge: every component, its states, and its topics', () => {
  const d = buildBridgeDiscovery({ camerasOnline: 3, version: '1.2.3' }, ctx);
  assert.deepEqual(d.payload.components, {
    connectivity: {
      platform: 'binary_sensor',
      unique_id: 'a9v720_bridge_connectivity',
      default_entity_id: 'binary_sensor.a9v720_bridge_connectivity',
      name: 'Connectivity',
      state_topic: 'a9_v720/bridge/state',
      qos: 1,
      device_class: 'connectivity',
      payload_on: 'online',
      payload_off: 'offline',
      entity_category: 'diagnostic',
    },
    cameras_online: {
      platform: 'sensor',
      unique_id: 'a9v720_bridge_cameras_online',
      default_entity_id: 'sensor.a9v720_bridge_cameras_online',
      name: 'Cameras online',
      availability: [BRIDGE],
      state_topic: 'a9_v720/bridge/cameras_online',
      qos: 1,
      state_class: 'measurement',
      icon: 'mdi:cctv',
    },
    version: {
      platform: 'sensor',
      unique_id: 'a9v720_bridge_version',
      default_entity_id: 'sensor.a9v720_bridge_version',
      name: 'Add-on version',
      availability: [BRIDGE],
      state_topic: 'a9_v720/bridge/version',
      qos: 1,
      entity_category: 'diagnostic',
      icon: 'mdi:tag',
    },
  });
  assert.deepEqual(d.keys, ['connectivity', 'cameras_online', 'version']);
  assert.deepEqual(statesOf(BRIDGE_ENTITIES, { camerasOnline: 3, version: '1.2.3' }, bridgeTopics(ctx.topics)), [
    { topic: 'a9_v720/bridge/state', payload: 'online' },
    { topic: 'a9_v720/bridge/cameras_online', payload: '3' },
    { topic: 'a9_v720/bridge/version', payload: '1.2.3' },
  ]);
  const t = bridgeTopics(ctx.topics);
  assert.deepEqual(
    [t.bridge, t.availability, t.state('x'), t.command('x')],
    ['a9_v720/bridge/state', 'a9_v720/bridge/state', 'a9_v720/bridge/x', 'a9_v720/bridge/x/set'],
  );
});

test('commands: only the exact payloads act', () => {
  const command = (key: string, payload: string) => CAMERA_ENTITIES.find((e) => e.key === key)?.command?.(payload);
  assert.deepEqual(command('snapshot', 'PRESS'), { kind: 'snapshot' });
  for (const payload of ['press', 'ON', '']) assert.equal(command('snapshot', payload), undefined, payload);
  assert.deepEqual(command('ir_led', 'OFF'), { kind: 'setting', command: { code: 202, IrLed: 0 } });
  assert.deepEqual(command('status_led', 'ON'), { kind: 'setting', command: { code: 210, instLed: 1 } });
  assert.equal(command('status_led', 'TOGGLE'), undefined);
  assert.deepEqual(command('orientation', 'normal'), { kind: 'setting', command: { code: 216, mirrorFlip: 0 } });
  assert.deepEqual(command('orientation', 'flip'), { kind: 'setting', command: { code: 216, mirrorFlip: 3 } });
  assert.deepEqual(command('motion_detection', 'ON'), { kind: 'motion', change: { enabled: true } });
  assert.deepEqual(command('motion_detection', 'OFF'), { kind: 'motion', change: { enabled: false } });
  assert.equal(command('motion_detection', 'on'), undefined);
  assert.deepEqual(command('motion_sensitivity', '1'), { kind: 'motion', change: { sensitivity: 1 } });
  assert.deepEqual(command('motion_sensitivity', '100'), { kind: 'motion', change: { sensitivity: 100 } });
  for (const payload of ['0', '101', 'x', '']) assert.equal(command('motion_sensitivity', payload), undefined, payload);
});

test('bridge with the setup check: the "Camera setup" problem sensor, its state and its attributes', () => {
  const setup = {
    problem: true,
    problems: ['v720.naxclow.com points at … (DOCS §1 DNS)'],
    summary: '1 error; first: v720.naxclow.com points at …',
  };
  const status = { camerasOnline: 2, version: '1.2.3', setup };
  const d = buildBridgeDiscovery(status, ctx);
  assert.deepEqual(d.keys, ['connectivity', 'cameras_online', 'version', 'setup_problem']);
  assert.deepEqual(d.payload.components['setup_problem'], {
    platform: 'binary_sensor',
    unique_id: 'a9v720_bridge_setup_problem',
    default_entity_id: 'binary_sensor.a9v720_bridge_setup_problem',
    name: 'Camera setup',
    availability: [BRIDGE],
    state_topic: 'a9_v720/bridge/setup_problem',
    json_attributes_topic: 'a9_v720/bridge/setup_problem/attributes',
    qos: 1,
    device_class: 'problem',
    payload_on: 'ON',
    payload_off: 'OFF',
    entity_category: 'diagnostic',
  });
  assert.deepEqual(statesOf(BRIDGE_ENTITIES, status, bridgeTopics(ctx.topics)), [
    { topic: 'a9_v720/bridge/state', payload: 'online' },
    { topic: 'a9_v720/bridge/cameras_online', payload: '2' },
    { topic: 'a9_v720/bridge/version', payload: '1.2.3' },
    { topic: 'a9_v720/bridge/setup_problem', payload: 'ON' },
    {
      topic: 'a9_v720/bridge/setup_problem/attributes',
      payload: '{"problems":["v720.naxclow.com points at … (DOCS §1 DNS)"],"summary":"1 error; first: v720.naxclow.com points at …"}',
    },
  ]);
  const fine = statesOf(
    BRIDGE_ENTITIES,
    { ...status, setup: { problem: false, problems: [], summary: 'No setup problems found' } },
    bridgeTopics(ctx.topics),
  );
  assert.deepEqual(fine.slice(3), [
    { topic: 'a9_v720/bridge/setup_problem', payload: 'OFF' },
    { topic: 'a9_v720/bridge/setup_problem/attributes', payload: '{"problems":[],"summary":"No setup problems found"}' },
  ]);
  assert.deepEqual(allStateTopics(BRIDGE_ENTITIES, bridgeTopics(ctx.topics)), [
    'a9_v720/bridge/state',
    'a9_v720/bridge/cameras_online',
    'a9_v720/bridge/version',
    'a9_v720/bridge/setup_problem',
    'a9_v720/bridge/setup_problem/attributes',
  ]);
  // Without a setup check (the bridge alone) there is no such sensor, and no attributes topic anywhere.
  assert.equal(buildBridgeDiscovery({ camerasOnline: 2, version: '1.2.3' }, ctx).payload.components['setup_problem'], undefined);
  assert.equal(JSON.stringify(buildCameraDiscovery(camera, ctx).payload).includes('json_attributes_topic'), false);
});
