/**
 * Live camera entities (issue 20, item 1): under the Supervisor, each camera that has been online
 * gets Home Assistant's "MJPEG IP Camera" config entry, made through the Supervisor's Core API
 * proxy (core-api.ts), with URLs on the add-on's own hostname on the Supervisor network and its
 * container web port, keyed with the media key. HA Core fetches them from 172.30.32.1, so they
 * work whatever the user did with the LAN port mapping.
 *
 * The decisions are live-entities-plan.ts's; this part runs them one pass at a time (never two
 * at once), keeps `<data_dir>/live-entities.json`, and retries after a failure. A pass that
 * looks at HA's entry list ("full") runs at start, after a failure and for the panel's button;
 * the others (a camera came online, one was forgotten) only act on what needs no list.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CameraRegistry } from '../camera/registry.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Lifecycle } from '../util/lifecycle.js';
import type { Unsubscribe } from '../util/listeners.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { CoreApi, CoreApiError, type MjpegEntry } from './core-api.js';
import {
  afterAlreadyConfigured,
  afterCreated,
  afterDeleted,
  entityState,
  entryTitle,
  parseStateFile,
  planPass,
  requestEntry,
  stateFileText,
  targetOf,
  type LiveAction,
  type LiveCamera,
  type LiveEntityState,
  type RememberedEntries,
} from './live-entities-plan.js';
import { fetchAddonIdentity, type SupervisorEndpoint } from './supervisor.js';
import { errorMessage } from '../util/error-message.js';

export const LIVE_ENTITIES_FILE = 'live-entities.json';

/** What the panel shows for one camera (GET/POST /api/cameras/:id/live-entity). */
export interface LiveEntityView {
  readonly state: LiveEntityState | 'unavailable';
  /** Why `unavailable`: not under the Supervisor, or the add-on may not use HA Core's API. */
  readonly reason?: 'not-supervised' | 'no-core-api' | 'starting';
  readonly entryId?: string;
  /** The last failure talking to HA (cleared by the next success). */
  readonly problem?: string;
}

export interface LiveEntitiesOptions {
  readonly supervisor: SupervisorEndpoint;
  readonly registry: CameraRegistry;
  readonly dataDir: string;
  readonly maxCameras: number;
  /** The option live_entities. */
  readonly automatic: boolean;
  readonly mediaKey: string;
  /** The web server's container port (1234 in the add-on; the bound one in tests). */
  readonly webPort: () => number;
  readonly logger: Logger;
  /** After a failure, the next try (HA restarting, Core down): a minute. */
  readonly retryMs?: number;
  readonly coreTimeoutMs?: number;
}

export class LiveEntities implements Lifecycle {
  private remembered: RememberedEntries = {};
  private readonly file: string;
  private readonly failures: RateLimitedLog;
  private readonly retryMs: number;
  private readonly api: CoreApi;
  private readonly stopping = new AbortController();
  private unsubscribes: Unsubscribe[] = [];
  private hostname: string | undefined;
  private noCoreApi = false;
  private problem: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Cameras whose entry the user asked for, applied at the next full pass. */
  private readonly requested = new Set<string>();
  private pending = false;
  private pendingFull = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: LiveEntitiesOptions) {
    this.file = path.join(options.dataDir, LIVE_ENTITIES_FILE);
    this.retryMs = options.retryMs ?? 60_000;
    this.failures = new RateLimitedLog(options.logger, { intervalMs: 60_000 });
    this.api = new CoreApi(options.supervisor, { timeoutMs: options.coreTimeoutMs, signal: this.stopping.signal });
  }

  /** HA Core calls made so far (for the figures in the closing note and the tests). */
  get coreCalls(): number {
    return this.api.calls;
  }

  start(): Promise<void> {
    this.remembered = this.load();
    const { registry } = this.options;
    this.unsubscribes = [
      // Every (re)connection: cheap when the camera has its record (no call at all).
      registry.on('online', () => this.kick(false)),
      // A camera without an entry yet is made under its name: a rename before that counts.
      registry.on('name', (camera) => {
        if (camera.registered && this.remembered[camera.id] === undefined) this.kick(false);
      }),
      registry.on('removed', (id) => {
        if (this.remembered[id] !== undefined) this.kick(false);
      }),
    ];
    this.kick(true);
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    clearTimeout(this.retryTimer);
    this.stopping.abort();
    await this.running;
  }

  /** Resolves when no pass runs or waits (tests, the panel's button). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  view(id: string): LiveEntityView {
    if (this.noCoreApi) return { state: 'unavailable', reason: 'no-core-api' };
    if (this.hostname === undefined && this.problem === undefined) return { state: 'unavailable', reason: 'starting' };
    const record = this.remembered[id];
    return {
      state: entityState(record, this.options.automatic),
      ...(record?.status === 'created' ? { entryId: record.entryId } : {}),
      ...(this.problem === undefined ? {} : { problem: this.problem }),
    };
  }

  /**
   * The panel's button: make the camera's entry now, also one the user deleted in HA. Resolves
   * with the view once the pass is over (HA fetches both URLs first: seconds).
   */
  async request(id: string): Promise<LiveEntityView> {
    const camera = this.options.registry.get(id);
    // The route answers 409 before this; a camera that never registered has no URLs HA could open.
    if (!camera?.registered) throw new Error(`camera ${id} has not been online yet`);
    if (this.noCoreApi) return this.view(id);
    this.requested.add(id);
    this.kick(true, true);
    await this.idle();
    return this.view(id);
  }

  /**
   * Runs a pass now, or after the one running. While a failure's retry waits, events (cameras
   * reconnecting) do not call HA again before it; only the user's button does.
   */
  private kick(full: boolean, now = false): void {
    if (this.stopped || this.noCoreApi) return;
    this.pendingFull ||= full;
    if (this.retryTimer !== undefined && !now) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pending = true;
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (this.pending && !this.stopped) {
      const full = this.pendingFull;
      this.pending = false;
      this.pendingFull = false;
      try {
        await this.pass(full);
      } catch (error) {
        // What came in meanwhile waits for the retry (the pending flags stay).
        if (!this.stopped) this.failed(error);
        return;
      }
    }
  }

  /** A failed pass: one line a minute at most, the next try in retryMs, a full pass then. */
  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.problem = message;
    this.failures.warn(
      'core',
      { err: message, retryInSeconds: Math.round(this.retryMs / 1000) },
      `live camera entities: ${message}; trying again in ${Math.round(this.retryMs / 1000)} s`,
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(true, true), this.retryMs);
    this.retryTimer.unref();
  }

  private async identity(): Promise<string | undefined> {
    if (this.hostname !== undefined) return this.hostname;
    const identity = await fetchAddonIdentity(this.options.supervisor).catch((error: unknown) => {
      throw new CoreApiError(`cannot read the add-on's hostname from the Supervisor (${errorMessage(error)})`, 'unreachable');
    });
    if (!identity.homeassistantApi) {
      this.noCoreApi = true;
      this.options.logger.warn(
        "live camera entities are off: the add-on may not use Home Assistant Core's API (homeassistant_api is not granted); cameras, the dashboard and MQTT work as before",
      );
      return undefined;
    }
    this.hostname = identity.hostname;
    return identity.hostname;
  }

  private target(hostname: string): string {
    return targetOf(`${hostname}:${this.options.webPort()}`, createHash('sha256').update(this.options.mediaKey).digest('hex').slice(0, 16));
  }

  private cameras(): LiveCamera[] {
    return this.options.registry
      .list()
      .filter((camera) => camera.registered)
      .map((camera) => ({ id: camera.id, title: entryTitle(camera.id, camera.name), online: camera.online }));
  }

  private async pass(full: boolean): Promise<void> {
    const hostname = await this.identity();
    if (hostname === undefined) return;
    const target = this.target(hostname);
    let entries: MjpegEntry[] | undefined;
    if (full) {
      entries = await this.api.listMjpegEntries();
      for (const id of [...this.requested]) {
        if (this.options.registry.get(id)?.registered) this.remember(requestEntry(this.remembered, id, entries, target));
        this.requested.delete(id);
      }
    }
    const input = { cameras: this.cameras(), remembered: this.remembered, target, automatic: this.options.automatic };
    let plan = planPass({ ...input, entries });
    if (plan.needsList) plan = planPass({ ...input, entries: await this.api.listMjpegEntries() });
    for (const id of plan.deletedByUser) {
      this.options.logger.info(
        { camera: id },
        `its live camera entry was deleted in Home Assistant; it stays deleted (the dashboard's "Show live in Home Assistant" adds it again)`,
      );
    }
    this.remember(plan.remembered);
    let skipped: string | undefined;
    for (const action of plan.actions) {
      if (this.stopped) return;
      const refused = await this.run(action, hostname, target);
      skipped ??= refused;
    }
    if (skipped !== undefined) throw new Error(skipped);
    this.problem = undefined;
  }

  /** One action; HA's refusal of one camera is returned (the others still go), Core failures throw. */
  private async run(action: LiveAction, hostname: string, target: string): Promise<string | undefined> {
    const { logger } = this.options;
    const id = action.cameraId;
    if (action.kind === 'delete') {
      const result = await this.api.deleteEntry(action.entryId);
      this.remember(afterDeleted(this.remembered, id, action.then));
      logger.info(
        { camera: id, entryId: action.entryId },
        action.then === 'forget'
          ? `its live camera entry was ${result === 'deleted' ? 'deleted' : 'already gone'} in Home Assistant (camera forgotten)`
          : `replacing its live camera entry (the add-on's hostname or media key changed)`,
      );
      return undefined;
    }
    const base = `http://${hostname}:${this.options.webPort()}/api/cameras/${encodeURIComponent(id)}`;
    const key = encodeURIComponent(this.options.mediaKey);
    const outcome = await this.api.createMjpegEntry({
      name: action.title,
      mjpeg_url: `${base}/stream?key=${key}`,
      still_image_url: `${base}/snapshot?key=${key}`,
      password: '',
      verify_ssl: false,
    });
    if (outcome.outcome === 'created') {
      this.remember(afterCreated(this.remembered, id, outcome.entryId, target));
      logger.info({ camera: id, entryId: outcome.entryId }, `live camera "${action.title}" added to Home Assistant`);
      return undefined;
    }
    if (outcome.outcome === 'already_configured') {
      const entries = await this.api.listMjpegEntries();
      this.remember(afterAlreadyConfigured(this.remembered, id, action.title, entries, target));
      const record = this.remembered[id];
      logger.info(
        { camera: id },
        record?.status === 'created'
          ? `Home Assistant already had its live camera entry; the add-on takes it over`
          : `Home Assistant already has an MJPEG camera for its URL (added by hand?); the add-on leaves it alone`,
      );
      return undefined;
    }
    if (outcome.outcome === 'errors') {
      const fields = Object.entries(outcome.errors)
        .map(([field, error]) => `${error} on ${field}`)
        .join(', ');
      return `Home Assistant refused the live camera of ${id} (${fields}): can HA Core reach ${hostname}:${this.options.webPort()}?`;
    }
    return `Home Assistant ended the live camera flow of ${id}: ${outcome.reason}`;
  }

  private remember(next: RememberedEntries): void {
    if (next === this.remembered) return;
    const before = stateFileText(this.remembered);
    this.remembered = next;
    const text = stateFileText(next);
    if (text === before) return;
    try {
      writeFileAtomic(this.file, text);
    } catch (error) {
      this.failures.warn('save', { file: this.file, err: errorMessage(error) }, `cannot save ${this.file}: ${errorMessage(error)}`);
    }
  }

  private load(): RememberedEntries {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn(
          { file: this.file, err: errorMessage(error) },
          `cannot read ${this.file}; starting with no live camera entries remembered`,
        );
      }
      return {};
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.options.logger.warn(
        { file: this.file },
        `${this.file} is not valid JSON (${errorMessage(error)}); starting with no live camera entries remembered`,
      );
      return {};
    }
    const parsed = parseStateFile(json, this.options.maxCameras);
    const [first] = parsed.problems;
    if (first !== undefined) {
      const more = parsed.problems.length - 1;
      this.options.logger.warn(
        { file: this.file, problems: parsed.problems.slice(0, 20) },
        `${this.file}: ${first}, dropped${more > 0 ? ` (and ${more} more dropped)` : ''}`,
      );
    }
    return parsed.remembered;
  }
}
