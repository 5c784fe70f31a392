/**
 * Turns a dashboard settings request (`{"<field>": <value>}`) into a typed SettingCommand, or
 * says what is wrong with it. The allowed fields and values come from the settings table; the
 * restart button has its own endpoint.
 */
import type { JsonObject } from '../protocol/json.js';
import { SETTING_SPECS, settingCommand, type SettingCommand, type SettingSpec } from '../protocol/settings.js';

export type SettingParse = { ok: true; command: SettingCommand } | { ok: false; reason: string };

/** Rows the settings endpoint accepts: everything but actions (buttons). */
const SETTABLE: ReadonlyMap<string, SettingSpec> = new Map(
  SETTING_SPECS.filter((spec) => spec.platform !== 'button').map((spec) => [spec.field, spec]),
);

const allowedValues = (spec: SettingSpec): string => spec.values.map(({ value, label }) => `${value} (${label})`).join(', ');

export function parseSettingRequest(body: JsonObject): SettingParse {
  const keys = Object.keys(body);
  if (keys.length !== 1) return { ok: false, reason: `send exactly one of ${[...SETTABLE.keys()].join(', ')}` };
  const field = keys[0] as string;
  const spec = SETTABLE.get(field);
  if (!spec) return { ok: false, reason: `unknown setting ${JSON.stringify(field)}` };
  const value = body[field];
  const command = typeof value === 'number' ? settingCommand(spec, value) : undefined;
  return command ? { ok: true, command } : { ok: false, reason: `${field} must be one of ${allowedValues(spec)}` };
}
