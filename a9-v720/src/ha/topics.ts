/**
 * The MQTT topic scheme, in one place:
 *
 *   <base>/bridge/state                    online | offline (retained, LWT offline)
 *   <base>/bridge/<key>                    bridge entity states (retained)
 *   <base>/<camera>/availability           online | offline (retained) — also the connectivity state
 *   <base>/<camera>/<key>                  entity state (retained)
 *   <base>/<camera>/image                  latest snapshot, raw JPEG (retained)
 *   <base>/<camera>/<key>/set              commands from Home Assistant
 *   <prefix>/device/a9v720_<camera>/config device-based discovery of a camera (retained)
 *   <prefix>/device/a9v720_bridge/config   discovery of the bridge device (retained)
 *   homeassistant/status                   Home Assistant's birth / last will, whatever the prefix
 *   <prefix>/status                        the same, for an HA whose birth topic follows the prefix
 */
import type { EntitySpec } from './entities.js';

/**
 * HA's birth and last-will topic. It does not follow the discovery prefix: HA's MQTT
 * integration publishes there unless the user changes the birth message itself
 * (homeassistant/components/mqtt/const.py `DEFAULT_BIRTH_WILL_TOPIC`).
 */
export const HA_BIRTH_TOPIC = 'homeassistant/status';

/** Prefix of every unique id, device identifier and discovery object id. */
export const ID_PREFIX = 'a9v720';
export const BRIDGE_SEGMENT = 'bridge';

/**
 * Camera ids are used as topic segments and discovery object ids, which allow only
 * `[A-Za-z0-9_-]`. Real ids (`0800c00128F8`) pass unchanged; anything else is replaced by `_`,
 * and an id that would collide with the bridge's own segment gets a leading `_`.
 */
export function topicId(cameraId: string): string {
  const safe = cameraId.replace(/[^A-Za-z0-9_-]/g, '_');
  return safe === BRIDGE_SEGMENT || safe === '' ? `_${safe}` : safe;
}

export class HaTopics {
  constructor(
    readonly baseTopic: string,
    readonly discoveryPrefix: string,
  ) {}

  get bridgeState(): string {
    return `${this.baseTopic}/${BRIDGE_SEGMENT}/state`;
  }

  bridgeEntity(key: string): string {
    return `${this.baseTopic}/${BRIDGE_SEGMENT}/${key}`;
  }

  get bridgeDiscovery(): string {
    return `${this.discoveryPrefix}/device/${ID_PREFIX}_${BRIDGE_SEGMENT}/config`;
  }

  /** Where HA announces itself: its default birth topic, and `<prefix>/status` with a custom prefix. */
  get haStatusTopics(): string[] {
    const prefixed = `${this.discoveryPrefix}/status`;
    return prefixed === HA_BIRTH_TOPIC ? [HA_BIRTH_TOPIC] : [HA_BIRTH_TOPIC, prefixed];
  }

  cameraAvailability(cameraId: string): string {
    return `${this.baseTopic}/${topicId(cameraId)}/availability`;
  }

  cameraEntity(cameraId: string, key: string): string {
    return `${this.baseTopic}/${topicId(cameraId)}/${key}`;
  }

  cameraCommand(cameraId: string, key: string): string {
    return `${this.baseTopic}/${topicId(cameraId)}/${key}/set`;
  }

  cameraDiscovery(cameraId: string): string {
    return `${this.discoveryPrefix}/device/${ID_PREFIX}_${topicId(cameraId)}/config`;
  }

  /** Subscription covering every camera command topic. */
  get commandWildcard(): string {
    return `${this.baseTopic}/+/+/set`;
  }

  /** `{ topicId, key }` of a command topic, undefined for anything else. */
  parseCommand(topic: string): { topicId: string; key: string } | undefined {
    const prefix = `${this.baseTopic}/`;
    if (!topic.startsWith(prefix) || !topic.endsWith('/set')) return undefined;
    const parts = topic.slice(prefix.length, -'/set'.length).split('/');
    if (parts.length !== 2) return undefined;
    const [id, key] = parts as [string, string];
    if (id === BRIDGE_SEGMENT || id === '' || key === '') return undefined;
    return { topicId: id, key };
  }
}

/** The topics one device's entities use. */
export interface DeviceTopics {
  /** Bridge availability (every entity depends on it). */
  readonly bridge: string;
  /** The device's own availability topic. */
  readonly availability: string;
  state(key: string): string;
  command(key: string): string;
}

export function cameraTopics(topics: HaTopics, cameraId: string): DeviceTopics {
  return {
    bridge: topics.bridgeState,
    availability: topics.cameraAvailability(cameraId),
    state: (key) => topics.cameraEntity(cameraId, key),
    command: (key) => topics.cameraCommand(cameraId, key),
  };
}

export function bridgeTopics(topics: HaTopics): DeviceTopics {
  return {
    bridge: topics.bridgeState,
    availability: topics.bridgeState,
    state: (key) => topics.bridgeEntity(key),
    command: (key) => topics.bridgeEntity(`${key}/set`),
  };
}

/** Where an entity's JSON attributes are published (undefined: it has none). */
export function attributesTopicOf<S, A>(spec: EntitySpec<S, A>, t: DeviceTopics): string | undefined {
  return spec.attributes ? `${t.state(spec.key)}/attributes` : undefined;
}

/** Where an entity's state is published (undefined: the entity has no state, e.g. a button). */
export function stateTopicOf<S, A>(spec: EntitySpec<S, A>, t: DeviceTopics): string | undefined {
  if (spec.stateOnAvailabilityTopic) return t.availability;
  if (spec.state || spec.image) return t.state(spec.key);
  return undefined;
}
