/**
 * Every string a camera sends (firmware version, Wi-Fi name, other base-info fields, NAT fields,
 * the bootstrap's `version` header) is stored, shown on the dashboard and published to Home
 * Assistant (`sw_version`). It is cleaned once, where it enters (the protocol parsers and the
 * bootstrap server), so that everything after holds only text that shows as what it is:
 * - Cc: C0 and C1 controls and DEL (ESC starts terminal sequences, NUL and CR cut or rewrite a
 *   line in some viewers);
 * - Cf: format characters: the bidirectional embeddings, overrides and isolates (U+202A–202E,
 *   U+2066–2069; U+202E turns the rest of a line around), the direction marks, zero-width space
 *   and joiners (U+200B–200D), word joiner, BOM, soft hyphen, tag characters;
 * - Zl, Zp: the line and paragraph separators U+2028 and U+2029;
 * - Cs: lone surrogates, which JSON's `\ud800` escapes can produce: no character at all.
 * They are removed, not escaped: a firmware version or Wi-Fi name has no use for any of them.
 * Pure: no I/O.
 */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** Longest camera string kept unless a field says otherwise (real ones are under 32 characters). */
export const CAMERA_TEXT_MAX = 64;

/** Longest firmware version kept (real ones are 12-digit dates such as 202212011602). */
export const FIRMWARE_MAX = 32;

/** Whether a UTF-16 code unit is the first half of a surrogate pair. */
function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * `value` without the characters above, then cut to at most `max` UTF-16 code units without
 * splitting a surrogate pair (an emoji is kept whole or left out, never halved).
 */
export function cleanCameraText(value: string, max: number = CAMERA_TEXT_MAX): string {
  const clean = value.replace(UNSHOWABLE, '');
  // A string no longer than `max` ends in no high surrogate (lone ones are gone): sliced whole.
  return clean.slice(0, isHighSurrogate(clean.charCodeAt(max - 1)) ? max - 1 : max);
}
