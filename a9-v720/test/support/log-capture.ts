/** A pino logger whose lines the test can read back and search. */
import { Writable } from 'node:stream';
import { CameraNames, createLogger, type Logger, type LogLevel } from '../../src/log.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CapturedLog {
  logger: Logger;
  /** The logger's camera-name lookup (an App connects its registry to it). */
  names: CameraNames;
  lines: LogLine[];
  /** Lines at warn (40) or above. */
  problems(): LogLine[];
  find(pattern: RegExp): LogLine | undefined;
  /** The first line about `camera` (its `camera` field) whose message matches. */
  about(camera: string, pattern: RegExp): LogLine | undefined;
}

export function captureLog(level: LogLevel = 'debug'): CapturedLog {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  const names = new CameraNames();
  const logger = createLogger(level, sink, names);
  return {
    logger,
    names,
    lines,
    problems: () => lines.filter((line) => line.level >= 40),
    find: (pattern) => lines.find((line) => pattern.test(line.msg)),
    about: (camera, pattern) => lines.find((line) => line['camera'] === camera && pattern.test(line.msg)),
  };
}
