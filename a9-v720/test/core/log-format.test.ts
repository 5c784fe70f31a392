/** The human log line: format, escaping of LAN-sent text, and the real process printing it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { CameraNames, createLogger, type LogLevel } from '../../src/log.js';
import { escapeControl, formatHumanLine, formatTime, MAX_MESSAGE_CHARS } from '../../src/log-format.js';
import { freePort } from '../support/mosquitto.js';
import { NO_DNS } from '../support/no-dns.js';

const LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \[([^\]]*)\] (.*)$/;

/** A logger in the given format whose output the test reads back as text. */
function textLogger(format: 'human' | 'json', level: LogLevel = 'trace', names?: CameraNames) {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  // pino writes synchronously to a plain stream's write(); the sink collects in order.
  const logger = createLogger(level, { write: (chunk: string) => sink.write(chunk) }, names, format);
  return { logger, text: () => text };
}

describe('human log lines', () => {
  it('one line per event: time, level, part, camera, message', async () => {
    const { logger, text } = textLogger('human');
    const cameraLog = logger.child({ part: 'camera' });
    cameraLog.info({ camera: '0800c00128F8', ip: '192.168.1.50' }, 'online from 192.168.1.50:40112');
    // A camera-scoped part's child logger carries the id; the message leaves it out.
    logger.child({ part: 'media' }).child({ camera: '0800c00128F8' }).warn('opening the media stream failed');
    // `camera` is the one field name: a `cameraId` field is not shown as the line's camera.
    logger.child({ part: 'media' }).info({ cameraId: 'OTHER' }, 'not about a camera');
    logger.info('A9 V720 server listening');
    logger.debug('debug line');
    logger.trace('trace line');
    logger.error('error line');
    logger.fatal('fatal line');
    await new Promise((resolve) => setImmediate(resolve));
    const lines = text().split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    assert.equal(lines.length, 8);
    const parsed = lines.map((line) => LINE.exec(line));
    for (const [i, match] of parsed.entries()) assert.ok(match, `not a human line: ${lines[i]}`);
    assert.deepEqual(
      parsed.map((m) => [m?.[2], m?.[3], m?.[4]]),
      [
        ['INFO ', 'camera 0800c00128F8', 'online from 192.168.1.50:40112'],
        ['WARN ', 'media 0800c00128F8', 'opening the media stream failed'],
        ['INFO ', 'media', 'not about a camera'],
        ['INFO ', 'main', 'A9 V720 server listening'],
        ['DEBUG', 'main', 'debug line'],
        ['TRACE', 'main', 'trace line'],
        ['ERROR', 'main', 'error line'],
        ['FATAL', 'main', 'fatal line'],
      ],
    );
    // The time is this machine's local time, close to now.
    const stamp = parsed[0]?.[1] ?? '';
    assert.ok(Math.abs(new Date(stamp.replace(' ', 'T')).getTime() - Date.now()) < 60_000, stamp);
  });

  it('a named camera shows its name after the id', async () => {
    const names = new CameraNames();
    names.use((id) => (id === '0800c00128F8' ? 'Garden' : undefined));
    const { logger, text } = textLogger('human', 'info', names);
    logger.child({ part: 'camera' }).info({ camera: '0800c00128F8' }, 'online from 192.168.1.50:40112');
    // Bound by a child logger, the camera is named just the same.
    logger.child({ part: 'motion' }).child({ camera: '0800c00128F8' }).info('motion detected');
    logger.child({ part: 'motion' }).child({ camera: 'UNNAMED' }).info('motion detected');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      text()
        .split('\n')
        .slice(0, 3)
        .map((line) => line.slice(24)),
      [
        'INFO  [camera 0800c00128F8 "Garden"] online from 192.168.1.50:40112',
        'INFO  [motion 0800c00128F8 "Garden"] motion detected',
        'INFO  [motion UNNAMED] motion detected',
      ],
    );
  });

  it('text sent by a camera cannot forge a line or reach the terminal as escapes', async () => {
    const { logger, text } = textLogger('human');
    const evil = 'x\n2026-01-01 00:00:00.000 ERROR [mqtt] forged\r\u001b[31mred\u0007\u2028\u202etxt\u0085';
    logger.child({ part: 'http' }).warn({ camera: `id\n${evil}` }, `unknown HTTP path ${evil}`);
    await new Promise((resolve) => setImmediate(resolve));
    const out = text();
    assert.equal(out.split('\n').length, 2, `one line only: ${JSON.stringify(out)}`);
    // eslint-disable-next-line no-control-regex -- looking for raw control characters is the point
    assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202e]/.test(out), `raw control characters in ${JSON.stringify(out)}`);
    assert.match(out, /forged/);
    assert.match(out, /WARN {2}\[http id/);
  });

  it('formats a pino line directly: err-only message, stack of errors, long messages cut, junk escaped', () => {
    const time = '2026-11-27T11:40:02.123Z';
    assert.match(
      formatHumanLine(
        JSON.stringify({ level: 50, time, err: { message: 'boom', stack: 'Error: boom\n    at a (x.ts:1)\n    at b (y.ts:2)' } }),
      ),
      /ERROR \[main\] boom \| at a \(x\.ts:1\) \| at b \(y\.ts:2\)\n$/,
    );
    const long = formatHumanLine(JSON.stringify({ level: 30, time, msg: 'a'.repeat(MAX_MESSAGE_CHARS + 500) }));
    assert.ok(long.length < MAX_MESSAGE_CHARS + 100, `the long message is cut, got ${long.length} characters`);
    assert.match(long, /… \(2500 characters\)\n$/);
    assert.equal(formatHumanLine('not json\u001b[2J'), 'not json\\x1b[2J\n');
    assert.equal(escapeControl('a\tb\u0000\u2029'), 'a\\tb\\x00\\u2029');
    assert.equal(formatTime(new Date(2026, 0, 2, 3, 4, 5, 6)), '2026-01-02 03:04:05.006');
  });

  it('json stays available: one JSON object per line with the same fields', async () => {
    const { logger, text } = textLogger('json');
    logger.child({ part: 'camera' }).info({ camera: '0800c00128F8' }, 'online from 192.168.1.50:40112');
    await new Promise((resolve) => setImmediate(resolve));
    const entry = JSON.parse(text().trim()) as Record<string, unknown>;
    assert.equal(entry['level'], 30);
    assert.equal(entry['part'], 'camera');
    assert.equal(entry['camera'], '0800c00128F8');
    assert.equal(entry['msg'], 'online from 192.168.1.50:40112');
  });

  it('the demo prints readable lines (and log_format: json switches to JSON)', async () => {
    for (const format of ['human', 'json'] as const) {
      const dir = mkdtempSync(path.join(tmpdir(), 'a9-logfmt-'));
      const optionsFile = path.join(dir, 'options.yaml');
      const [http, tcp, web] = [await freePort(), await freePort(), await freePort()];
      writeFileSync(optionsFile, `http_port: ${http}\ntcp_port: ${tcp}\nweb_port: ${web}\nlog_format: ${format}\n`);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/main.ts', '--demo', '1', '--options', optionsFile, '--data-dir', dir, '--dns-server', NO_DNS],
        {
          cwd: new URL('../../', import.meta.url),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const lines: string[] = [];
      child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString('utf8')}`));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "demo mode" line in 60 s:\n${lines.join('\n')}`)), 60_000);
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          if (/demo mode: 1 of 1 simulated cameras connected/.test(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // Clean shutdown on SIGTERM is tested in robustness/process-faults; here only the lines count.
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      assert.ok(lines.length >= 3, `at least 3 log lines, got ${lines.length}`);
      for (const line of lines) {
        if (format === 'human') assert.match(line, LINE);
        else assert.equal(typeof (JSON.parse(line) as { msg?: unknown }).msg, 'string', line);
      }
    }
  });
});
