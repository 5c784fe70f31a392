/**
 * HA Core's REST API for config entries, reached through the Supervisor's proxy
 * (`http://supervisor/core/api/…`, needs `homeassistant_api: true`; supervisor/api/proxy.py),
 * as far as the live entities need it: start the mjpeg config flow, send its `user` step, list
 * and delete mjpeg entries. Every answer goes through a parser into a typed result; anything
 * else is a CoreApiError that says which call and what came back.
 *
 * What answers look like (read in HA Core's source, homeassistant/components/config/config_entries.py,
 * homeassistant/helpers/data_entry_flow.py, homeassistant/data_entry_flow.py, config_entries.py):
 * - flow start / step: 200 `{"type":"form","flow_id","handler","step_id","data_schema","errors",…}`,
 *   `{"type":"create_entry","flow_id","title","result":{"entry_id",…},…}` or
 *   `{"type":"abort","flow_id","reason",…}`; 404 `{"message":"Invalid handler specified"}` /
 *   `{"message":"Invalid flow specified"}`; 400 `{"errors":{field: message}}` for bad step data.
 * - entry list: 200 `[{"entry_id","domain","title","source","state",…}]`.
 * - entry delete: 200 `{"require_restart":bool}`, 404 `{"message":"Invalid entry specified"}`.
 * The proxy itself answers 401 (`401: Unauthorized`, text) when the add-on lacks
 * homeassistant_api or its token is unknown, 403 for `hassio…` paths, and 502 (`502: Bad
 * Gateway`) when Core is down, not answering or its API failed; Core's own statuses pass through.
 */
import type { SupervisorEndpoint } from './supervisor.js';
import { errorMessage } from '../util/error-message.js';

/** Why a call failed: decides whether to retry and what the log line says. */
export type CoreFailure =
  /** 401/403: the proxy refused the add-on, or Core refused the Supervisor's user. */
  | 'refused'
  /** 502/503/504, a timeout or no connection: Core (or the Supervisor) is not there right now. */
  | 'unreachable'
  /** Another status, or an answer that is not what the API documents. */
  | 'bad-answer';

export class CoreApiError extends Error {
  override readonly name = 'CoreApiError';
  constructor(
    message: string,
    readonly failure: CoreFailure,
    readonly status?: number,
  ) {
    super(message);
  }
}

export type FlowResult =
  | { readonly type: 'form'; readonly flowId: string; readonly stepId: string; readonly errors: Readonly<Record<string, string>> }
  | { readonly type: 'create_entry'; readonly flowId: string; readonly entryId: string; readonly title: string }
  | { readonly type: 'abort'; readonly flowId: string; readonly reason: string };

export interface MjpegEntry {
  readonly entryId: string;
  readonly title: string;
}

/** The `user` step of homeassistant/components/mjpeg/config_flow.py (its schema: name required, password defaults to ""). */
export interface MjpegFields {
  readonly name: string;
  readonly mjpeg_url: string;
  readonly still_image_url: string;
  readonly password: string;
  readonly verify_ssl: boolean;
}

/** What creating an entry came to. */
export type CreateOutcome =
  | { readonly outcome: 'created'; readonly entryId: string }
  | { readonly outcome: 'already_configured' }
  /** HA could not fetch a URL (`cannot_connect` on a field) or refused a value. */
  | { readonly outcome: 'errors'; readonly errors: Readonly<Record<string, string>> }
  | { readonly outcome: 'aborted'; readonly reason: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function bad(what: string, detail: string, status?: number): CoreApiError {
  return new CoreApiError(`HA Core ${what}: ${detail}`, 'bad-answer', status);
}

/** A form's `errors` (field → error key) or a 400's schema errors (field → message), capped. */
function errorsOf(raw: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (isObject(raw))
    for (const [field, error] of Object.entries(raw).slice(0, 20)) errors[field.slice(0, 64)] = String(error).slice(0, 200);
  return errors;
}

/** A flow answer (start or step) → FlowResult. */
export function parseFlowResult(body: unknown, what: string): FlowResult {
  if (!isObject(body)) throw bad(what, 'the answer is not a JSON object');
  const type = body['type'];
  const flowId = text(body['flow_id']);
  if (!flowId) throw bad(what, `no flow_id in a "${String(type)}" answer`);
  if (type === 'form') {
    const stepId = text(body['step_id']);
    if (!stepId) throw bad(what, 'a form without step_id');
    return { type, flowId, stepId, errors: errorsOf(body['errors']) };
  }
  if (type === 'create_entry') {
    const result = body['result'];
    const entryId = isObject(result) ? text(result['entry_id']) : undefined;
    if (!entryId) throw bad(what, 'create_entry without result.entry_id');
    return { type, flowId, entryId, title: typeof body['title'] === 'string' ? body['title'] : '' };
  }
  if (type === 'abort') {
    const reason = text(body['reason']);
    if (!reason) throw bad(what, 'an abort without reason');
    return { type, flowId, reason };
  }
  throw bad(what, `unexpected flow answer type ${JSON.stringify(type)}`);
}

/** The entry list → mjpeg entries (others are skipped: the list was asked for by domain). */
export function parseEntryList(body: unknown): MjpegEntry[] {
  if (!Array.isArray(body)) throw bad('entry list', 'the answer is not a JSON list');
  const entries: MjpegEntry[] = [];
  for (const item of body) {
    if (!isObject(item) || item['domain'] !== 'mjpeg') continue;
    const entryId = text(item['entry_id']);
    if (!entryId) throw bad('entry list', 'an entry without entry_id');
    entries.push({ entryId, title: typeof item['title'] === 'string' ? item['title'] : '' });
  }
  return entries;
}

export interface CoreApiOptions {
  /** Per call; the step waits while HA fetches both URLs (10 s each at most), so not short. */
  readonly timeoutMs?: number;
  /** Ends every call at once (the add-on stopping). */
  readonly signal?: AbortSignal;
}

const FLOW_PATH = '/core/api/config/config_entries/flow';
const ENTRY_PATH = '/core/api/config/config_entries/entry';

export class CoreApi {
  private count = 0;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private readonly endpoint: SupervisorEndpoint,
    options: CoreApiOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.signal = options.signal;
  }

  /** Calls made so far (the closing note's figures). */
  get calls(): number {
    return this.count;
  }

  async listMjpegEntries(): Promise<MjpegEntry[]> {
    const { status, body } = await this.call('GET', `${ENTRY_PATH}?domain=mjpeg`, undefined, 'entry list');
    if (status !== 200) throw this.statusError('entry list', status, body);
    return parseEntryList(body);
  }

  /** HA's answer: 'deleted', or 'absent' when HA has no such entry (404 "Invalid entry specified"). */
  async deleteEntry(entryId: string): Promise<'deleted' | 'absent'> {
    const what = `delete entry ${entryId}`;
    const { status, body } = await this.call('DELETE', `${ENTRY_PATH}/${encodeURIComponent(entryId)}`, undefined, what);
    if (status === 404 && isObject(body)) return 'absent';
    if (status !== 200) throw this.statusError(what, status, body);
    return 'deleted';
  }

  /** Starts the mjpeg flow, sends the `user` step and says what came of it. */
  async createMjpegEntry(fields: MjpegFields): Promise<CreateOutcome> {
    const start = await this.call('POST', FLOW_PATH, { handler: 'mjpeg', show_advanced_options: false }, 'mjpeg flow start');
    if (start.status !== 200) throw this.statusError('mjpeg flow start', start.status, start.body);
    const form = parseFlowResult(start.body, 'mjpeg flow start');
    if (form.type === 'abort') return { outcome: 'aborted', reason: form.reason };
    if (form.type !== 'form' || form.stepId !== 'user') throw bad('mjpeg flow start', `expected the "user" form, got ${form.type}`);
    const what = 'mjpeg flow step';
    const step = await this.call('POST', `${FLOW_PATH}/${encodeURIComponent(form.flowId)}`, fields, what);
    if (step.status === 400 && isObject(step.body) && isObject(step.body['errors'])) {
      await this.abandon(form.flowId);
      return { outcome: 'errors', errors: errorsOf(step.body['errors']) };
    }
    if (step.status !== 200) throw this.statusError(what, step.status, step.body);
    const result = parseFlowResult(step.body, what);
    if (result.type === 'create_entry') return { outcome: 'created', entryId: result.entryId };
    if (result.type === 'abort')
      return result.reason === 'already_configured' ? { outcome: 'already_configured' } : { outcome: 'aborted', reason: result.reason };
    // The form again: HA could not use the input (cannot_connect, …). Close the flow, retry later.
    await this.abandon(result.flowId);
    return { outcome: 'errors', errors: result.errors };
  }

  /** Ends a flow left on a form, so none pile up in HA; a failure here changes nothing. */
  private async abandon(flowId: string): Promise<void> {
    try {
      await this.call('DELETE', `${FLOW_PATH}/${encodeURIComponent(flowId)}`, undefined, 'flow abort');
    } catch {
      // HA drops unfinished flows on its restart anyway.
    }
  }

  private statusError(what: string, status: number, body: unknown): CoreApiError {
    const detail =
      isObject(body) && typeof body['message'] === 'string'
        ? `: ${body['message'].slice(0, 200)}`
        : typeof body === 'string' && body !== ''
          ? `: ${body.slice(0, 200)}`
          : '';
    const failure: CoreFailure =
      status === 401 || status === 403 ? 'refused' : status === 502 || status === 503 || status === 504 ? 'unreachable' : 'bad-answer';
    return new CoreApiError(`HA Core ${what}: HTTP ${status}${detail}`, failure, status);
  }

  private async call(method: string, path: string, json: unknown, what: string): Promise<{ status: number; body: unknown }> {
    this.count++;
    let response: Response;
    try {
      response = await fetch(`${this.endpoint.url.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.endpoint.token}`,
          Accept: 'application/json',
          ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: this.signal ? AbortSignal.any([this.signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new CoreApiError(
        `HA Core ${what}: ${timedOut ? `no answer within ${this.timeoutMs / 1000} s` : `cannot connect to the Supervisor (${errorMessage(error)})`}`,
        'unreachable',
      );
    }
    let raw: string;
    try {
      raw = await response.text();
    } catch (error) {
      throw new CoreApiError(`HA Core ${what}: the answer broke off (${errorMessage(error)})`, 'unreachable', response.status);
    }
    let body: unknown = raw;
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw bad(what, `HTTP ${response.status} with JSON that does not parse`, response.status);
      }
    }
    return { status: response.status, body };
  }
}
