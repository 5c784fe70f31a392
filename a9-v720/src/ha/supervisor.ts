/**
 * Home Assistant Supervisor API, as far as the MQTT bridge needs it: the broker the Supervisor
 * offers (`GET /services/mqtt`) and the add-on's full slug (`GET /addons/self/info`) for
 * ingress links. The base URL is injectable so tests can use a fake on 127.0.0.1.
 */
import type { MqttOptions } from '../config.js';
import type { Logger } from '../log.js';
import type { BrokerSettings } from './mqtt-connection.js';

export interface SupervisorEndpoint {
  /** e.g. `http://supervisor` inside the add-on. */
  readonly url: string;
  readonly token: string;
}

export const DEFAULT_SUPERVISOR_URL = 'http://supervisor';

/** The Supervisor endpoint when running as an add-on (SUPERVISOR_TOKEN set), else undefined. */
export function supervisorFromEnv(env: NodeJS.ProcessEnv = process.env): SupervisorEndpoint | undefined {
  const token = env['SUPERVISOR_TOKEN'];
  return token ? { url: DEFAULT_SUPERVISOR_URL, token } : undefined;
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
    throw new SupervisorError(`Supervisor ${path}: ${(error as Error).message}`);
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
  const protocol = String(data['protocol'] ?? '3.1.1');
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
    logger.warn({ err: (error as Error).message }, `no MQTT broker from the Supervisor (${(error as Error).message})`);
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
    input.logger.warn({ err: (error as Error).message }, `dashboard link falls back to ${fallback} (${(error as Error).message})`);
    return fallback;
  }
}
