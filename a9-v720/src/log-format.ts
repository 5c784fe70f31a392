/**
 * The human log line: one per event, the way zigbee2mqtt's and bashio's lines read in the
 * add-on's Log tab —
 *
 *   2026-11-27 11:40:02.123 INFO  [camera 0800c00128F8 "Garden"] in command mode (UDP 192.168.1.50:41234)
 *
 * The bracket is the part and the line's `camera` (with its name): messages leave the id out.
 * Built from the JSON line pino writes, so both formats carry the same events. Strings may come
 * from cameras on the LAN: control characters are escaped (one event stays one line, no terminal
 * escapes reach the log) and very long messages are cut.
 */
import type { DestinationStream } from 'pino';

export const LOG_FORMATS = ['human', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVEL_LABELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A message longer than this is cut: a LAN device must not be able to flood the log. */
export const MAX_MESSAGE_CHARS = 2000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time (the add-on's TZ, which the Supervisor sets), to the millisecond. */
export function formatTime(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

/** Control characters (C0, DEL, C1) and line/paragraph separators as visible escapes. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = char.charCodeAt(0);
        return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
      }
    }
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One pino JSON line → one human line (with its newline). Unparseable input is shown escaped. */
export function formatHumanLine(jsonLine: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(jsonLine);
  } catch {
    return `${escapeControl(jsonLine.trimEnd())}\n`;
  }
  if (!isRecord(entry)) return `${escapeControl(jsonLine.trimEnd())}\n`;
  const time = typeof entry['time'] === 'string' || typeof entry['time'] === 'number' ? new Date(entry['time']) : new Date();
  const level = LEVEL_LABELS[Number(entry['level'])] ?? (typeof entry['level'] === 'string' ? entry['level'].toUpperCase() : '?');
  const part = typeof entry['part'] === 'string' ? entry['part'] : 'main';
  const cameraField = entry['camera'];
  const name = typeof entry['cameraName'] === 'string' ? ` "${entry['cameraName']}"` : '';
  const camera = typeof cameraField === 'string' ? ` ${cameraField}${name}` : '';
  const err = isRecord(entry['err']) ? entry['err'] : undefined;
  let message = typeof entry['msg'] === 'string' ? entry['msg'] : typeof err?.['message'] === 'string' ? err['message'] : '';
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length} characters)`;
  // An Error logged as `err` keeps its stack in human form too, indented on one line each frame.
  const stack =
    typeof err?.['stack'] === 'string' && Number(entry['level']) >= 50
      ? ` | ${err['stack']
          .split('\n')
          .slice(1, 6)
          .map((l) => l.trim())
          .join(' | ')}`
      : '';
  return `${formatTime(time)} ${level.padEnd(5)} [${escapeControl(part)}${escapeControl(camera)}] ${escapeControl(message)}${escapeControl(stack)}\n`;
}

/**
 * A synchronous pino destination writing human lines to `out` (stdout by default). Synchronous
 * on purpose: the last lines before exit (shutdown, fatal start-up errors) must not be lost.
 */
export class HumanLogDestination implements DestinationStream {
  constructor(private readonly out: { write(text: string): unknown }) {}

  write(chunk: string): void {
    // pino writes one JSON line per call; split anyway in case a caller batches.
    for (const line of chunk.split('\n')) {
      if (line.trim() !== '') this.out.write(formatHumanLine(line));
    }
  }
}
