/**
 * Motion detection settings of one camera. Kept by the add-on (the cameras have no usable motion
 * detection of their own), stored with the camera record and shared by HA, the web API and the
 * motion monitor. One place for their allowed values.
 */
import { isObject, type JsonObject } from '../protocol/json.js';

export interface MotionSettings {
  /** Off by default: detection keeps the stream open (Wi-Fi airtime, battery). */
  readonly enabled: boolean;
  /** 1 (only big movement) … 100 (the smallest movement). */
  readonly sensitivity: number;
}

export type MotionSettingsChange = Partial<MotionSettings>;

export const MIN_MOTION_SENSITIVITY = 1;
export const MAX_MOTION_SENSITIVITY = 100;
export const DEFAULT_MOTION_SETTINGS: MotionSettings = { enabled: false, sensitivity: 50 };

export function isValidSensitivity(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_MOTION_SENSITIVITY && value <= MAX_MOTION_SENSITIVITY;
}

export type MotionChangeParse =
  { readonly ok: true; readonly change: MotionSettingsChange } | { readonly ok: false; readonly reason: string };

/** A change request from the web API: `{"enabled": true}`, `{"sensitivity": 70}` or both. */
export function parseMotionChange(body: JsonObject): MotionChangeParse {
  const unknown = Object.keys(body).filter((key) => key !== 'enabled' && key !== 'sensitivity');
  if (unknown.length > 0)
    return { ok: false, reason: `unknown motion setting ${JSON.stringify(unknown[0])}; send enabled and/or sensitivity` };
  const change: { enabled?: boolean; sensitivity?: number } = {};
  if ('enabled' in body) {
    if (typeof body['enabled'] !== 'boolean') return { ok: false, reason: 'enabled must be true or false' };
    change.enabled = body['enabled'];
  }
  if ('sensitivity' in body) {
    const value = body['sensitivity'];
    if (!isValidSensitivity(value))
      return { ok: false, reason: `sensitivity must be a whole number from ${MIN_MOTION_SENSITIVITY} to ${MAX_MOTION_SENSITIVITY}` };
    change.sensitivity = value;
  }
  if (change.enabled === undefined && change.sensitivity === undefined) return { ok: false, reason: 'send enabled and/or sensitivity' };
  return { ok: true, change };
}

/** HA's number entity sends "42" or "42.0"; anything else (or out of range) is undefined. */
export function parseSensitivityPayload(payload: string): number | undefined {
  if (!/^\d{1,3}(\.0+)?$/.test(payload)) return undefined;
  const value = Number(payload);
  return isValidSensitivity(value) ? value : undefined;
}

/** Settings read back from the camera store; anything invalid falls back to the default. */
export function parseStoredMotionSettings(value: unknown): MotionSettings | undefined {
  if (!isObject(value)) return undefined;
  return {
    enabled: value['enabled'] === true,
    sensitivity: isValidSensitivity(value['sensitivity']) ? value['sensitivity'] : DEFAULT_MOTION_SETTINGS.sensitivity,
  };
}
