/**
 * What a camera in access-point mode answers on its TCP port (docs/protocol.md §9), as a pure
 * decision per received packet: the session opener (cmd 115) is echoed, the login (501) is
 * answered with status 200, commands come wrapped in 502 and are answered in the same wrapper,
 * and a 204 (set Wi-Fi) either accepts the network — then the camera restarts onto it — or is
 * refused. No sockets, no timers: ap-camera.ts does the I/O.
 */
import { CAMERA_FORWARD_ID, Cmd, encodePacket, type Packet } from '../protocol/header.js';
import { isObject, parseJsonObject, type JsonObject } from '../protocol/json.js';
import { encodeCameraJson } from '../protocol/messages.js';

export const AP_LOGIN_CODE = 501;
export const AP_COMMAND_CODE = 502;
export const SET_WIFI_CODE = 204;
export const AP_REBOOT_CODE = 299;

/** The camera's own limits for the network it is told to join. */
export const AP_SSID_MAX_BYTES = 32;
export const AP_PASSWORD_MIN_CHARS = 8;
export const AP_PASSWORD_MAX_CHARS = 36;

/**
 * The refusal's status. What a real camera answers to a network it cannot use is not captured;
 * the simulator refuses with 500 (the vendor app's STATUS_CODE_FAILURE) so that clients are
 * tested against an answer that says no.
 */
export const AP_REFUSED_STATUS = 500;

export interface WifiCredentials {
  readonly ssid: string;
  readonly password: string;
}

/** What one received packet made the camera do (besides answering). */
export type ApOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'session' }
  | { readonly kind: 'login' }
  | { readonly kind: 'accepted'; readonly wifi: WifiCredentials }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'reboot' }
  | { readonly kind: 'ignored'; readonly reason: string };

export interface ApReaction {
  /** Bytes to send back, in order (possibly none). */
  readonly replies: readonly Buffer[];
  readonly outcome: ApOutcome;
}

/** Whether the camera can use this network: the simulated world's say (known SSID, right password). */
export type NetworkCheck = (wifi: WifiCredentials) => string | undefined;

const nothing = (reason: string): ApReaction => ({ replies: [], outcome: { kind: 'ignored', reason } });

/** Why `s`/`p` are not a network the camera would store, or undefined when they are. */
export function wifiFormatProblem(content: JsonObject): string | undefined {
  const { s, p } = content;
  if (typeof s !== 'string' || typeof p !== 'string') return 'the 204 lacks the string fields "s" and "p"';
  const bytes = Buffer.byteLength(s);
  if (bytes < 1 || bytes > AP_SSID_MAX_BYTES) return `a Wi-Fi name of ${bytes} bytes`;
  const chars = [...p].length;
  if (chars < AP_PASSWORD_MIN_CHARS || chars > AP_PASSWORD_MAX_CHARS) return `a password of ${chars} characters`;
  return undefined;
}

function commandAnswer(content: JsonObject, status: number): Buffer {
  return encodeCameraJson({ code: AP_COMMAND_CODE, content: { ...content, status } });
}

function onCommand(content: JsonObject, joinable: NetworkCheck): ApReaction {
  const code = content['code'];
  if (code === SET_WIFI_CODE) {
    const problem = wifiFormatProblem(content) ?? joinable({ ssid: String(content['s']), password: String(content['p']) });
    const answer = { code: SET_WIFI_CODE, devTarget: content['devTarget'] };
    if (problem !== undefined)
      return { replies: [commandAnswer(answer, AP_REFUSED_STATUS)], outcome: { kind: 'refused', reason: problem } };
    const wifi = { ssid: String(content['s']), password: String(content['p']) };
    return { replies: [commandAnswer(answer, 200)], outcome: { kind: 'accepted', wifi } };
  }
  if (code === AP_REBOOT_CODE) return { replies: [], outcome: { kind: 'reboot' } };
  // Flip, IR, SD mode, base info…: echoed with status 200, as the camera confirms settings.
  return { replies: [commandAnswer(content, 200)], outcome: { kind: 'none' } };
}

/** The camera's reaction to one packet from the AP client. */
export function reactToApPacket(packet: Packet, joinable: NetworkCheck): ApReaction {
  if (packet.cmd === Cmd.ApLiveSession || packet.cmd === Cmd.ApDirectSession) {
    return { replies: [encodePacket({ cmd: packet.cmd, forwardId: CAMERA_FORWARD_ID })], outcome: { kind: 'session' } };
  }
  if (packet.cmd === Cmd.Heartbeat)
    return { replies: [encodePacket({ cmd: Cmd.Heartbeat, forwardId: CAMERA_FORWARD_ID })], outcome: { kind: 'none' } };
  if (packet.cmd !== Cmd.Json) return nothing(`cmd ${packet.cmd}`);
  const parsed = parseJsonObject(packet.payload);
  if (!parsed.ok) return nothing(parsed.reason);
  const message = parsed.value;
  if (message['code'] === AP_LOGIN_CODE) {
    return { replies: [encodeCameraJson({ code: AP_LOGIN_CODE, target: message['target'], status: 200 })], outcome: { kind: 'login' } };
  }
  const content = message['content'];
  if (message['code'] === AP_COMMAND_CODE && isObject(content)) return onCommand(content, joinable);
  return nothing(`JSON code ${String(message['code'])}`);
}
