/**
 * docs/protocol.md is the protocol the source cites by section: every `docs/protocol.md §N` in
 * the code must name a section that exists, and the example bytes the page shows must be what the
 * code sends (so the page cannot drift from the encoders without a test failing).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { encodePacket, Cmd, CAMERA_FORWARD_ID } from '../../src/protocol/header.js';
import { encodeHeartbeat, encodeRegisterOk } from '../../src/protocol/messages.js';
import { encodeRetransmitConfirm } from '../../src/protocol/retransmit.js';
import { ADDON_DIR, REPO_ROOT } from './supervisor-rules.js';

const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'protocol.md'), 'utf8');
const sections = new Set([...doc.matchAll(/^## §(\d+) /gm)].map((m) => Number(m[1])));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return /\.(ts|js|mjs|py)$/.test(entry.name) ? [full] : [];
  });
}

/** The page's hex for a byte string: header fields separated by spaces, as written in the page. */
const spaced = (bytes: Buffer, groups: readonly number[]): string => {
  const out: string[] = [];
  let at = 0;
  for (const size of groups) {
    out.push(bytes.subarray(at, at + size).toString('hex'));
    at += size;
  }
  return out.join(' ');
};
const HEADER_GROUPS = [4, 2, 1, 1, 8, 4];

test('sections §1–§9, in order', () => {
  assert.deepEqual([...sections], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('every reference in the source names a section of docs/protocol.md; none points at the old notes', () => {
  const self = new URL(import.meta.url).pathname;
  const sources = [...files(path.join(ADDON_DIR, 'src')), ...files(path.join(ADDON_DIR, 'test'))].filter((file) => file !== self);
  let references = 0;
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const relative = path.relative(ADDON_DIR, file);
    assert.doesNotMatch(text, /(?<!docs\/)PROTOCOL\.md/, `${relative} still cites PROTOCOL.md`);
    for (const match of text.matchAll(/docs\/protocol\.md ((?:§\d+(?:[–-]\d+)?(?:, | and )?)+)/g)) {
      for (const number of match[1]!.matchAll(/\d+/g)) {
        references++;
        assert.ok(sections.has(Number(number[0])), `${relative}: docs/protocol.md §${number[0]} does not exist`);
      }
    }
  }
  assert.ok(references >= 32, `the source cites the page (${references} section references)`);
});

test("the page's example bytes are what the encoders produce", () => {
  const examples: [string, string][] = [
    ['registration answer (§3)', `${spaced(encodeRegisterOk(), HEADER_GROUPS)} {"code":101,"status":200}`],
    ['server heartbeat (§3)', spaced(encodeHeartbeat(), HEADER_GROUPS)],
    [
      '605 confirm (§5)',
      `${spaced(encodeRetransmitConfirm(Array.from({ length: 26 }, (_, i) => 2802 + i)).subarray(0, 20), HEADER_GROUPS)} f20a0000 f30a0000`,
    ],
    ['AP session opener (§9)', `client: ${spaced(encodePacket({ cmd: Cmd.ApLiveSession }), HEADER_GROUPS)}`],
    ['AP echo (§9)', `camera: ${spaced(encodePacket({ cmd: Cmd.ApLiveSession, forwardId: CAMERA_FORWARD_ID }), HEADER_GROUPS)}`],
  ];
  for (const [what, text] of examples) assert.ok(doc.includes(text), `${what}: the page shows ${text}`);
  // 45 bytes, as the page says.
  assert.equal(encodeRegisterOk().length, 45);
});
