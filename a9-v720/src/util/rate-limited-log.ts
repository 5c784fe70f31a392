import type { Logger } from '../log.js';

/**
 * Junk from one source (a misbehaving device, a port scan) must not flood the add-on log,
 * yet the first occurrence must be visible. Logs once per key per interval and counts the rest.
 */
export class RateLimitedLog {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls `emit` with the count suppressed since the last line, or not at all. */
  maybe(key: string, emit: (suppressed: number) => void): void {
    const now = this.now();
    const entry = this.lastLogged.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    if (!entry && this.lastLogged.size >= this.maxKeys) {
      // Forget the oldest key so a scan over many source ports cannot grow this map.
      const oldest = this.lastLogged.keys().next().value;
      if (oldest !== undefined) this.lastLogged.delete(oldest);
    }
    this.lastLogged.delete(key);
    this.lastLogged.set(key, { at: now, suppressed: 0 });
    emit(entry?.suppressed ?? 0);
  }
}

/**
 * Warnings any LAN host can trigger at will (junk, made-up ids, idle sockets): one line per
 * kind and minute, with the count of the others, however many addresses and ports send them.
 */
export type KindWarn = (kind: string, fields: Record<string, unknown>, message: string) => void;

export function kindWarn(logger: Logger, intervalMs = 60_000): KindWarn {
  const log = new RateLimitedLog(intervalMs);
  return (kind, fields, message) =>
    log.maybe(kind, (suppressed) =>
      logger.warn({ ...fields, suppressed }, `${message}${suppressed ? ` (${suppressed} more like it since the last such line)` : ''}`),
    );
}
