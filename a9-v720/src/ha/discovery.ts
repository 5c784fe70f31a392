/**
 * Device-based MQTT discovery payloads (`<prefix>/device/<object_id>/config`), derived from the
 * entity tables. Pure: no MQTT here.
 */
import type { CameraRecord } from '../camera/registry.js';
import { BRIDGE_ENTITIES, CAMERA_ENTITIES, isPresent, type BridgeStatus, type EntitySpec } from './entities.js';
import {
  BRIDGE_SEGMENT,
  attributesTopicOf,
  bridgeTopics,
  cameraTopics,
  ID_PREFIX,
  stateTopicOf,
  topicId,
  type DeviceTopics,
  type HaTopics,
} from './topics.js';

export const MANUFACTURER = 'Naxclow';
export const CAMERA_MODEL = 'A9 / V720 mini camera';
export const BRIDGE_IDENTIFIER = `${ID_PREFIX}_${BRIDGE_SEGMENT}`;

export interface DiscoveryContext {
  readonly topics: HaTopics;
  readonly addonVersion: string;
  readonly dashboardUrl: string;
  readonly supportUrl?: string;
}

export interface DeviceBlock {
  readonly identifiers: readonly string[];
  readonly name: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly sw_version?: string;
  readonly serial_number?: string;
  readonly configuration_url?: string;
  readonly via_device?: string;
  readonly connections?: readonly (readonly [string, string])[];
}

export interface OriginBlock {
  readonly name: string;
  readonly sw_version: string;
  readonly support_url?: string;
}

export type ComponentConfig = Readonly<Record<string, unknown>> & { readonly platform: string };

export interface DeviceDiscoveryPayload {
  readonly device: DeviceBlock;
  readonly origin: OriginBlock;
  readonly components: Readonly<Record<string, ComponentConfig>>;
}

export interface DeviceDiscovery {
  readonly topic: string;
  readonly payload: DeviceDiscoveryPayload;
  /** Keys of the entities that are present (not the removal stubs). */
  readonly keys: readonly string[];
}

function origin(ctx: DiscoveryContext): OriginBlock {
  return { name: 'a9-v720', sw_version: ctx.addonVersion, ...(ctx.supportUrl ? { support_url: ctx.supportUrl } : {}) };
}

/** HA entity ids are lowercase letters, digits and `_`. */
function entitySlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function component<S, A>(spec: EntitySpec<S, A>, t: DeviceTopics, uniqueBase: string): ComponentConfig {
  const stateTopic = stateTopicOf(spec, t);
  const attributesTopic = attributesTopicOf(spec, t);
  const availability = [t.bridge, ...(spec.availability === 'device' ? [t.availability] : [])]
    .filter((topic, i, all) => all.indexOf(topic) === i)
    // An entity whose state is an availability topic must not be made unavailable by it.
    .filter((topic) => !(spec.stateOnAvailabilityTopic && topic === stateTopic));
  const slug = entitySlug(uniqueBase);
  return {
    platform: spec.platform,
    unique_id: `${uniqueBase}_${spec.key}`,
    default_entity_id: spec.name === null ? `${spec.platform}.${slug}` : `${spec.platform}.${slug}_${spec.key}`,
    name: spec.name,
    ...(availability.length > 0 ? { availability: availability.map((topic) => ({ topic })) } : {}),
    ...(availability.length > 1 ? { availability_mode: 'all' } : {}),
    ...(stateTopic ? (spec.image ? { topic: stateTopic } : { state_topic: stateTopic }) : {}),
    ...(attributesTopic ? { json_attributes_topic: attributesTopic } : {}),
    ...(spec.command ? { command_topic: t.command(spec.key) } : {}),
    qos: 1,
    ...spec.config,
  };
}

function components<S, A>(
  specs: readonly EntitySpec<S, A>[],
  subject: S,
  t: DeviceTopics,
  uniqueBase: string,
  previousKeys: readonly string[],
): { components: Record<string, ComponentConfig>; keys: string[] } {
  const out: Record<string, ComponentConfig> = {};
  const keys: string[] = [];
  for (const spec of specs) {
    if (isPresent(spec, subject)) {
      out[spec.key] = component(spec, t, uniqueBase);
      keys.push(spec.key);
    } else if (previousKeys.includes(spec.key)) {
      // HA removes a component of a device config that is reduced to its platform.
      out[spec.key] = { platform: spec.platform };
    }
  }
  return { components: out, keys };
}

export function cameraDevice(record: CameraRecord, ctx: DiscoveryContext): DeviceBlock {
  const firmware = record.firmware ?? (typeof record.baseInfo?.version === 'string' ? record.baseInfo.version : undefined);
  const mac = record.baseInfo?.['mac'];
  return {
    identifiers: [`${ID_PREFIX}_${topicId(record.id)}`],
    name: record.name ?? `A9 camera ${record.id}`,
    manufacturer: MANUFACTURER,
    model: CAMERA_MODEL,
    ...(firmware ? { sw_version: firmware } : {}),
    serial_number: record.id,
    configuration_url: ctx.dashboardUrl,
    via_device: BRIDGE_IDENTIFIER,
    ...(typeof mac === 'string' && /^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5}$/.test(mac)
      ? { connections: [['mac', mac.toLowerCase()] as const] }
      : {}),
  };
}

export function bridgeDevice(ctx: DiscoveryContext): DeviceBlock {
  return {
    identifiers: [BRIDGE_IDENTIFIER],
    name: 'A9 V720 bridge',
    manufacturer: 'a9-v720 add-on',
    model: 'Local cloud replacement for A9 / V720 cameras',
    sw_version: ctx.addonVersion,
    configuration_url: ctx.dashboardUrl,
  };
}

/**
 * Discovery of one camera. `previousKeys` are the entity keys last announced: an entity that is
 * no longer backed is sent as a removal stub instead of silently lingering.
 */
export function buildCameraDiscovery(record: CameraRecord, ctx: DiscoveryContext, previousKeys: readonly string[] = []): DeviceDiscovery {
  const t = cameraTopics(ctx.topics, record.id);
  const built = components(CAMERA_ENTITIES, record, t, `${ID_PREFIX}_${topicId(record.id)}`, previousKeys);
  return {
    topic: ctx.topics.cameraDiscovery(record.id),
    payload: { device: cameraDevice(record, ctx), origin: origin(ctx), components: built.components },
    keys: built.keys,
  };
}

export function buildBridgeDiscovery(status: BridgeStatus, ctx: DiscoveryContext): DeviceDiscovery {
  const t = bridgeTopics(ctx.topics);
  const built = components(BRIDGE_ENTITIES, status, t, BRIDGE_IDENTIFIER, []);
  return {
    topic: ctx.topics.bridgeDiscovery,
    payload: { device: bridgeDevice(ctx), origin: origin(ctx), components: built.components },
    keys: built.keys,
  };
}
