/**
 * Prints per-file mutation scores and the surviving mutants of a Stryker JSON report:
 *   node stryker/summary.mjs reports/mutation/protocol.json [--survivors]
 * Score as Stryker counts it: (killed + timeout) / (killed + timeout + survived + no coverage).
 */
import { readFileSync } from 'node:fs';

const [file, flag] = process.argv.slice(2);
if (!file) throw new Error('usage: node stryker/summary.mjs <report.json> [--survivors]');
const report = JSON.parse(readFileSync(file, 'utf8'));
const detected = new Set(['Killed', 'Timeout']);
const undetected = new Set(['Survived', 'NoCoverage']);
const rows = [];
const total = { detected: 0, undetected: 0, timeout: 0, all: 0 };
for (const [path, { mutants, source }] of Object.entries(report.files)) {
  const count = { detected: 0, undetected: 0, timeout: 0, all: mutants.length };
  for (const m of mutants) {
    if (detected.has(m.status)) count.detected++;
    if (undetected.has(m.status)) count.undetected++;
    if (m.status === 'Timeout') count.timeout++;
  }
  for (const key of Object.keys(total)) total[key] += count[key];
  rows.push([path, count]);
  if (flag === '--survivors') {
    const lines = source.split('\n');
    for (const m of mutants.filter((m) => undetected.has(m.status))) {
      const { line, column } = m.location.start;
      const original = lines[line - 1]?.trim().slice(0, 110);
      console.log(
        `${path}:${line}:${column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement).slice(0, 90)}\n    ${original}`,
      );
    }
  }
}
const pct = (c) => (c.detected + c.undetected === 0 ? 'n/a' : `${((100 * c.detected) / (c.detected + c.undetected)).toFixed(1)} %`);
for (const [path, c] of rows)
  console.log(`${pct(c).padStart(8)}  ${path}  (${c.all} mutants, ${c.undetected} undetected, ${c.timeout} timeouts)`);
console.log(`${pct(total).padStart(8)}  ALL  (${total.all} mutants, ${total.undetected} undetected, ${total.timeout} timeouts)`);
