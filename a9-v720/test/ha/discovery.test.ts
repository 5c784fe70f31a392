import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CameraRecord } from '../../src/camera/registry.js';
import { buildBridgeDiscovery, buildCameraDiscovery, type DiscoveryContext } from '../../src/ha/discovery.js';
import { CAMERA_ENTITIES } from '../../src/ha/entities.js';
import { statesOf } from '../../src/ha/state-publisher.js';
import { cameraTopics, HaTopics, topicId } from '../../src/ha/topics.js';
import { SETTING_SPECS } from '../../src/protocol/settings.js';
import { BARE_CAMERA_KEYS } from './expected-entities.js';

const ctx: DiscoveryContext = {
  topics: new HaTopics('a9_v720', 'homeassistant'),
  addonVersion: '0.1.0',
  dashboardUrl: 'http://10.0.0.2:1234/',
};

const bare: CameraRecord = {
  id: '0800c00128F8',
  ip: '192.168.1.50',
  online: true,
  firstSeen: Date.UTC(2026, 0, 1),
  lastSeen: Date.UTC(2026, 0, 1, 12),
  state: 'registered',
  registered: true,
};

const withInfo: CameraRecord = {
  ...bare,
  firmware: '202212011602',
  baseInfo: { IrLed: 1, devPower: 87, wifiName: 'home', instLed: 0, mirrorFlip: 4, version: '202212011602' },
};

const BRIDGE = { topic: 'a9_v720/bridge/state' };
const CAM = { topic: 'a9_v720/0800c00128F8/availability' };

describe('camera discovery', () => {
  it("names the device by the user's name; ids, unique ids and entity ids do not change with it", () => {
    const plain = buildCameraDiscovery(bare, ctx);
    const named = buildCameraDiscovery({ ...bare, name: 'Front door' }, ctx);
    assert.equal(named.payload.device.name, 'Front door');
    assert.equal(named.payload.device.serial_number, '0800c00128F8');
    assert.deepEqual(named.payload.device.identifiers, plain.payload.device.identifiers);
    assert.deepEqual(named.payload.components, plain.payload.components, 'entity names never repeat the device name');
    assert.equal(named.topic, plain.topic);
  });

  it('announces only what a camera without base info can back', () => {
    const d = buildCameraDiscovery(bare, ctx);
    assert.equal(d.topic, 'homeassistant/device/a9v720_0800c00128F8/config');
    assert.deepEqual(d.keys, BARE_CAMERA_KEYS);
    assert.deepEqual(d.payload.device, {
      identifiers: ['a9v720_0800c00128F8'],
      name: 'A9 camera 0800c00128F8',
      manufacturer: 'Naxclow',
      model: 'A9 / V720 mini camera',
      serial_number: '0800c00128F8',
      configuration_url: 'http://10.0.0.2:1234/',
      via_device: 'a9v720_bridge',
    });
    assert.deepEqual(d.payload.origin, { name: 'a9-v720', sw_version: '0.1.0' });
    assert.deepEqual(d.payload.components['connectivity'], {
      platform: 'binary_sensor',
      unique_id: 'a9v720_0800c00128F8_connectivity',
      default_entity_id: 'binary_sensor.a9v720_0800c00128f8_connectivity',
      name: 'Connectivity',
      availability: [BRIDGE],
      state_topic: 'a9_v720/0800c00128F8/availability',
      qos: 1,
      device_class: 'connectivity',
      payload_on: 'online',
      payload_off: 'offline',
      entity_category: 'diagnostic',
    });
    assert.deepEqual(d.payload.components['image'], {
      platform: 'camera',
      unique_id: 'a9v720_0800c00128F8_image',
      default_entity_id: 'camera.a9v720_0800c00128f8',
      name: null,
      availability: [BRIDGE, CAM],
      availability_mode: 'all',
      topic: 'a9_v720/0800c00128F8/image',
      qos: 1,
    });
    assert.deepEqual(d.payload.components['restart'], {
      platform: 'button',
      unique_id: 'a9v720_0800c00128F8_restart',
      default_entity_id: 'button.a9v720_0800c00128f8_restart',
      name: 'Restart',
      availability: [BRIDGE, CAM],
      availability_mode: 'all',
      command_topic: 'a9_v720/0800c00128F8/restart/set',
      qos: 1,
      payload_press: 'PRESS',
      device_class: 'restart',
      entity_category: 'config',
    });
    assert.deepEqual(d.payload.components['last_seen'], {
      platform: 'sensor',
      unique_id: 'a9v720_0800c00128F8_last_seen',
      default_entity_id: 'sensor.a9v720_0800c00128f8_last_seen',
      name: 'Last seen',
      availability: [BRIDGE],
      state_topic: 'a9_v720/0800c00128F8/last_seen',
      qos: 1,
      device_class: 'timestamp',
      entity_category: 'diagnostic',
    });
    for (const component of Object.values(d.payload.components)) assert.equal('object_id' in component, false);
  });

  it('motion: a motion sensor needing the camera, and the add-on-side switch and sensitivity on bridge availability', () => {
    const d = buildCameraDiscovery(bare, ctx);
    assert.deepEqual(d.payload.components['motion'], {
      platform: 'binary_sensor',
      unique_id: 'a9v720_0800c00128F8_motion',
      default_entity_id: 'binary_sensor.a9v720_0800c00128f8_motion',
      name: 'Motion',
      availability: [BRIDGE, CAM],
      availability_mode: 'all',
      state_topic: 'a9_v720/0800c00128F8/motion',
      qos: 1,
      device_class: 'motion',
      payload_on: 'ON',
      payload_off: 'OFF',
    });
    assert.deepEqual(d.payload.components['motion_detection'], {
      platform: 'switch',
      unique_id: 'a9v720_0800c00128F8_motion_detection',
      default_entity_id: 'switch.a9v720_0800c00128f8_motion_detection',
      name: 'Motion detection',
      availability: [BRIDGE],
      state_topic: 'a9_v720/0800c00128F8/motion_detection',
      command_topic: 'a9_v720/0800c00128F8/motion_detection/set',
      qos: 1,
      payload_on: 'ON',
      payload_off: 'OFF',
      entity_category: 'config',
      icon: 'mdi:motion-sensor',
    });
    assert.deepEqual(d.payload.components['motion_sensitivity'], {
      platform: 'number',
      unique_id: 'a9v720_0800c00128F8_motion_sensitivity',
      default_entity_id: 'number.a9v720_0800c00128f8_motion_sensitivity',
      name: 'Motion sensitivity',
      availability: [BRIDGE],
      state_topic: 'a9_v720/0800c00128F8/motion_sensitivity',
      command_topic: 'a9_v720/0800c00128F8/motion_sensitivity/set',
      qos: 1,
      min: 1,
      max: 100,
      step: 1,
      mode: 'slider',
      entity_category: 'config',
      icon: 'mdi:tune-vertical',
    });
    const seen = buildCameraDiscovery({ ...bare, lastMotionAt: Date.UTC(2026, 0, 2) }, ctx);
    assert.deepEqual(seen.payload.components['last_motion'], {
      platform: 'sensor',
      unique_id: 'a9v720_0800c00128F8_last_motion',
      default_entity_id: 'sensor.a9v720_0800c00128f8_last_motion',
      name: 'Last motion',
      availability: [BRIDGE],
      state_topic: 'a9_v720/0800c00128F8/last_motion',
      qos: 1,
      device_class: 'timestamp',
      icon: 'mdi:motion-sensor',
    });
    const states = (record: CameraRecord): Record<string, string> =>
      Object.fromEntries(
        statesOf(CAMERA_ENTITIES, record, cameraTopics(ctx.topics, record.id))
          .filter((s) => /motion/.test(s.topic))
          .map((s): [string, string] => [s.topic.split('/')[2] ?? '', s.payload]),
      );
    assert.deepEqual(states(bare), { motion: 'OFF', motion_detection: 'OFF', motion_sensitivity: '50' });
    assert.deepEqual(
      states({ ...bare, motion: { enabled: true, sensitivity: 72 }, motionDetected: true, lastMotionAt: Date.UTC(2026, 0, 2) }),
      {
        motion: 'ON',
        motion_detection: 'ON',
        motion_sensitivity: '72',
        last_motion: '2026-01-02T00:00:00.000Z',
      },
    );
  });

  it('adds settings, battery and Wi-Fi once base info arrived, with firmware as sw_version', () => {
    const d = buildCameraDiscovery(withInfo, ctx);
    assert.equal(d.payload.device.sw_version, '202212011602');
    assert.deepEqual(d.keys, [
      'connectivity',
      'image',
      'snapshot',
      'restart',
      'ir_led',
      'status_led',
      'orientation',
      'battery',
      'wifi_network',
      'ip_address',
      'last_seen',
      'streaming',
      'motion',
      'motion_detection',
      'motion_sensitivity',
    ]);
    assert.deepEqual(d.payload.components['orientation'], {
      platform: 'select',
      unique_id: 'a9v720_0800c00128F8_orientation',
      default_entity_id: 'select.a9v720_0800c00128f8_orientation',
      name: 'Image orientation',
      availability: [BRIDGE, CAM],
      availability_mode: 'all',
      state_topic: 'a9_v720/0800c00128F8/orientation',
      command_topic: 'a9_v720/0800c00128F8/orientation/set',
      qos: 1,
      options: ['normal', 'mirror', 'flip', 'rotate 180'],
      entity_category: 'config',
      icon: 'mdi:flip-horizontal',
    });
    assert.deepEqual(d.payload.components['battery'], {
      platform: 'sensor',
      unique_id: 'a9v720_0800c00128F8_battery',
      default_entity_id: 'sensor.a9v720_0800c00128f8_battery',
      name: 'Battery',
      availability: [BRIDGE, CAM],
      availability_mode: 'all',
      state_topic: 'a9_v720/0800c00128F8/battery',
      qos: 1,
      device_class: 'battery',
      unit_of_measurement: '%',
      state_class: 'measurement',
      entity_category: 'diagnostic',
    });
  });

  it('sends a platform-only stub for an entity that lost its data', () => {
    const before = buildCameraDiscovery(withInfo, ctx);
    const { devPower: _dropped, ...rest } = withInfo.baseInfo ?? {};
    const after = buildCameraDiscovery({ ...withInfo, baseInfo: rest }, ctx, before.keys);
    assert.deepEqual(after.payload.components['battery'], { platform: 'sensor' });
    assert.equal(after.keys.includes('battery'), false);
  });

  it('states follow the base info; unknown values are "None", never guessed', () => {
    const states = statesOf(CAMERA_ENTITIES, withInfo, cameraTopics(ctx.topics, withInfo.id));
    assert.deepEqual(Object.fromEntries(states.map((s) => [s.topic, s.payload])), {
      'a9_v720/0800c00128F8/availability': 'online',
      'a9_v720/0800c00128F8/ir_led': 'ON',
      'a9_v720/0800c00128F8/status_led': 'OFF',
      'a9_v720/0800c00128F8/orientation': 'rotate 180',
      'a9_v720/0800c00128F8/battery': '87',
      'a9_v720/0800c00128F8/wifi_network': 'home',
      'a9_v720/0800c00128F8/ip_address': '192.168.1.50',
      'a9_v720/0800c00128F8/last_seen': '2026-01-01T12:00:00.000Z',
      'a9_v720/0800c00128F8/streaming': 'OFF',
      'a9_v720/0800c00128F8/motion': 'OFF',
      'a9_v720/0800c00128F8/motion_detection': 'OFF',
      'a9_v720/0800c00128F8/motion_sensitivity': '50',
    });
    const auto = statesOf(CAMERA_ENTITIES, { ...withInfo, baseInfo: { IrLed: 2, mirrorFlip: 1 } }, cameraTopics(ctx.topics, withInfo.id));
    assert.equal(auto.find((s) => s.topic.endsWith('/ir_led'))?.payload, 'None');
    assert.equal(auto.find((s) => s.topic.endsWith('/orientation'))?.payload, 'None');
  });

  it('parses commands from the table', () => {
    const command = (key: string, payload: string) => CAMERA_ENTITIES.find((e) => e.key === key)?.command?.(payload);
    assert.deepEqual(command('ir_led', 'ON'), { kind: 'setting', command: { code: 202, IrLed: 1 } });
    assert.deepEqual(command('status_led', 'OFF'), { kind: 'setting', command: { code: 210, instLed: 0 } });
    assert.deepEqual(command('orientation', 'mirror'), { kind: 'setting', command: { code: 216, mirrorFlip: 2 } });
    assert.deepEqual(command('orientation', 'rotate 180'), { kind: 'setting', command: { code: 216, mirrorFlip: 4 } });
    assert.deepEqual(command('restart', 'PRESS'), { kind: 'setting', command: { code: 299, reboot: 1 } });
    assert.deepEqual(command('snapshot', 'PRESS'), { kind: 'snapshot' });
    assert.equal(command('ir_led', 'on'), undefined);
    assert.equal(command('orientation', 'sideways'), undefined);
    assert.equal(command('restart', ''), undefined);
    assert.deepEqual(command('motion_detection', 'ON'), { kind: 'motion', change: { enabled: true } });
    assert.deepEqual(command('motion_detection', 'OFF'), { kind: 'motion', change: { enabled: false } });
    assert.deepEqual(command('motion_sensitivity', '42'), { kind: 'motion', change: { sensitivity: 42 } });
    assert.deepEqual(command('motion_sensitivity', '100.0'), { kind: 'motion', change: { sensitivity: 100 } });
    for (const bad of ['0', '101', '-5', '42.5', 'abc', '', '1e2']) assert.equal(command('motion_sensitivity', bad), undefined, bad);
  });

  it('derives one entity per settings row: platform, topics, options or payloads, state and command for every value', () => {
    const reported = Object.fromEntries(SETTING_SPECS.filter((s) => s.reported).map((s) => [s.field, s.values[0].value]));
    const camera: CameraRecord = { ...withInfo, baseInfo: { ...withInfo.baseInfo, ...reported } };
    const d = buildCameraDiscovery(camera, ctx);
    const withoutInfo = buildCameraDiscovery(bare, ctx);
    for (const spec of SETTING_SPECS) {
      const component = d.payload.components[spec.key];
      assert.ok(component, `${spec.key} in discovery`);
      assert.equal(component['platform'], spec.platform, spec.key);
      assert.equal(component['name'], spec.name, spec.key);
      assert.equal(component['command_topic'], `a9_v720/0800c00128F8/${spec.key}/set`, spec.key);
      assert.equal(component['entity_category'], 'config', spec.key);
      // A reported setting appears once the camera reported it; an action is there from the start.
      assert.equal(withoutInfo.keys.includes(spec.key), !spec.reported, `${spec.key} before base info`);
      const entity = CAMERA_ENTITIES.find((e) => e.key === spec.key);
      assert.ok(entity?.command, spec.key);
      const payloads =
        spec.platform === 'switch' ? ['OFF', 'ON'] : spec.platform === 'select' ? spec.values.map((v) => v.label) : ['PRESS'];
      if (spec.platform === 'select') assert.deepEqual(component['options'], payloads, spec.key);
      if (spec.platform === 'switch') assert.deepEqual([component['payload_off'], component['payload_on']], payloads, spec.key);
      if (spec.platform === 'button') assert.equal(component['payload_press'], 'PRESS', spec.key);
      spec.values.forEach(({ value }, i) => {
        const payload = payloads[i] ?? assert.fail(`${spec.key}: no payload for ${value}`);
        assert.deepEqual(
          entity.command?.(payload),
          { kind: 'setting', command: { code: spec.code, [spec.field]: value } },
          `${spec.key} ${payload}`,
        );
        if (!spec.reported) return;
        // The state of a value is the payload that sets it: HA shows what it would send.
        const states = statesOf(CAMERA_ENTITIES, { ...camera, baseInfo: { [spec.field]: value } }, cameraTopics(ctx.topics, camera.id));
        assert.equal(states.find((s) => s.topic === `a9_v720/0800c00128F8/${spec.key}`)?.payload, payload, `${spec.key} state of ${value}`);
      });
      assert.equal(entity.command('nonsense'), undefined, spec.key);
    }
  });

  it('keeps odd ids usable as topic segments and object ids', () => {
    assert.equal(topicId('0800c00128F8'), '0800c00128F8');
    assert.equal(topicId('a/b+#'), 'a_b__');
    assert.equal(topicId('bridge'), '_bridge');
    assert.equal(ctx.topics.parseCommand('a9_v720/0800c00128F8/ir_led/set')?.key, 'ir_led');
    assert.equal(ctx.topics.parseCommand('a9_v720/bridge/x/set'), undefined);
  });
});

describe('bridge discovery', () => {
  it('is a device with connectivity, cameras online and version', () => {
    const d = buildBridgeDiscovery({ camerasOnline: 2, version: '0.1.0' }, ctx);
    assert.equal(d.topic, 'homeassistant/device/a9v720_bridge/config');
    assert.deepEqual(d.payload.device, {
      identifiers: ['a9v720_bridge'],
      name: 'A9 V720 bridge',
      manufacturer: 'a9-v720 add-on',
      model: 'Local cloud replacement for A9 / V720 cameras',
      sw_version: '0.1.0',
      configuration_url: 'http://10.0.0.2:1234/',
    });
    // Each component's exact payload: discovery-payloads.test.ts, 'bridge: every component…'.
    assert.deepEqual(Object.keys(d.payload.components), ['connectivity', 'cameras_online', 'version']);
  });
});
