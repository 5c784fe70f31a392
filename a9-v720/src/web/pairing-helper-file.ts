/**
 * The pairing helper download (`POST /api/pairing-helper`): checks the home Wi-Fi values the
 * panel sends and writes them into a copy of src/pairing/a9-pair.py as Python string literals.
 * Pure: no I/O. The limits are the camera's (docs/protocol.md §9) and the same ones the helper
 * checks again when it runs.
 */
import type { JsonObject, ParseResult } from '../protocol/json.js';

export interface HomeWifi {
  readonly ssid: string;
  readonly password: string;
}

/** An 802.11 network name is at most 32 bytes. */
export const SSID_MAX_BYTES = 32;
/** What the camera's app accepts for the password (docs/protocol.md §9). */
export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 36;

/** The lines in a9-pair.py whose `None` the download replaces (each must occur exactly once). */
export const PRESET_MARKERS = {
  ssid: 'PRESET_SSID = None  # a9-pair:preset:ssid',
  password: 'PRESET_PASSWORD = None  # a9-pair:preset:password',
} as const;

/** Characters as the user counts them: code points, not UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

/** Lone surrogates have no UTF-8 form: they cannot reach the camera intact. */
function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

export function checkSsid(ssid: string): string | undefined {
  if (!isWellFormed(ssid)) return 'the Wi-Fi name is not valid text';
  const bytes = Buffer.byteLength(ssid);
  if (bytes === 0) return 'the Wi-Fi name is empty';
  if (bytes > SSID_MAX_BYTES) return `the Wi-Fi name is ${bytes} bytes long; a Wi-Fi name has at most ${SSID_MAX_BYTES} bytes`;
  return undefined;
}

export function checkPassword(password: string): string | undefined {
  if (!isWellFormed(password)) return 'the Wi-Fi password is not valid text';
  const count = characterCount(password);
  if (count < PASSWORD_MIN_CHARS || count > PASSWORD_MAX_CHARS) {
    return `the Wi-Fi password has ${count} characters; the camera needs ${PASSWORD_MIN_CHARS} to ${PASSWORD_MAX_CHARS}`;
  }
  return undefined;
}

/** `{ssid, password}` from the panel, both strings within the camera's limits. */
export function parsePairingRequest(body: JsonObject): ParseResult<HomeWifi> {
  const { ssid, password } = body;
  if (typeof ssid !== 'string' || typeof password !== 'string') {
    return { ok: false, reason: 'send {"ssid": "<Wi-Fi name>", "password": "<Wi-Fi password>"} as strings' };
  }
  const problem = checkSsid(ssid) ?? checkPassword(password);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, value: { ssid, password } };
}

function hex(codePoint: number, digits: number): string {
  return codePoint.toString(16).padStart(digits, '0');
}

/**
 * A Python 3 string literal of exactly `text`, in plain ASCII: printable characters stay
 * readable, quotes and backslashes are escaped, everything else becomes \x, \u or \U escapes
 * (so the file's encoding and the user's editor cannot change a byte of the password).
 */
export function pythonStringLiteral(text: string): string {
  let out = '"';
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (codePoint >= 0x20 && codePoint < 0x7f) out += char;
    else if (codePoint < 0x100) out += `\\x${hex(codePoint, 2)}`;
    else if (codePoint < 0x10000) out += `\\u${hex(codePoint, 4)}`;
    else out += `\\U${hex(codePoint, 8)}`;
  }
  return `${out}"`;
}

/** The helper with `wifi` as its defaults; throws when the template lost a marker (a build bug). */
export function fillPairingHelper(template: string, wifi: HomeWifi): string {
  let out = template;
  for (const [key, marker] of Object.entries(PRESET_MARKERS) as [keyof typeof PRESET_MARKERS, string][]) {
    const at = out.indexOf(marker);
    if (at === -1 || out.indexOf(marker, at + 1) !== -1) throw new Error(`a9-pair.py must contain the line "${marker}" exactly once`);
    const filled = marker.replace('None', pythonStringLiteral(wifi[key]));
    out = out.slice(0, at) + filled + out.slice(at + marker.length);
  }
  return out;
}
