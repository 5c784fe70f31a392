/**
 * What each device type exposes to Home Assistant, as data: one table per device type.
 * Discovery payloads, state messages and command parsing are all derived from these tables
 * (discovery.ts, state-publisher.ts, command-handler.ts); nothing is written per topic.
 */
import { isStreaming, motionSettingsOf, type CameraRecord } from '../camera/registry.js';
import type { SetupStatus } from '../camera/setup/setup-monitor.js';
import { SETTING_SPECS, settingCommand, type SettingCommand, type SettingSpec } from '../protocol/settings.js';
import {
  MAX_MOTION_SENSITIVITY,
  MIN_MOTION_SENSITIVITY,
  parseSensitivityPayload,
  type MotionSettingsChange,
} from '../camera/motion-settings.js';
import { plainIp } from '../util/net.js';

export type Platform = 'binary_sensor' | 'sensor' | 'switch' | 'select' | 'button' | 'camera' | 'number';

/**
 * What a command from Home Assistant asks for: a setting sent to the camera, a snapshot, or a
 * change of the add-on's own motion detection settings (applied here, never sent to the camera).
 */
export type CameraAction =
  | { readonly kind: 'setting'; readonly command: SettingCommand }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'motion'; readonly change: MotionSettingsChange };

export interface EntitySpec<Subject, Action = never> {
  /** Stable key: part of the unique id (`a9v720_<device>_<key>`) and of the topics. */
  readonly key: string;
  readonly platform: Platform;
  /** Entity name without the device name; null marks the device's main entity. */
  readonly name: string | null;
  /**
   * `device`: the bridge and the device must both be online. `bridge`: only the bridge (an
   * entity that must stay usable while the device is offline, e.g. connectivity, last seen).
   */
  readonly availability: 'device' | 'bridge';
  /** Whether the device can back the entity yet (data arrived); absent = always. */
  readonly present?: (subject: Subject) => boolean;
  /** Retained state payload; undefined = nothing known, publish nothing. */
  readonly state?: (subject: Subject) => string | undefined;
  /** Retained JSON attributes (`json_attributes_topic`, `<state topic>/attributes`); undefined = none. */
  readonly attributes?: (subject: Subject) => string | undefined;
  /** The state lives on the device's availability topic (connectivity sensors). */
  readonly stateOnAvailabilityTopic?: true;
  /** The state is an image published out of band (camera platform, `topic`). */
  readonly image?: true;
  /** Parses a command payload; undefined = invalid payload. */
  readonly command?: (payload: string) => Action | undefined;
  /** Constant discovery fields (device_class, unit_of_measurement, icon, options…). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** HA's payload meaning "state unknown" for switch / select / binary_sensor. */
export const UNKNOWN_STATE = 'None';

const ON = 'ON';
const OFF = 'OFF';
const PRESS = 'PRESS';

const onOff = (value: boolean): string => (value ? ON : OFF);

function numberField(record: CameraRecord, field: string): number | undefined {
  const value = record.baseInfo?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringField(record: CameraRecord, field: string): string | undefined {
  const value = record.baseInfo?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** HA's entity for a row of the settings table (protocol/settings.ts). */
function settingEntity(spec: SettingSpec): EntitySpec<CameraRecord, CameraAction> {
  const toAction = (value: number): CameraAction | undefined => {
    const command = settingCommand(spec, value);
    return command ? { kind: 'setting', command } : undefined;
  };
  const common = {
    key: spec.key,
    platform: spec.platform,
    name: spec.name,
    availability: 'device',
    ...(spec.reported ? { present: (r: CameraRecord) => numberField(r, spec.field) !== undefined } : {}),
  } as const;
  const extra = {
    ...(spec.deviceClass ? { device_class: spec.deviceClass } : {}),
    entity_category: 'config',
    ...(spec.icon ? { icon: spec.icon } : {}),
  };
  switch (spec.platform) {
    case 'switch': {
      const [off, on] = spec.values;
      return {
        ...common,
        // Other values (IR LED 2 = "auto" on some units) are not on/off: report unknown.
        state: (r) => {
          const value = numberField(r, spec.field);
          return value === on.value ? ON : value === off.value ? OFF : UNKNOWN_STATE;
        },
        command: (payload) => (payload === ON ? toAction(on.value) : payload === OFF ? toAction(off.value) : undefined),
        config: { ...extra, payload_on: ON, payload_off: OFF },
      };
    }
    case 'select':
      return {
        ...common,
        state: (r) => {
          const value = numberField(r, spec.field);
          return spec.values.find((allowed) => allowed.value === value)?.label ?? UNKNOWN_STATE;
        },
        command: (payload) => {
          const match = spec.values.find(({ label }) => label === payload);
          return match ? toAction(match.value) : undefined;
        },
        config: { options: spec.values.map(({ label }) => label), ...extra },
      };
    case 'button': {
      const [press] = spec.values;
      return {
        ...common,
        command: (payload) => (payload === PRESS ? toAction(press.value) : undefined),
        config: { payload_press: PRESS, ...extra },
      };
    }
  }
}

/** Actions (restart) beside the snapshot button, then the settings, in table order. */
const SETTING_ENTITIES = [
  ...SETTING_SPECS.filter((spec) => spec.platform === 'button'),
  ...SETTING_SPECS.filter((spec) => spec.platform !== 'button'),
].map(settingEntity);

export const CAMERA_ENTITIES: readonly EntitySpec<CameraRecord, CameraAction>[] = [
  {
    key: 'connectivity',
    platform: 'binary_sensor',
    name: 'Connectivity',
    availability: 'bridge',
    stateOnAvailabilityTopic: true,
    state: (r) => (r.online ? 'online' : 'offline'),
    config: { device_class: 'connectivity', payload_on: 'online', payload_off: 'offline', entity_category: 'diagnostic' },
  },
  {
    key: 'image',
    platform: 'camera',
    name: null,
    availability: 'device',
    image: true,
  },
  {
    key: 'snapshot',
    platform: 'button',
    name: 'Snapshot',
    availability: 'device',
    command: (payload) => (payload === PRESS ? { kind: 'snapshot' } : undefined),
    config: { payload_press: PRESS, icon: 'mdi:camera-iris' },
  },
  ...SETTING_ENTITIES,
  {
    key: 'battery',
    platform: 'sensor',
    name: 'Battery',
    availability: 'device',
    present: (r) => numberField(r, 'devPower') !== undefined,
    state: (r) => {
      const value = numberField(r, 'devPower');
      return value === undefined ? undefined : String(value);
    },
    config: { device_class: 'battery', unit_of_measurement: '%', state_class: 'measurement', entity_category: 'diagnostic' },
  },
  {
    key: 'wifi_network',
    platform: 'sensor',
    name: 'Wi-Fi network',
    availability: 'device',
    present: (r) => stringField(r, 'wifiName') !== undefined,
    state: (r) => stringField(r, 'wifiName'),
    config: { entity_category: 'diagnostic', icon: 'mdi:wifi' },
  },
  {
    key: 'ip_address',
    platform: 'sensor',
    name: 'IP address',
    availability: 'bridge',
    present: (r) => r.ip !== '',
    state: (r) => plainIp(r.ip),
    config: { entity_category: 'diagnostic', icon: 'mdi:ip-network' },
  },
  {
    key: 'last_seen',
    platform: 'sensor',
    name: 'Last seen',
    availability: 'bridge',
    state: (r) => new Date(r.lastSeen).toISOString(),
    config: { device_class: 'timestamp', entity_category: 'diagnostic' },
  },
  {
    key: 'streaming',
    platform: 'binary_sensor',
    name: 'Streaming',
    availability: 'device',
    state: (r) => onOff(isStreaming(r)),
    config: { payload_on: ON, payload_off: OFF, entity_category: 'diagnostic', icon: 'mdi:video' },
  },
  // Motion detection runs in the add-on. Its two settings are the add-on's, so they stay usable
  // (bridge availability) while the camera is offline; the detected state needs the camera.
  {
    key: 'motion',
    platform: 'binary_sensor',
    name: 'Motion',
    availability: 'device',
    state: (r) => onOff(r.motionDetected === true),
    config: { device_class: 'motion', payload_on: ON, payload_off: OFF },
  },
  {
    key: 'motion_detection',
    platform: 'switch',
    name: 'Motion detection',
    availability: 'bridge',
    state: (r) => onOff(motionSettingsOf(r).enabled),
    command: (payload) =>
      payload === ON
        ? { kind: 'motion', change: { enabled: true } }
        : payload === OFF
          ? { kind: 'motion', change: { enabled: false } }
          : undefined,
    config: { payload_on: ON, payload_off: OFF, entity_category: 'config', icon: 'mdi:motion-sensor' },
  },
  {
    key: 'motion_sensitivity',
    platform: 'number',
    name: 'Motion sensitivity',
    availability: 'bridge',
    state: (r) => String(motionSettingsOf(r).sensitivity),
    command: (payload) => {
      const sensitivity = parseSensitivityPayload(payload);
      return sensitivity === undefined ? undefined : { kind: 'motion', change: { sensitivity } };
    },
    config: {
      min: MIN_MOTION_SENSITIVITY,
      max: MAX_MOTION_SENSITIVITY,
      step: 1,
      mode: 'slider',
      entity_category: 'config',
      icon: 'mdi:tune-vertical',
    },
  },
  {
    key: 'last_motion',
    platform: 'sensor',
    name: 'Last motion',
    availability: 'bridge',
    present: (r) => r.lastMotionAt !== undefined,
    state: (r) => (r.lastMotionAt === undefined ? undefined : new Date(r.lastMotionAt).toISOString()),
    config: { device_class: 'timestamp', icon: 'mdi:motion-sensor' },
  },
];

/** What the bridge device shows. */
export interface BridgeStatus {
  readonly camerasOnline: number;
  readonly version: string;
  /** The setup diagnosis (absent: the add-on runs no setup check, e.g. the bridge alone in tests). */
  readonly setup?: SetupStatus;
}

export const BRIDGE_ENTITIES: readonly EntitySpec<BridgeStatus>[] = [
  {
    key: 'connectivity',
    platform: 'binary_sensor',
    name: 'Connectivity',
    // Its state *is* the bridge availability topic; offline (LWT) must read "off", not unavailable.
    availability: 'bridge',
    stateOnAvailabilityTopic: true,
    state: () => 'online',
    config: { device_class: 'connectivity', payload_on: 'online', payload_off: 'offline', entity_category: 'diagnostic' },
  },
  {
    key: 'cameras_online',
    platform: 'sensor',
    name: 'Cameras online',
    availability: 'device',
    state: (b) => String(b.camerasOnline),
    config: { state_class: 'measurement', icon: 'mdi:cctv' },
  },
  {
    key: 'version',
    platform: 'sensor',
    name: 'Add-on version',
    availability: 'device',
    state: (b) => b.version,
    config: { entity_category: 'diagnostic', icon: 'mdi:tag' },
  },
  {
    // ON while the setup view lists an error (DNS, ports, a camera stuck on its way in); the
    // problems' texts and the summary travel as attributes, the same sentences as in the log.
    key: 'setup_problem',
    platform: 'binary_sensor',
    name: 'Camera setup',
    availability: 'device',
    present: (b) => b.setup !== undefined,
    state: (b) => (b.setup ? onOff(b.setup.problem) : undefined),
    attributes: (b) => (b.setup ? JSON.stringify({ problems: b.setup.problems, summary: b.setup.summary }) : undefined),
    config: { device_class: 'problem', payload_on: ON, payload_off: OFF, entity_category: 'diagnostic' },
  },
];

/** Whether the entity is backed by the subject's data (and so belongs in discovery). */
export function isPresent<S, A>(spec: EntitySpec<S, A>, subject: S): boolean {
  return spec.present ? spec.present(subject) : true;
}
