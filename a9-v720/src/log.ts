import { pino, type DestinationStream, type Logger } from 'pino';
import { sanitizeLogFields, sanitizeLogText } from './util/log-text.js';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * One structured line per event. The add-on log is read by users in HA's log tab, so keep
 * `msg` self-explaining and put camera id / peer address in fields *and* in the text.
 * Every string of every line is sanitised (see log-text.ts): much of it comes from the LAN.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...args: unknown[]) => void): void {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? sanitizeLogText(arg) : sanitizeLogFields(arg))),
        );
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
