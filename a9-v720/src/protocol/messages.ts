/**
 * Typed JSON messages (cmd 0) of PROTOCOL.md §4, with validating parsers for what the camera
 * sends and encoders for what we send. Pure: no sockets.
 */
import { CAMERA_TEXT_MAX, cleanCameraText } from './camera-text.js';
import { DEVICE_ID_RULE, isDeviceId } from './device-id.js';
import { Cmd, encodePacket, MsgFlag } from './header.js';
import { isObject, optionalNumber, optionalString, parseJsonObject, strictString, type JsonObject, type ParseResult } from './json.js';

/** Codes of the outer JSON message. */
export enum MessageCode {
  NatRequest = 11,
  NatResult = 12,
  UdpHello = 20,
  UdpHelloAnswer = 21,
  ProbeRequest = 50,
  Probe = 51,
  DeviceStatus = 53,
  Register = 100,
  RegisterOk = 101,
  Forward = 301,
}

/** Codes of the `content` object inside a 301 forward. */
export enum ContentCode {
  CloseMedia = 0,
  OpenAudio = 1,
  OpenVideo = 2,
  OpenMedia = 3,
  BaseInfo = 4,
  RetransmitMode = 298,
  // Setting codes (202 IR LED, 216 orientation, 299 reboot, …) live in the settings table (settings.ts).
}

export interface RegisterMessage {
  readonly code: MessageCode.Register;
  readonly uid: string;
  readonly token: string;
  readonly domain?: string;
}

export interface NatResultMessage {
  readonly code: MessageCode.NatResult;
  readonly status?: number;
  readonly devIp?: string;
  readonly devPort?: number;
  readonly devNatIp?: string;
  readonly devNatPort?: number;
  readonly cliTarget?: string;
  readonly cliToken?: string;
}

export interface UdpHelloMessage {
  readonly code: MessageCode.UdpHello;
}

export interface ProbeMessage {
  readonly code: MessageCode.Probe;
  readonly devTarget: string;
  readonly status?: number;
}

export interface ForwardMessage {
  readonly code: MessageCode.Forward;
  readonly target?: string;
  readonly content: ForwardContent;
}

/** The `content` of a 301: a code and whatever fields the camera put beside it. */
export interface ForwardContent {
  readonly code: number;
  readonly [field: string]: unknown;
}

/** A message we understood only by its code: logged, never fatal. */
export interface UnknownMessage {
  readonly code: number | undefined;
  readonly unknown: true;
  readonly raw: JsonObject;
}

export type CameraMessage = RegisterMessage | NatResultMessage | UdpHelloMessage | ProbeMessage | ForwardMessage | UnknownMessage;

export function isUnknownMessage(message: CameraMessage): message is UnknownMessage {
  return 'unknown' in message;
}

/** A string field of a camera message, cleaned where it enters (camera-text.ts). */
function cameraString(obj: JsonObject, key: string): string | undefined {
  const value = optionalString(obj, key);
  return value === undefined ? undefined : cleanCameraText(value);
}

/**
 * Narrows a cmd-0 payload to a typed camera message. Unknown codes parse as UnknownMessage. Every
 * string field comes out cleaned (camera-text.ts); an unknown message's `raw` is for the log only.
 */
export function parseCameraMessage(payload: Buffer): ParseResult<CameraMessage> {
  const json = parseJsonObject(payload);
  if (!json.ok) return json;
  const obj = json.value;
  const code = optionalNumber(obj, 'code');
  switch (code) {
    case MessageCode.Register: {
      const uid = strictString(obj, 'uid');
      if (!isDeviceId(uid)) {
        return { ok: false, reason: `registration (code 100) without a usable "uid" (${DEVICE_ID_RULE})` };
      }
      return {
        ok: true,
        value: { code, uid, token: cameraString(obj, 'token') ?? '', domain: cameraString(obj, 'domain') },
      };
    }
    case MessageCode.NatResult:
      return {
        ok: true,
        value: {
          code,
          status: optionalNumber(obj, 'status'),
          devIp: cameraString(obj, 'devIp'),
          devPort: optionalNumber(obj, 'devPort'),
          devNatIp: cameraString(obj, 'devNatIp'),
          devNatPort: optionalNumber(obj, 'devNatPort'),
          cliTarget: cameraString(obj, 'cliTarget'),
          cliToken: cameraString(obj, 'cliToken'),
        },
      };
    case MessageCode.UdpHello:
      return { ok: true, value: { code } };
    case MessageCode.Probe: {
      const devTarget = strictString(obj, 'devTarget');
      if (!isDeviceId(devTarget)) {
        return { ok: false, reason: `probe (code 51) without a usable "devTarget" (${DEVICE_ID_RULE})` };
      }
      return { ok: true, value: { code, devTarget, status: optionalNumber(obj, 'status') } };
    }
    case MessageCode.Forward: {
      const content = obj['content'];
      if (!isObject(content)) return { ok: false, reason: 'forward (code 301) without a "content" object' };
      const contentCode = optionalNumber(content, 'code');
      if (contentCode === undefined) return { ok: false, reason: 'forward (code 301) content without a numeric "code"' };
      return {
        ok: true,
        value: { code, target: cameraString(obj, 'target'), content: { ...content, code: contentCode } },
      };
    }
    default:
      return { ok: true, value: { code, unknown: true, raw: obj } };
  }
}

/**
 * Bounds on what a camera may make us store and publish (20–40 kB firmware strings were seen
 * from a hostile sender): real base info has ~15 short fields.
 */
export const BASE_INFO_LIMITS = { fields: 48, keyLength: 32, stringLength: CAMERA_TEXT_MAX } as const;

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a base-info field may hold: JSON scalars only. */
export type BaseInfoScalar = string | number | boolean;

type FieldParser<T extends BaseInfoScalar> = (value: unknown) => ParseResult<T>;

function flag(values: readonly number[]): FieldParser<number> {
  return (value) =>
    typeof value === 'number' && values.includes(value)
      ? { ok: true, value }
      : { ok: false, reason: `expected one of ${values.join(', ')}` };
}

function wholeNumber(min: number, max: number): FieldParser<number> {
  return (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? { ok: true, value }
      : { ok: false, reason: `expected a whole number from ${min} to ${max}` };
}

const cameraText: FieldParser<string> = (value) =>
  typeof value === 'string' ? { ok: true, value: cleanCameraText(value) } : { ok: false, reason: 'expected a string' };

/**
 * The base-info fields we know (PROTOCOL.md §4; the settings in protocol/settings.ts), each with
 * the values it may take on the wire. A known field that fails its check is dropped, so a wrong
 * value never replaces a good one.
 */
const BASE_INFO_FIELDS = {
  /** 202: 0 off, 1 on; some units report 2 = auto. */
  IrLed: flag([0, 1, 2]),
  /** Battery percent. */
  devPower: wholeNumber(0, 100),
  /** 201: video quality grade; cameras report 1, the grades per model are not known. */
  speedGrade: wholeNumber(0, 255),
  /** 205: the camera's own motion alarm. */
  moveAlert: flag([0, 1]),
  /** 203: record to SD on motion. */
  sdMoveMode: flag([0, 1]),
  wifiName: cameraText,
  /** 210: status LED. */
  instLed: flag([0, 1]),
  sdDevStatus: wholeNumber(0, 255),
  /** 216: 0 normal, 2 horizontal, 3 vertical, 4 both; 1 is accepted by cameras, meaning unknown. */
  mirrorFlip: flag([0, 1, 2, 3, 4]),
  version: cameraText,
};

type KnownFields = typeof BASE_INFO_FIELDS;
type KnownField = keyof KnownFields;
/** The value type of each known field, from its parser. */
type KnownValue = { [K in KnownField]: KnownFields[K] extends FieldParser<infer T> ? T : never };
type KnownValues = { -readonly [K in KnownField]?: KnownValue[K] };

/**
 * Device state as the camera reports it in its 301/4 answer (and in setting echoes): the known
 * fields checked and typed, other fields kept as bounded scalars (new firmware adds fields,
 * e.g. the X6 mini's `udpPlayBack`; PROTOCOL.md §8).
 */
export type BaseInfo = { readonly [K in KnownField]?: KnownValue[K] } & { readonly [field: string]: BaseInfoScalar | undefined };

/** A field left out of base info, and why: for one log line naming the camera and the field. */
export interface DroppedField {
  /** The field name, capped at BASE_INFO_LIMITS.keyLength characters. */
  readonly field: string;
  readonly reason: string;
}

export interface ParsedBaseInfo {
  readonly info: BaseInfo;
  /** At most BASE_INFO_LIMITS.fields entries; the last one counts any others. */
  readonly dropped: readonly DroppedField[];
}

/** Known-field parsers per name, typed so that a field's parser and its value share one type. */
const KNOWN_PARSERS: { readonly [K in KnownField]: FieldParser<KnownValue[K]> } = BASE_INFO_FIELDS;

function isKnownField(field: string): field is KnownField {
  return Object.hasOwn(BASE_INFO_FIELDS, field);
}

function setKnown<K extends KnownField>(known: KnownValues, field: K, value: unknown): ParseResult<KnownValue[K]> {
  const parsed = KNOWN_PARSERS[field](value);
  if (parsed.ok) known[field] = parsed.value;
  return parsed;
}

/** Other fields: any JSON scalar, strings cleaned and capped, numbers finite. */
function otherField(value: unknown): ParseResult<BaseInfoScalar> {
  if (typeof value === 'string') return { ok: true, value: cleanCameraText(value) };
  if (typeof value === 'boolean') return { ok: true, value };
  if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
  return { ok: false, reason: typeof value === 'number' ? 'expected a finite number' : 'expected a number, string or boolean' };
}

/**
 * Parses the fields beside the code of a 301 content (or a stored base info) into BaseInfo,
 * within BASE_INFO_LIMITS. Every field left out comes back in `dropped` with its reason.
 */
export function parseBaseInfo(content: { readonly [field: string]: unknown }): ParsedBaseInfo {
  const known: KnownValues = {};
  const others: { [field: string]: BaseInfoScalar } = {};
  const dropped: DroppedField[] = [];
  let unreported = 0;
  const drop = (field: string, reason: string): void => {
    if (dropped.length < BASE_INFO_LIMITS.fields - 1) dropped.push({ field: field.slice(0, BASE_INFO_LIMITS.keyLength), reason });
    else unreported++;
  };
  let kept = 0;
  for (const [field, value] of Object.entries(content)) {
    if (field === 'code') continue;
    if (field.length > BASE_INFO_LIMITS.keyLength || !FIELD_NAME.test(field)) {
      drop(field, `the name is not an identifier of at most ${BASE_INFO_LIMITS.keyLength} characters`);
      continue;
    }
    if (kept >= BASE_INFO_LIMITS.fields) {
      drop(field, `more than ${BASE_INFO_LIMITS.fields} fields`);
      continue;
    }
    const parsed = isKnownField(field) ? setKnown(known, field, value) : otherField(value);
    if (!parsed.ok) {
      drop(field, `${parsed.reason}, got ${describe(value)}`);
      continue;
    }
    if (!isKnownField(field)) others[field] = parsed.value;
    kept++;
  }
  if (unreported > 0) dropped.push({ field: '…', reason: `${unreported} more fields dropped` });
  return { info: { ...others, ...known }, dropped };
}

/** A short, bounded rendering of a dropped value for the log line. */
function describe(value: unknown): string {
  // Left raw: only the log shows it, and the log escapes what it must (util/log-text.ts), visibly.
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 16) + (value.length > 16 ? '…' : ''));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;
}

/** parseBaseInfo for callers that do not log what was dropped (merging, the stored registry). */
export function toBaseInfo(content: { readonly [field: string]: unknown }): BaseInfo {
  return parseBaseInfo(content).info;
}

// ---- what the server sends -------------------------------------------------------------

/** JSON packets from the server: cmd 0, msg_flag 0, forward id "00000000". */
function jsonPacket(text: string): Buffer {
  return encodePacket({ cmd: Cmd.Json, msgFlag: MsgFlag.None, payload: Buffer.from(text) });
}

/** Forward id of the vendor cloud's registration answer (PROTOCOL.md §3): eight 0xFF bytes. */
export const CLOUD_FORWARD_ID: Buffer = Buffer.alloc(8, 0xff);

/**
 * The registration answer in the vendor cloud's byte form (PROTOCOL.md §3, 45 bytes): msg_flag 255,
 * forward id FF×8, compact JSON. Every firmware accepts what the cloud sends by definition; the
 * 48-byte form with spaces that a fake server used is only known to work on 202212011602.
 */
export function encodeRegisterOk(): Buffer {
  return encodePacket({
    cmd: Cmd.Json,
    msgFlag: MsgFlag.Whole,
    forwardId: CLOUD_FORWARD_ID,
    payload: Buffer.from('{"code":101,"status":200}'),
  });
}

export interface NatRequestFields {
  readonly cliTarget: string;
  readonly cliToken: string;
  readonly cliIp: string;
  readonly cliPort: number;
  readonly cliNatIp: string;
  readonly cliNatPort: number;
}

export function encodeNatRequest(fields: NatRequestFields): Buffer {
  return jsonPacket(JSON.stringify({ code: MessageCode.NatRequest, ...fields }));
}

export function encodeUdpHelloAnswer(ip: string, port: number): Buffer {
  return jsonPacket(JSON.stringify({ code: MessageCode.UdpHelloAnswer, ip, port }));
}

export function encodeProbeRequest(): Buffer {
  return jsonPacket(JSON.stringify({ code: MessageCode.ProbeRequest }));
}

export function encodeDeviceStatus(): Buffer {
  return jsonPacket(JSON.stringify({ code: MessageCode.DeviceStatus, status: 1 }));
}

export function encodeForward(target: string, content: ForwardContent): Buffer {
  return jsonPacket(JSON.stringify({ code: MessageCode.Forward, target, content }));
}

/** A heartbeat (cmd 100, no payload); the server's carries the ASCII forward id. */
export function encodeHeartbeat(): Buffer {
  return encodePacket({ cmd: Cmd.Heartbeat });
}

// ---- what the camera sends (used by the simulator and by tests) ----------------------------

export function encodeCameraJson(value: unknown, pkgId = 0): Buffer {
  return encodePacket({
    cmd: Cmd.Json,
    msgFlag: MsgFlag.None,
    forwardId: Buffer.alloc(8),
    pkgId,
    payload: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  });
}
