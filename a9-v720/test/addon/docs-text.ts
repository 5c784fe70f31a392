/**
 * The user documentation as the docs and recipe tests read it: DOCS.md and REFERENCE.md, their
 * fenced code blocks, and the sample values the recipes use (so a test can put a running
 * add-on's address, a camera id and the media key in their place). Pure parsing, no I/O beyond
 * reading the two files once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ADDON_DIR } from './supervisor-rules.js';

export const DOCS_FILE = path.join(ADDON_DIR, 'DOCS.md');
export const REFERENCE_FILE = path.join(ADDON_DIR, 'REFERENCE.md');
export const docsText = readFileSync(DOCS_FILE, 'utf8');
export const referenceText = readFileSync(REFERENCE_FILE, 'utf8');

/** The address, camera id and key placeholder every recipe in DOCS.md uses. */
export const SAMPLE = { host: '192.168.1.5', port: 1234, cameraId: '0800c00128F8', key: '<key>' } as const;
export const SAMPLE_BASE = `http://${SAMPLE.host}:${SAMPLE.port}/api/cameras/${SAMPLE.cameraId}/`;

export interface CodeBlock {
  readonly lang: string;
  readonly text: string;
}

/** A fenced code block; group 1 its indentation (inside a list item), 2 its language, 3 its text. */
const FENCE = /^( *)```([A-Za-z]*)\n([\s\S]*?)^\1```$/gm;

/** Fenced code blocks (```lang … ```, also indented inside a list item, then dedented), in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  return [...markdown.matchAll(FENCE)].map((match) => {
    const indent = (match[1] ?? '').length;
    const text = (match[3] ?? '')
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    return { lang: match[2] ?? '', text };
  });
}

/**
 * Splits one shell command line into words: plain words and double-quoted words (the only
 * quoting the recipes use). Anything a recipe should not contain (single quotes, `$`, backslashes,
 * pipes, redirections, `;`, `&`) throws, so a recipe cannot silently mean something else in a shell.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /\s*(?:"([^"\\$`]*)"|([^\s"'\\$`|<>;&]+))/y;
  let rest = line.trimEnd();
  while (rest.trim() !== '') {
    pattern.lastIndex = 0;
    const match = pattern.exec(rest);
    if (!match) throw new Error(`not a simple command line at: ${rest}`);
    words.push(match[1] ?? match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
  return words;
}

/** Puts a running add-on's media base (`http://127.0.0.1:<port>/api/cameras/<id>/`) and key into a recipe string. */
export function withLiveValues(text: string, base: string, key: string): string {
  return text.split(SAMPLE_BASE).join(base).split(SAMPLE.key).join(key);
}

/**
 * GitHub's anchor for a heading: lower case, punctuation other than `-` and `_` removed, spaces
 * turned into `-` (https://github.com/Flet/github-slugger, which GitHub's renderer follows).
 */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of every heading in a Markdown text (outside code blocks). */
export function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(FENCE, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((match) => headingAnchor(match[1] ?? '')));
}

/** Markdown links `[text](target)` outside code blocks, with their target. */
export function linkTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(FENCE, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
}

/** Every file below `dir` whose name matches `pattern`. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, pattern);
    return pattern.test(entry.name) ? [full] : [];
  });
}
