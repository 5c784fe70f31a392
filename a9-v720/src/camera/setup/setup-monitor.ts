/**
 * Runs the setup diagnosis: asks DNS at start, every ten minutes and on the user's request (at
 * most once per `dnsMinIntervalMs`, one run at a time: the request is reachable from the panel,
 * and nobody may turn it into a DNS flood), re-evaluates every few seconds, and says what
 * changed: one log line per new or solved problem (with a budget, since made-up camera ids can
 * create problems at will) and an event for the Home Assistant problem sensor.
 */
import type { Logger } from '../../log.js';
import type { Lifecycle } from '../../util/lifecycle.js';
import { Listeners, type Unsubscribe } from '../../util/listeners.js';
import { TokenBuckets } from '../../util/token-bucket.js';
import type { CameraRegistry } from '../registry.js';
import { DEFAULT_SETUP_TIMING, diagnose, type PortsInput, type Problem, type SetupReport, type SetupTiming } from './diagnosis.js';
import { lookupCameraNames, type DnsAnswer, type DnsResolver } from './dns-check.js';
import type { JourneyBook } from './journey.js';

export interface SetupMonitorTiming extends SetupTiming {
  readonly evaluateEveryMs: number;
  readonly dnsEveryMs: number;
  /** A DNS run on request at most this often; requests in between get the last answers. */
  readonly dnsMinIntervalMs: number;
}

export const DEFAULT_MONITOR_TIMING: SetupMonitorTiming = {
  ...DEFAULT_SETUP_TIMING,
  evaluateEveryMs: 5_000,
  dnsEveryMs: 10 * 60_000,
  dnsMinIntervalMs: 10_000,
};

/** Problem texts shown as the sensor's `problems` attribute at most (the rest is counted in the summary). */
export const MAX_STATUS_PROBLEMS = 20;
/** New-problem lines per evaluation at most; the rest become one "and N more" line. */
const MAX_LINES_PER_CHANGE = 10;

/** What Home Assistant's problem sensor shows. */
export interface SetupStatus {
  /** Some problem is an error. */
  readonly problem: boolean;
  readonly problems: readonly string[];
  readonly summary: string;
}

export interface SetupMonitorDeps {
  readonly registry: CameraRegistry;
  readonly journeys: JourneyBook;
  readonly resolver: DnsResolver;
  readonly logger: Logger;
  /** Every address of this host; read at each evaluation. */
  readonly thisHost: () => readonly string[];
  readonly cameraAddress: () => string;
  /** Known once the listeners are bound. */
  readonly ports: () => PortsInput;
  readonly timing?: Partial<SetupMonitorTiming>;
  readonly now?: () => number;
}

type SetupEvents = { changed: [status: SetupStatus] };

export function statusOf(report: SetupReport): SetupStatus {
  const texts = report.problems.map((p) => `${p.text} (${p.docs.section})`);
  const shown = texts.slice(0, MAX_STATUS_PROBLEMS);
  const more = texts.length - shown.length;
  return { problem: report.problem, problems: more > 0 ? [...shown, `… and ${more} more`] : shown, summary: report.summary };
}

export class SetupMonitor implements Lifecycle {
  private readonly timing: SetupMonitorTiming;
  private readonly now: () => number;
  private readonly listeners = new Listeners<SetupEvents>();
  private dns: { checkedAt: number; answers: readonly DnsAnswer[] } | undefined;
  private dnsRun: Promise<void> | undefined;
  private dnsStartedAt = Number.NEGATIVE_INFINITY;
  private evaluateTimer: NodeJS.Timeout | undefined;
  private dnsTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The problems last logged, by key (undefined until the first DNS check logged them all). */
  private logged: Map<string, Problem> | undefined;
  private lastStatus = '';
  private current: SetupStatus | undefined;
  private readonly lineBudget = new TokenBuckets({ capacity: 30, refillPerSecond: 30 / 600 }, 1);
  private suppressedLines = 0;

  constructor(private readonly deps: SetupMonitorDeps) {
    this.timing = { ...DEFAULT_MONITOR_TIMING, ...deps.timing };
    this.now = deps.now ?? Date.now;
  }

  /** Starts the first DNS check (not awaited: start-up does not wait for DNS) and the timers. */
  start(): Promise<void> {
    this.stopped = false;
    void this.runDns().then(() => this.evaluate());
    this.evaluateTimer = setInterval(() => this.evaluate(), this.timing.evaluateEveryMs);
    this.evaluateTimer.unref();
    this.dnsTimer = setInterval(() => void this.runDns(), this.timing.dnsEveryMs);
    this.dnsTimer.unref();
    return Promise.resolve();
  }

  /** A DNS run still under way is not waited for (it may take seconds); its answers are dropped. */
  stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.evaluateTimer);
    clearInterval(this.dnsTimer);
    return Promise.resolve();
  }

  /** `changed` fires when the sensor's state, texts or summary change. */
  on(event: 'changed', listener: (status: SetupStatus) => void): Unsubscribe {
    return this.listeners.on(event, listener);
  }

  /** The diagnosis as of now. */
  report(): SetupReport {
    const { registry, journeys } = this.deps;
    return diagnose({
      now: this.now(),
      thisHost: this.deps.thisHost(),
      cameraAddress: this.deps.cameraAddress(),
      ...(this.dns ? { dns: this.dns } : {}),
      ports: this.deps.ports(),
      cameras: registry.list().map((camera) => {
        const journey = journeys.get(camera.id);
        return { ...camera, ...(journey ? { journey } : {}) };
      }),
      timing: this.timing,
    });
  }

  /** The status of the last evaluation (every few seconds): cheap enough for every MQTT state publish. */
  status(): SetupStatus {
    this.current ??= statusOf(this.report());
    return this.current;
  }

  /**
   * Asks DNS again unless a run is under way (then its answers are awaited) or the last one
   * started less than `dnsMinIntervalMs` ago. `refreshed`: whether this call ran or joined one.
   */
  async refresh(): Promise<{ report: SetupReport; refreshed: boolean }> {
    const running = this.dnsRun;
    const fresh = this.now() - this.dnsStartedAt < this.timing.dnsMinIntervalMs;
    if (running) await running;
    else if (!fresh) await this.runDns();
    this.evaluate();
    return { report: this.report(), refreshed: running !== undefined || !fresh };
  }

  private runDns(): Promise<void> {
    if (this.dnsRun) return this.dnsRun;
    this.dnsStartedAt = this.now();
    const run = lookupCameraNames(this.deps.resolver).then((answers) => {
      this.dns = { checkedAt: this.now(), answers };
      this.deps.logger.debug(
        { answers: answers.map((a) => ({ name: a.name, ...a.outcome })) },
        `setup: DNS answered for ${answers.length} camera host names`,
      );
    });
    this.dnsRun = run.finally(() => {
      this.dnsRun = undefined;
    });
    return this.dnsRun;
  }

  /** Compares with what was logged and said, logs the difference, tells the listeners. */
  private evaluate(): void {
    if (this.stopped || !this.dns) return;
    const report = this.report();
    this.logChanges(report.problems);
    const status = statusOf(report);
    this.current = status;
    const json = JSON.stringify(status);
    if (json !== this.lastStatus) {
      this.lastStatus = json;
      this.listeners.emit('changed', status);
    }
  }

  private logChanges(problems: readonly Problem[]): void {
    const { logger } = this.deps;
    const first = this.logged === undefined;
    const before = this.logged ?? new Map<string, Problem>();
    const now = new Map(problems.map((p) => [p.key, p]));
    this.logged = now;
    if (first && problems.length === 0) {
      logger.info('setup check: no problems found (DNS, ports, cameras)');
      return;
    }
    const added = problems.filter((p) => !before.has(p.key));
    const solved = [...before.values()].filter((p) => !now.has(p.key));
    let lines = 0;
    for (const problem of added) {
      if (lines >= MAX_LINES_PER_CHANGE || !this.takeLine()) continue;
      lines++;
      const fields = { problem: problem.key, severity: problem.severity, docs: problem.docs.anchor, camera: problem.camera };
      const text = `setup ${problem.severity}: ${problem.text} (see ${problem.docs.section})`;
      if (problem.severity === 'error') logger.warn(fields, text);
      else logger.info(fields, text);
    }
    for (const problem of solved) {
      if (lines >= MAX_LINES_PER_CHANGE || !this.takeLine()) continue;
      lines++;
      logger.info({ problem: problem.key, camera: problem.camera }, `setup problem solved: ${problem.text}`);
    }
    const left = added.length + solved.length - lines + this.suppressedLines;
    if (left > 0 && this.takeLine()) {
      logger.info({ more: left }, `setup: ${left} more change(s) to the problem list not logged; the panel's Setup view lists them all`);
      this.suppressedLines = 0;
    } else if (left > 0) {
      this.suppressedLines = left;
    }
  }

  private takeLine(): boolean {
    return this.lineBudget.take('setup');
  }
}
