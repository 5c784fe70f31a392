import type { Logger, LogLevel } from '../log.js';

/**
 * Junk from one source (a misbehaving device, a port scan) must not flood the add-on log, yet the
 * first occurrence must be visible. One line per key per interval; the lines held back in between
 * are counted, and the next line of that key says how many, always in the same words (see
 * `moreLikeIt`) and in the `suppressed` field.
 */

/** How the next line of a key reports the lines held back since the last one: the one wording. */
export const moreLikeIt = (suppressed: number): string => (suppressed > 0 ? ` (${suppressed} more like it since the last such line)` : '');

export interface RateLimitOptions {
  /** At most one line per key this often. Default: a minute. */
  readonly intervalMs?: number;
  /** Keys remembered at once; beyond that the oldest is forgotten, so made-up keys cannot grow the map. */
  readonly maxKeys?: number;
  readonly now?: () => number;
  /**
   * Asked before each line a key lets through: a cap over all keys together, for keys anyone can
   * make up (ids). A line it refuses is lost, with the count it carried.
   */
  readonly budget?: () => boolean;
}

/** The counting behind RateLimitedLog: when a key may log again, and how many it held back. */
class KeyedLimits {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly budget: () => boolean;

  constructor(options: RateLimitOptions) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 1024;
    this.now = options.now ?? Date.now;
    this.budget = options.budget ?? (() => true);
  }

  /** The count held back since the key's last line if it may log now, else undefined (and one more held back). */
  take(key: string): number | undefined {
    const now = this.now();
    const entry = this.lastLogged.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    if (!entry && this.lastLogged.size >= this.maxKeys) {
      // Forget the oldest key so a scan over many source ports cannot grow this map.
      const oldest = this.lastLogged.keys().next().value;
      if (oldest !== undefined) this.lastLogged.delete(oldest);
    }
    this.lastLogged.delete(key);
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    return this.budget() ? (entry?.suppressed ?? 0) : undefined;
  }

  get size(): number {
    return this.lastLogged.size;
  }
}

/**
 * Lines any LAN host can trigger at will (junk, made-up ids, idle sockets) or that repeat while a
 * fault lasts: at most one per key and interval, whatever the level. The key says what counts as
 * "like it": a kind of junk, a camera id, or both (`kind:camera`).
 */
export class RateLimitedLog {
  private readonly limits: KeyedLimits;

  constructor(
    private readonly logger: Logger,
    options: RateLimitOptions | KeyedLimits = {},
  ) {
    this.limits = options instanceof KeyedLimits ? options : new KeyedLimits(options);
  }

  /** The same keys and counts, written through another logger (a camera's child logger, say). */
  through(logger: Logger): RateLimitedLog {
    return new RateLimitedLog(logger, this.limits);
  }

  /** Keys remembered now (at most `maxKeys`). */
  get keyCount(): number {
    return this.limits.size;
  }

  log(level: LogLevel, key: string, fields: Record<string, unknown>, message: string): void {
    const suppressed = this.limits.take(key);
    if (suppressed !== undefined) this.logger[level]({ ...fields, suppressed }, `${message}${moreLikeIt(suppressed)}`);
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    this.log('warn', key, fields, message);
  }

  info(key: string, fields: Record<string, unknown>, message: string): void {
    this.log('info', key, fields, message);
  }
}
