/**
 * One logging convention (README, "Architecture"), checked on the source: the camera id is the
 * field `camera` (set once by a camera's child logger where a part is camera-scoped), messages do
 * not repeat it, and every "N more like it" comes from RateLimitedLog.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { conventionProblems, OLD_COUNT_WORDINGS, scanLogCalls } from '../support/log-calls.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const HELPER = 'util/rate-limited-log.ts';

const sources = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts'))
  .sort()
  .map((file) => path.join(SRC, file));

describe('the logging convention', () => {
  const scan = scanLogCalls(sources, SRC);

  it('is checked on every log call of the source (the scan finds them by type, not by name)', () => {
    assert.ok(scan.calls.length > 100, `only ${scan.calls.length} log calls found`);
    assert.ok(scan.calls.filter((call) => call.via === 'rate-limited').length >= 20, 'the rate-limited lines are among them');
    assert.ok(scan.calls.filter((call) => call.cameraField !== undefined).length >= 20, 'lines with a camera field are among them');
    // The camera-scoped parts log through a child logger bound to the camera once.
    const cameraChildren = new Set(scan.children.filter((child) => child.fields.includes('camera')).map((child) => child.file));
    for (const file of ['camera/session-manager.ts', 'media/media-hub.ts', 'media/motion/motion-monitor.ts'])
      assert.ok(cameraChildren.has(file), `${file} makes a camera's child logger`);
  });

  it('camera id in the field `camera`, not in the text; held-back counts only from RateLimitedLog', () => {
    assert.deepEqual(conventionProblems(scan), []);
  });

  it('no other file words a count of held-back lines', () => {
    const offenders = sources
      .filter((file) => path.relative(SRC, file) !== HELPER)
      .filter((file) => OLD_COUNT_WORDINGS.test(readFileSync(file, 'utf8')) || /\bsuppressed\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(SRC, file));
    assert.deepEqual(offenders, []);
    assert.match(readFileSync(path.join(SRC, HELPER), 'utf8'), OLD_COUNT_WORDINGS, 'the helper has the one wording');
  });

  it('catches each kind of breach (the check is not vacuous)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'log-convention-'));
    try {
      const file = path.join(dir, 'breaches.ts');
      const log = path.join(SRC, 'log.js');
      const limited = path.join(SRC, 'util', 'rate-limited-log.js');
      writeFileSync(
        file,
        [
          `import type { Logger } from ${JSON.stringify(log)};`,
          `import { RateLimitedLog } from ${JSON.stringify(limited)};`,
          'export function breaches(anyName: Logger, id: string, n: number): void {',
          "  anyName.info({ cameraId: id }, 'opened');",
          '  anyName.warn(`camera ${id} went offline`);',
          '  anyName.child({ part: "x" }).info({ camera: id, ip: "1.2.3.4" }, `registered as ${id} from 1.2.3.4`);',
          '  anyName.warn({ suppressed: n }, `junk${n ? ` (${n} more since the last line)` : ""}`);',
          '  new RateLimitedLog(anyName).warn("k", {}, `probe from camera ${id}`);',
          '  anyName.child({ cameraId: id }).info("fine text");',
          "  anyName.info({ camera: id }, 'fine');",
          '}',
        ].join('\n'),
      );
      const found = scanLogCalls([file], dir);
      assert.equal(found.calls.length, 7);
      assert.deepEqual(
        conventionProblems(found).map((problem) => problem.replace(/^breaches\.ts:(\d+): (.{0,40}).*$/, '$1 $2')),
        [
          '4 log field cameraId (the camera id is the',
          '5 "camera ${id}" in the message (the id go',
          '6 the message repeats the camera field (${',
          '7 a hand-made suppressed count (use RateLi',
          '7 a count of held-back lines worded by han',
          '8 "camera ${id}" in the message (the id go',
          '9 child logger bound to cameraId (use `cam',
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
