/**
 * The one start/stop shape of a long-lived part (servers, the MQTT bridge, the store, the motion
 * monitor, timers), and the ordered list that starts parts one after another and stops them in
 * reverse: a part is only stopped after every part started later than it (its users).
 */
import type { Unsubscribe } from './listeners.js';
import { errorMessage } from './error-message.js';
import { StartupError } from '../errors.js';

export interface Lifecycle {
  /** Opens what the part needs; throws (after cleaning up after itself) when it cannot. */
  start(): Promise<void>;
  /** Releases everything start() took. Called at most once after a successful start. */
  stop(): Promise<void>;
}

/**
 * Parts started in order. A start that fails stops the parts already started (in reverse) and
 * rejects with one StartupError naming the part. stop() stops every started part in reverse,
 * goes on past a part whose stop throws (reported once through `onStopError`), and is idempotent.
 */
export class StartedParts {
  private readonly started: Array<{ readonly name: string; readonly part: Lifecycle }> = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly onStopError: (name: string, error: Error) => void) {}

  get names(): string[] {
    return this.started.map((entry) => entry.name);
  }

  async start(name: string, part: Lifecycle): Promise<void> {
    if (this.stopping) throw new StartupError(`${name} was not started: the server is shutting down`);
    try {
      await part.start();
    } catch (error) {
      await this.stop();
      throw error instanceof StartupError ? error : new StartupError(`${name} could not start: ${errorMessage(error)}`, { cause: error });
    }
    this.started.push({ name, part });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (let entry = this.started.pop(); entry; entry = this.started.pop()) {
        try {
          await entry.part.stop();
        } catch (error) {
          this.onStopError(entry.name, error instanceof Error ? error : new Error(String(error)));
        }
      }
    })();
    return this.stopping;
  }
}

/** A part that is only subscriptions: made on start, each ended on stop. */
export function subscriptions(subscribe: () => Unsubscribe[]): Lifecycle {
  let active: Unsubscribe[] = [];
  return {
    start() {
      active = subscribe();
      return Promise.resolve();
    },
    stop() {
      for (const unsubscribe of active.splice(0)) unsubscribe();
      return Promise.resolve();
    },
  };
}

/** A part that runs `tick` every `everyMs` while started (never keeping the process alive). */
export function repeating(everyMs: number, tick: () => void): Lifecycle {
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer ??= setInterval(tick, everyMs);
      timer.unref();
      return Promise.resolve();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      return Promise.resolve();
    },
  };
}
