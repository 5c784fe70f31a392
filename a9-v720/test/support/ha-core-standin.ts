/**
 * A stand-in for the HA Supervisor and, behind its Core API proxy, HA Core's config entries and
 * the MJPEG IP Camera config flow: a real HTTP server on 127.0.0.1, answering what the real ones
 * answer, built from their source:
 * - Supervisor (supervisor/api/proxy.py, api/middleware/security.py, api/apps.py):
 *   `GET /addons/self/info` → `{"result":"ok","data":{…,"hostname","homeassistant_api"}}`;
 *   `/core/api/<path>` (GET, POST, DELETE) with the add-on's Bearer token. An unknown token or
 *   an add-on without homeassistant_api: 401 `401: Unauthorized` (aiohttp's text/plain
 *   HTTPUnauthorized); `hassio…` paths 403; Core down or not answering: 502 `502: Bad Gateway`;
 *   Core's own status and body pass through.
 * - HA Core (components/config/config_entries.py, helpers/data_entry_flow.py, data_entry_flow.py,
 *   config_entries.py `as_json_fragment`): `POST /api/config/config_entries/flow`
 *   (`handler`, `show_advanced_options`) → the `user` form; `POST …/flow/<flow_id>` → schema
 *   check (400 `{"errors":{…}}`), then components/mjpeg/config_flow.py: `validate_url` GETs
 *   mjpeg_url and still_image_url (stream, 10 s timeout, a 2xx needed, 401 → invalid_auth,
 *   anything else → `cannot_connect` on that field, the form again), then
 *   `_async_abort_entries_match({mjpeg_url})` → abort `already_configured`, else create_entry
 *   with `result` = the entry's JSON; `DELETE …/flow/<id>` → `{"message":"Flow aborted"}`;
 *   `GET …/entry?domain=mjpeg` → the entries' JSON; `DELETE …/entry/<id>` →
 *   `{"require_restart":false}` or 404 `{"message":"Invalid entry specified"}`.
 *
 * HA Core fetches the URLs from its own address on the Supervisor network (172.30.32.1) and
 * resolves the add-on's hostname through the Supervisor's DNS. Here the hostname:port is mapped
 * to the add-on's real listener (`resolve`), the request keeps the URL's Host, and it leaves from
 * `fetchFrom` (a spare loopback address that the app under test is told stands for 172.30.32.1).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const STANDIN_TOKEN = 'standin-addon-token';

/** How Core behaves behind the proxy. */
export type CoreMode = 'up' | 'down' | 'status-401' | 'status-500' | 'hang';

export interface StandinEntry {
  readonly entry_id: string;
  readonly domain: 'mjpeg';
  title: string;
  readonly options: Record<string, unknown>;
  readonly created_at: number;
}

export interface UrlFetch {
  readonly url: string;
  readonly host: string | undefined;
  readonly from: string;
  readonly status: number | string;
}

export interface StandinOptions {
  readonly hostname?: string;
  readonly homeassistantApi?: boolean;
  /** `<hostname>:<port>` of a URL → the real `127.0.0.1:<port>` it reaches. */
  readonly resolve?: (authority: string) => string | undefined;
  /** Local address HA Core's URL checks leave from. */
  readonly fetchFrom?: string;
  /** validate_url's timeout (requests' `timeout=10`). */
  readonly urlTimeoutMs?: number;
}

/** Crockford base32, as HA's ULIDs (`ulid_now`). */
function ulid(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = alphabet[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i++) tail += alphabet[(random[i] ?? 0) % 32];
  return head + tail;
}

/** voluptuous_serialize of mjpeg's `async_get_schema({}, show_name=True)`. */
const USER_SCHEMA = [
  { type: 'string', name: 'name', required: true },
  { type: 'string', name: 'mjpeg_url', required: true },
  { type: 'string', name: 'still_image_url', optional: true, description: { suggested_value: null } },
  { type: 'string', name: 'username', optional: true, description: { suggested_value: null } },
  { type: 'string', name: 'password', optional: true, default: '' },
  { type: 'boolean', name: 'verify_ssl', optional: true, default: true },
];

const SCHEMA_TYPES: Record<string, 'string' | 'boolean'> = {
  name: 'string',
  mjpeg_url: 'string',
  still_image_url: 'string',
  username: 'string',
  password: 'string',
  verify_ssl: 'boolean',
};

export class HaCoreStandin {
  readonly entries = new Map<string, StandinEntry>();
  readonly flows = new Map<string, { readonly handler: string }>();
  readonly urlFetches: UrlFetch[] = [];
  /** Every request that reached Core through the proxy: `METHOD path`. */
  readonly coreCalls: string[] = [];
  /** Requests the proxy answered itself (401/403/502). */
  readonly proxyRefusals: string[] = [];
  coreMode: CoreMode = 'up';
  homeassistantApi: boolean;
  hostname: string;
  private server: http.Server | undefined;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(private readonly options: StandinOptions = {}) {
    this.homeassistantApi = options.homeassistantApi ?? true;
    this.hostname = options.hostname ?? 'local-a9-v720';
  }

  get endpoint(): { url: string; token: string } {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('stand-in not started');
    return { url: `http://127.0.0.1:${address.port}`, token: STANDIN_TOKEN };
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The user deletes an entry in HA's UI. */
  deleteAsUser(entryId: string): boolean {
    return this.entries.delete(entryId);
  }

  /** Counted per kind of Core call. */
  callCount(prefix = ''): number {
    return this.coreCalls.filter((call) => call.startsWith(prefix)).length;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://supervisor');
    const token = (req.headers.authorization ?? '').split(' ').at(-1);
    if (url.pathname === '/addons/self/info' && req.method === 'GET') {
      if (token !== STANDIN_TOKEN) return this.text(res, 401, '401: Unauthorized');
      return this.json(res, 200, {
        result: 'ok',
        data: {
          name: 'A9 / V720 Cameras',
          slug: 'local_a9_v720',
          hostname: this.hostname,
          homeassistant_api: this.homeassistantApi,
          ingress_port: 1234,
        },
      });
    }
    const core = /^\/core\/api\/(.+)$/.exec(url.pathname);
    if (!core?.[1] || !['GET', 'POST', 'DELETE'].includes(req.method ?? '')) {
      return this.json(res, 404, { result: 'error', message: 'not found' });
    }
    const path = core[1];
    const call = `${req.method} /api/${path}${url.search}`;
    // APIProxy._check_access, then CORE_API_DENY, then check_api_state.
    if (token !== STANDIN_TOKEN || !this.homeassistantApi) {
      this.proxyRefusals.push(call);
      return this.text(res, 401, '401: Unauthorized');
    }
    if (/^hassio(?:\/|_)/.test(path)) {
      this.proxyRefusals.push(call);
      return this.text(res, 403, '403: Forbidden');
    }
    if (this.coreMode === 'down') {
      this.proxyRefusals.push(call);
      return this.text(res, 502, '502: Bad Gateway');
    }
    this.coreCalls.push(call);
    if (this.coreMode === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    // Core's own answers the Supervisor passes through (its retry on 401 happened already).
    if (this.coreMode === 'status-401') return this.text(res, 401, '401: Unauthorized');
    if (this.coreMode === 'status-500') return this.text(res, 500, '500 Internal Server Error\n\nServer got itself in trouble');
    let body: unknown;
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    } catch {
      // RequestDataValidator: "Invalid JSON." with 400.
      return this.json(res, 400, { message: 'Invalid JSON.' });
    }
    await this.core(req.method ?? '', path, url.searchParams, body, res);
  }

  private async core(method: string, path: string, query: URLSearchParams, body: unknown, res: http.ServerResponse): Promise<void> {
    if (path === 'config/config_entries/flow' && method === 'POST') return this.flowStart(body, res);
    const flow = /^config\/config_entries\/flow\/([^/]+)$/.exec(path);
    if (flow?.[1]) {
      const flowId = decodeURIComponent(flow[1]);
      if (method === 'POST') return this.flowStep(flowId, body, res);
      if (method === 'DELETE') {
        if (!this.flows.delete(flowId)) return this.json(res, 404, { message: 'Invalid flow specified' });
        return this.json(res, 200, { message: 'Flow aborted' });
      }
    }
    if (path === 'config/config_entries/entry' && method === 'GET') {
      const domain = query.get('domain');
      return this.json(
        res,
        200,
        [...this.entries.values()].filter((entry) => !domain || entry.domain === domain).map((entry) => this.entryJson(entry)),
      );
    }
    const entry = /^config\/config_entries\/entry\/([^/]+)$/.exec(path);
    if (entry?.[1] && method === 'DELETE') {
      if (!this.entries.delete(decodeURIComponent(entry[1]))) return this.json(res, 404, { message: 'Invalid entry specified' });
      return this.json(res, 200, { require_restart: false });
    }
    return this.json(res, 404, { message: 'Not Found' });
  }

  private flowStart(body: unknown, res: http.ServerResponse): void {
    if (typeof body !== 'object' || body === null || !('handler' in body)) {
      return this.json(res, 400, { message: "Message format incorrect: required key not provided @ data['handler']" });
    }
    const handler = body.handler;
    if (handler !== 'mjpeg') return this.json(res, 404, { message: 'Invalid handler specified' });
    const flowId = ulid();
    this.flows.set(flowId, { handler });
    this.json(res, 200, this.form(flowId, {}));
  }

  private form(flowId: string, errors: Record<string, string>): Record<string, unknown> {
    return {
      type: 'form',
      flow_id: flowId,
      handler: 'mjpeg',
      step_id: 'user',
      data_schema: USER_SCHEMA,
      errors,
      description_placeholders: null,
      last_step: null,
      preview: null,
    };
  }

  private async flowStep(flowId: string, body: unknown, res: http.ServerResponse): Promise<void> {
    if (!this.flows.has(flowId)) return this.json(res, 404, { message: 'Invalid flow specified' });
    const input: Record<string, unknown> = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body } : {};
    // data_entry_flow: data_schema(user_input) → InvalidData → 400 {"errors": schema_errors}.
    const schemaErrors: Record<string, string> = {};
    for (const [key, value] of Object.entries(input)) {
      const type = SCHEMA_TYPES[key];
      if (!type) schemaErrors[key] = 'extra keys not allowed';
      else if (type === 'string' && typeof value !== 'string') schemaErrors[key] = 'expected str';
      else if (type === 'boolean' && typeof value !== 'boolean') schemaErrors[key] = 'expected bool';
    }
    for (const key of ['name', 'mjpeg_url']) if (!(key in input)) schemaErrors[key] = 'required key not provided';
    if (Object.keys(schemaErrors).length > 0) return this.json(res, 400, { errors: schemaErrors });
    input['password'] ??= '';
    input['verify_ssl'] ??= true;

    // async_validate_input: mjpeg_url, then still_image_url; the first failure ends the checks.
    const errors: Record<string, string> = {};
    for (const field of ['mjpeg_url', 'still_image_url']) {
      const url = input[field];
      if (typeof url !== 'string' || url === '') continue;
      const status = await this.validateUrl(url);
      if (status === 401) {
        errors['username'] = 'invalid_auth';
        break;
      }
      if (typeof status !== 'number' || status >= 400 || status < 200) {
        errors[field] = 'cannot_connect';
        break;
      }
    }
    if (Object.keys(errors).length > 0) return this.json(res, 200, this.form(flowId, errors));
    this.flows.delete(flowId);
    // _async_abort_entries_match: ChainMap(entry.options, entry.data) holds mjpeg_url.
    if ([...this.entries.values()].some((entry) => entry.options['mjpeg_url'] === input['mjpeg_url'])) {
      return this.json(res, 200, {
        type: 'abort',
        flow_id: flowId,
        handler: 'mjpeg',
        reason: 'already_configured',
        description_placeholders: null,
      });
    }
    const entry: StandinEntry = {
      entry_id: ulid(),
      domain: 'mjpeg',
      title: typeof input['name'] === 'string' ? input['name'] : String(input['mjpeg_url']),
      options: {
        authentication: 'basic',
        mjpeg_url: input['mjpeg_url'],
        password: input['password'],
        still_image_url: input['still_image_url'],
        username: input['username'],
        verify_ssl: input['verify_ssl'],
      },
      created_at: Date.now() / 1000,
    };
    this.entries.set(entry.entry_id, entry);
    this.json(res, 200, {
      type: 'create_entry',
      flow_id: flowId,
      handler: 'mjpeg',
      version: 1,
      minor_version: 1,
      title: entry.title,
      description: null,
      description_placeholders: null,
      options: entry.options,
      subentries: [],
      result: this.entryJson(entry),
    });
  }

  /** validate_url: `requests.get(url, stream=True, timeout=10)`; the status, or why there is none. */
  private validateUrl(url: string): Promise<number | string> {
    return new Promise((resolve) => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return resolve('invalid URL');
      }
      const authority = `${parsed.hostname}:${parsed.port || '80'}`;
      const target = this.options.resolve?.(authority) ?? authority;
      const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
      const from = this.options.fetchFrom ?? '127.0.0.1';
      let settled = false;
      const done = (status: number | string): void => {
        if (settled) return;
        settled = true;
        this.urlFetches.push({ url, host: parsed.host, from, status });
        resolve(status);
      };
      const request = http.get(
        { host, port, path: `${parsed.pathname}${parsed.search}`, headers: { host: parsed.host }, localAddress: from, agent: false },
        (response) => {
          // stream=True: the headers decide; response.close() drops the body.
          done(response.statusCode ?? 0);
          response.destroy();
        },
      );
      request.setTimeout(this.options.urlTimeoutMs ?? 10_000, () => {
        request.destroy();
        done('timeout');
      });
      request.on('error', (error) => done(`error ${error.message}`));
    });
  }

  private entryJson(entry: StandinEntry): Record<string, unknown> {
    return {
      created_at: entry.created_at,
      entry_id: entry.entry_id,
      domain: entry.domain,
      modified_at: entry.created_at,
      title: entry.title,
      source: 'user',
      state: 'loaded',
      supports_options: true,
      supports_remove_device: false,
      supports_unload: true,
      supports_reconfigure: false,
      supported_subentry_types: {},
      pref_disable_new_entities: false,
      pref_disable_polling: false,
      disabled_by: null,
      reason: null,
      error_reason_translation_key: null,
      error_reason_translation_placeholders: null,
      num_subentries: 0,
    };
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private text(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(body);
  }
}
