/**
 * Home Assistant Supervisor API, as far as the add-on needs it: the broker the Supervisor
 * offers (`GET /services/mqtt`), the add-on's full slug and host-side port mapping
 * (`GET /addons/self/info`) and the host's LAN address (`GET /network/info`, needs
 * `hassio_api: true`). The base URL is injectable so tests can use a fake on 127.0.0.1.
 */
import type { HostNetwork, PortMapping } from '../camera/camera-facing.js';
import type { MqttOptions } from '../config.js';
import type { Logger } from '../log.js';
import type { BrokerSettings } from './mqtt-connection.js';
import { errorMessage } from '../util/error-message.js';

export interface SupervisorEndpoint {
  /** e.g. `http://supervisor` inside the add-on. */
  readonly url: string;
  readonly token: string;
}

export const DEFAULT_SUPERVISOR_URL = 'http://supervisor';

/**
 * The Supervisor endpoint when running as an add-on (SUPERVISOR_TOKEN set), else undefined.
 * `SUPERVISOR_API` overrides the URL, as it does for bashio.
 */
export function supervisorFromEnv(env: NodeJS.ProcessEnv = process.env): SupervisorEndpoint | undefined {
  const token = env['SUPERVISOR_TOKEN'];
  return token ? { url: env['SUPERVISOR_API'] || DEFAULT_SUPERVISOR_URL, token } : undefined;
}

export class SupervisorError extends Error {
  override readonly name = 'SupervisorError';
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** GET `<url><path>` and return `data` of a `{"result":"ok","data":…}` answer. */
async function getData(endpoint: SupervisorEndpoint, path: string, timeoutMs: number): Promise<Json> {
  const url = `${endpoint.url.replace(/\/$/, '')}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${endpoint.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new SupervisorError(`Supervisor ${path}: ${errorMessage(error)}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new SupervisorError(`Supervisor ${path}: HTTP ${response.status}, answer is not JSON`);
  }
  if (!isObject(body) || body['result'] !== 'ok' || !isObject(body['data'])) {
    const message = isObject(body) && typeof body['message'] === 'string' ? body['message'] : `HTTP ${response.status}`;
    throw new SupervisorError(`Supervisor ${path}: ${message}`);
  }
  return body['data'];
}

/** The broker the Supervisor's MQTT service offers, validated. */
export async function fetchSupervisorMqtt(endpoint: SupervisorEndpoint, timeoutMs = 5_000): Promise<BrokerSettings> {
  const data = await getData(endpoint, '/services/mqtt', timeoutMs);
  const host = data['host'];
  const port = data['port'];
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
    throw new SupervisorError(`Supervisor /services/mqtt: no usable host/port in ${JSON.stringify({ host, port })}`);
  }
  const ssl = data['ssl'] === true;
  const username = typeof data['username'] === 'string' && data['username'] !== '' ? data['username'] : undefined;
  const password = typeof data['password'] === 'string' && data['password'] !== '' ? data['password'] : undefined;
  const rawProtocol = data['protocol'];
  const protocol = typeof rawProtocol === 'string' || typeof rawProtocol === 'number' ? String(rawProtocol) : '3.1.1';
  return {
    url: `${ssl ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port as number}`,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    protocolVersion: protocol.startsWith('5') ? 5 : 4,
    source: 'supervisor',
  };
}

/** The add-on's full slug (e.g. `a1b2c3d4_a9_v720`). */
export async function fetchAddonSlug(endpoint: SupervisorEndpoint, timeoutMs = 5_000): Promise<string> {
  const data = await getData(endpoint, '/addons/self/info', timeoutMs);
  const slug = data['slug'];
  if (typeof slug !== 'string' || !/^[-_.A-Za-z0-9]+$/.test(slug)) {
    throw new SupervisorError(`Supervisor /addons/self/info: no usable slug (${JSON.stringify(slug)})`);
  }
  return slug;
}

/** What the live entities need to know about the add-on itself (`GET /addons/self/info`). */
export interface AddonIdentity {
  /** Its name on the Supervisor network, where HA Core reaches its container ports. */
  readonly hostname: string;
  /** Whether the manifest's `homeassistant_api` is granted (the Core API proxy answers 401 otherwise). */
  readonly homeassistantApi: boolean;
}

export async function fetchAddonIdentity(endpoint: SupervisorEndpoint, timeoutMs = 5_000): Promise<AddonIdentity> {
  const data = await getData(endpoint, '/addons/self/info', timeoutMs);
  const hostname = data['hostname'];
  if (typeof hostname !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/i.test(hostname)) {
    throw new SupervisorError(`Supervisor /addons/self/info: no usable hostname (${JSON.stringify(hostname)})`);
  }
  return { hostname: hostname.toLowerCase(), homeassistantApi: data['homeassistant_api'] === true };
}

const PORT_KEY = /^\d{1,5}\/(tcp|udp)$/;

/**
 * The host-side port mapping of this add-on (`data.network` of `GET /addons/self/info`);
 * empty with host networking, where the Supervisor maps nothing.
 */
export async function fetchPortMapping(endpoint: SupervisorEndpoint, timeoutMs = 5_000): Promise<PortMapping> {
  const data = await getData(endpoint, '/addons/self/info', timeoutMs);
  const network = data['network'];
  if (network === null || network === undefined || data['host_network'] === true) return {};
  if (!isObject(network))
    throw new SupervisorError(`Supervisor /addons/self/info: "network" is not a mapping (${JSON.stringify(network)})`);
  const mapping: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(network)) {
    const isPort = Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535;
    if (!PORT_KEY.test(key) || !(isPort || value === null)) {
      throw new SupervisorError(`Supervisor /addons/self/info: unusable port mapping ${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    }
    mapping[key] = value as number | null;
  }
  return mapping;
}

const IPV4_WITH_PREFIX = /^((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?:\/\d{1,2})?$/;

/**
 * The host's LAN IPv4 from `GET /network/info`: the first address of the primary interface,
 * else of the first connected one. Cameras reach the add-on there; the Supervisor's DNAT
 * forwards the mapped ports into the container.
 */
export async function fetchHostLanAddress(endpoint: SupervisorEndpoint, timeoutMs = 5_000): Promise<string> {
  const data = await getData(endpoint, '/network/info', timeoutMs);
  const interfaces = Array.isArray(data['interfaces']) ? data['interfaces'].filter(isObject) : [];
  const firstIpv4 = (iface: Json): string | undefined => {
    const ipv4 = iface['ipv4'];
    const addresses = isObject(ipv4) && Array.isArray(ipv4['address']) ? ipv4['address'] : [];
    for (const address of addresses) {
      const match = typeof address === 'string' ? IPV4_WITH_PREFIX.exec(address) : null;
      if (match?.[1]) return match[1];
    }
    return undefined;
  };
  const usable = interfaces.filter((iface) => iface['enabled'] !== false && iface['connected'] !== false);
  const ordered = [...usable.filter((iface) => iface['primary'] === true), ...usable.filter((iface) => iface['primary'] !== true)];
  for (const iface of ordered) {
    const address = firstIpv4(iface);
    if (address) return address;
  }
  throw new SupervisorError(`Supervisor /network/info: no connected interface with an IPv4 address (${interfaces.length} interface(s))`);
}

/**
 * Every address of the host's interfaces from `GET /network/info` (IPv4 and IPv6, prefixes cut):
 * what "this host" means when the setup check reads a DNS answer. Never throws: a failure is one
 * warning and an empty list (the check then knows the camera address and server_ip only).
 */
export async function resolveHostAddresses(endpoint: SupervisorEndpoint, logger: Logger, timeoutMs = 5_000): Promise<string[]> {
  try {
    const data = await getData(endpoint, '/network/info', timeoutMs);
    const interfaces = Array.isArray(data['interfaces']) ? data['interfaces'].filter(isObject) : [];
    const addresses: string[] = [];
    for (const iface of interfaces) {
      for (const family of ['ipv4', 'ipv6']) {
        const config = iface[family];
        const list = isObject(config) && Array.isArray(config['address']) ? config['address'] : [];
        for (const address of list) if (typeof address === 'string' && address !== '') addresses.push(address.replace(/\/\d{1,3}$/, ''));
      }
    }
    return [...new Set(addresses)];
  } catch (error) {
    const message = errorMessage(error);
    logger.warn(
      { err: message },
      `cannot learn the host's addresses from the Supervisor (${message}); the setup check's DNS rows know only the camera address`,
    );
    return [];
  }
}

/** Both lookups; each failure is one warning and leaves its part unknown. Never throws. */
export async function resolveHostNetwork(input: {
  readonly supervisor?: SupervisorEndpoint;
  readonly needAddress: boolean;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}): Promise<HostNetwork> {
  const { supervisor, logger } = input;
  if (!supervisor) return { ports: {} };
  const [address, ports] = await Promise.allSettled([
    input.needAddress ? fetchHostLanAddress(supervisor, input.timeoutMs) : Promise.resolve(undefined),
    fetchPortMapping(supervisor, input.timeoutMs),
  ]);
  if (address.status === 'rejected') {
    const message = errorMessage(address.reason);
    logger.warn(
      { err: message },
      `cannot learn the host's LAN address from the Supervisor (${message}); set the server_ip option so cameras can reach the add-on`,
    );
  }
  if (ports.status === 'rejected') {
    const message = errorMessage(ports.reason);
    logger.warn(
      { err: message },
      `cannot learn the host-side port mapping from the Supervisor (${message}); cameras are given the container ports`,
    );
  }
  return {
    ...(address.status === 'fulfilled' && address.value ? { hostAddress: address.value } : {}),
    ports: ports.status === 'fulfilled' ? ports.value : {},
    ...(ports.status === 'rejected' ? { portsUnknown: true } : {}),
  };
}

/**
 * Which broker to use: the user's options if `mqtt_url` is set, else the Supervisor's MQTT
 * service, else none (undefined; the caller runs without MQTT). Never throws.
 */
export async function resolveBrokerSettings(input: {
  readonly options: MqttOptions;
  readonly supervisor?: SupervisorEndpoint;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}): Promise<BrokerSettings | undefined> {
  const { options, supervisor, logger } = input;
  if (options.url) {
    return {
      url: options.url,
      ...(options.username ? { username: options.username } : {}),
      ...(options.password ? { password: options.password } : {}),
      protocolVersion: 4,
      source: 'options',
    };
  }
  if (!supervisor) return undefined;
  try {
    return await fetchSupervisorMqtt(supervisor, input.timeoutMs);
  } catch (error) {
    logger.warn({ err: errorMessage(error) }, `no MQTT broker from the Supervisor (${errorMessage(error)})`);
    return undefined;
  }
}

/**
 * The dashboard link for device pages: HA's ingress panel when the add-on's slug is known,
 * else the web port on the given host. Never throws.
 */
export async function resolveDashboardUrl(input: {
  readonly supervisor?: SupervisorEndpoint;
  readonly host: string;
  readonly webPort: number;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}): Promise<string> {
  const fallback = `http://${input.host.includes(':') ? `[${input.host}]` : input.host}:${input.webPort}/`;
  if (!input.supervisor) return fallback;
  try {
    return `homeassistant://hassio/ingress/${await fetchAddonSlug(input.supervisor, input.timeoutMs)}`;
  } catch (error) {
    input.logger.warn({ err: errorMessage(error) }, `dashboard link falls back to ${fallback} (${errorMessage(error)})`);
    return fallback;
  }
}
