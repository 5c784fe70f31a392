/**
 * Turns a user's settings request (dashboard JSON, MQTT payload) into a typed SettingCommand,
 * or says what is wrong with it. One place for the allowed values of each setting.
 */
import type { SettingCommand } from '../camera/control.js';
import type { JsonObject } from '../protocol/json.js';

export type SettingParse = { ok: true; command: SettingCommand } | { ok: false; reason: string };

export function parseSettingRequest(body: JsonObject): SettingParse {
  const keys = Object.keys(body);
  if (keys.length !== 1) return { ok: false, reason: 'send exactly one of IrLed, instLed, mirrorFlip' };
  const value = body[keys[0] as string];
  switch (keys[0]) {
    case 'IrLed':
      if (value === 0 || value === 1 || value === 2) return { ok: true, command: { code: 202, IrLed: value } };
      return { ok: false, reason: 'IrLed must be 0, 1 or 2' };
    case 'instLed':
      if (value === 0 || value === 1) return { ok: true, command: { code: 210, instLed: value } };
      return { ok: false, reason: 'instLed must be 0 or 1' };
    case 'mirrorFlip':
      if (value === 0 || value === 1 || value === 2 || value === 3 || value === 4)
        return { ok: true, command: { code: 216, mirrorFlip: value } };
      return { ok: false, reason: 'mirrorFlip must be 0, 1, 2, 3 or 4' };
    default:
      return { ok: false, reason: `unknown setting ${JSON.stringify(keys[0])}` };
  }
}
