/**
 * Small validating helpers for untrusted JSON: narrow `unknown` field by field instead of
 * casting, so a camera that sends a number where we expect a string cannot crash anything.
 */
import { errorMessage } from '../util/error-message.js';

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Identity fields (device ids) must really be strings: never coerce them. */
export function strictString(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

export function optionalNumber(obj: JsonObject, key: string): number | undefined {
  const value = obj[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

/** Bound on nesting so a hostile payload cannot make later recursive code blow the stack. */
const MAX_DEPTH = 16;

function jsonDepth(value: unknown, depth = 0): number {
  if (depth > MAX_DEPTH) return depth;
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : undefined;
  if (!children) return depth;
  // A loop, not Math.max(...spread): spreading ~125k elements overflows the call stack.
  let deepest = depth;
  for (const child of children) {
    deepest = Math.max(deepest, jsonDepth(child, depth + 1));
    if (deepest > MAX_DEPTH) break;
  }
  return deepest;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Parses bytes as a JSON object, with a reason for the log when it is not one. */
export function parseJsonObject(payload: Buffer): ParseResult<JsonObject> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `payload is not JSON (${errorMessage(error)}): ${preview(payload)}` };
  }
  if (!isObject(parsed)) return { ok: false, reason: `payload is JSON but not an object: ${preview(payload)}` };
  if (jsonDepth(parsed) > MAX_DEPTH) return { ok: false, reason: `JSON nested deeper than ${MAX_DEPTH} levels` };
  return { ok: true, value: parsed };
}

/** A short printable excerpt of untrusted bytes for log lines. */
export function preview(bytes: Buffer, max = 80): string {
  const text = bytes
    .subarray(0, max)
    .toString('utf8')
    .replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > max ? `${text}… (${bytes.length} bytes)` : text;
}
