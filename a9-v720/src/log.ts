import { pino, type DestinationStream, type Logger } from 'pino';
import { sanitizeLogFields, sanitizeLogText } from './util/log-text.js';
import { HumanLogDestination, type LogFormat } from './log-format.js';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Camera id → the name the user gave it. The logger exists before the camera registry does, so
 * the composition root connects the registry once it is built.
 */
export class CameraNames {
  private source: ((cameraId: string) => string | undefined) | undefined;

  use(source: (cameraId: string) => string | undefined): void {
    this.source = source;
  }

  nameOf(cameraId: string): string | undefined {
    return this.source?.(cameraId);
  }
}

/**
 * One structured line per event. The add-on log is read by users in HA's log tab, so keep
 * `msg` self-explaining. The convention (test/core/log-convention.test.ts): the camera a line is
 * about is its `camera` field, set once by a camera-scoped part's child logger
 * (`logger.child({ camera: id })`) or passed with the line; the message does not repeat the id,
 * since the human format shows it in the prefix and the JSON has the field. Other context (peer
 * address, reason) goes in fields and, where a reader needs it, in the text.
 * Every string of every line is sanitised (see log-text.ts): much of it comes from the LAN.
 * With `names`, every line about a named camera also carries `cameraName`, whichever part logs
 * it and even right after a rename.
 * `format: 'human'` turns each line into the readable form of log-format.ts on the way out.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, names?: CameraNames, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
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
  if (names) {
    options.mixin = (fields: object, _level: number, logger: Logger) => {
      // The line's own `camera`, else the one its child logger was bound to.
      const own = (fields as { camera?: unknown }).camera;
      const bound: unknown = own === undefined ? logger.bindings()['camera'] : undefined;
      const id = typeof own === 'string' ? own : typeof bound === 'string' ? bound : undefined;
      const name = id === undefined ? undefined : names.nameOf(id);
      return name === undefined ? {} : { cameraName: name };
    };
  }
  if (format === 'human') return pino(options, new HumanLogDestination(destination ?? pino.destination({ dest: 1, sync: true })));
  return destination ? pino(options, destination) : pino(options);
}
