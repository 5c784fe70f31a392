/**
 * Text from the network (ids, paths, firmware strings, MQTT payloads) ends up in log lines that
 * users read in HA's log tab. JSON escaping already covers quotes and C0 controls; these are
 * the characters it leaves raw that can still forge or hide text in a viewer: DEL and C1
 * controls, line/paragraph separators (U+2028/U+2029, new lines in many viewers) and the
 * bidirectional controls (U+202E turns the rest of a line around). Each becomes a visible
 * `\uXXXX` escape, so nothing is lost for diagnosis.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function sanitizeLogText(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Sanitises strings in a log line's fields (two levels deep: enough for our field objects). */
export function sanitizeLogFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return sanitizeLogText(value);
  if (depth >= 2 || typeof value !== 'object' || value === null || Buffer.isBuffer(value) || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => sanitizeLogFields(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = sanitizeLogFields(item, depth + 1);
  return out;
}
