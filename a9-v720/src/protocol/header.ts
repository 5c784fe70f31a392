/**
 * The 20-byte packet header shared by the TCP control channel and the UDP data channel
 * (docs/protocol.md §3). Pure: no sockets, no state.
 */

export const HEADER_SIZE = 20;

/** Values of the header's `cmd` field. */
export enum Cmd {
  Json = 0,
  JpegFragment = 1,
  Rgb = 2,
  Aac = 3,
  G711Alaw = 4,
  Raw = 5,
  Pcm = 6,
  Avi = 7,
  Xml = 8,
  Heartbeat = 100,
  Ping = 101,
  Pong = 102,
  /**
   * Session openers of the camera's access-point mode (docs/protocol.md §9): the AP client
   * sends a bare 115 header and the camera echoes it. Not motion events, whatever the vendor
   * app's constant names (`DIRECT_MOTION`, `LIVE_MOTION`) suggest.
   */
  ApDirectSession = 114,
  ApLiveSession = 115,
  RetransmitConfirm = 605,
}

/** Values of the header's `msg_flag` field. */
export enum MsgFlag {
  None = 0,
  FirstFragment = 250,
  MiddleFragment = 251,
  LastFragment = 252,
  Whole = 255,
}

/** Servers put ASCII "00000000" in the forward id; cameras send eight zero bytes. */
export const SERVER_FORWARD_ID: Buffer = Buffer.from('00000000');
export const CAMERA_FORWARD_ID: Buffer = Buffer.alloc(8);

export interface PacketHeader {
  /** Payload length in bytes (after the header). */
  readonly length: number;
  readonly cmd: number;
  readonly msgFlag: number;
  readonly dealFlag: number;
  /** Ignored on input; kept for logging and byte-exact tests. */
  readonly forwardId: Buffer;
  readonly pkgId: number;
}

export interface Packet extends PacketHeader {
  readonly payload: Buffer;
}

export interface PacketFields {
  readonly cmd: number;
  readonly payload?: Buffer;
  readonly msgFlag?: number;
  readonly dealFlag?: number;
  readonly forwardId?: Buffer;
  readonly pkgId?: number;
}

/** Reads a header at `offset`; the caller guarantees that 20 bytes are there. */
export function decodeHeader(buf: Buffer, offset = 0): PacketHeader {
  return {
    length: buf.readUInt32LE(offset),
    cmd: buf.readUInt16LE(offset + 4),
    msgFlag: buf.readUInt8(offset + 6),
    dealFlag: buf.readUInt8(offset + 7),
    forwardId: buf.subarray(offset + 8, offset + 16),
    pkgId: buf.readUInt32LE(offset + 16),
  };
}

function writeHeader(target: Buffer, offset: number, fields: PacketFields, payloadLength: number): void {
  target.writeUInt32LE(payloadLength, offset);
  target.writeUInt16LE(fields.cmd, offset + 4);
  target.writeUInt8(fields.msgFlag ?? MsgFlag.None, offset + 6);
  target.writeUInt8(fields.dealFlag ?? 0, offset + 7);
  (fields.forwardId ?? SERVER_FORWARD_ID).copy(target, offset + 8, 0, 8);
  target.writeUInt32LE((fields.pkgId ?? 0) >>> 0, offset + 16);
}

/** Header + payload in one buffer, ready for a socket write. */
export function encodePacket(fields: PacketFields): Buffer {
  const payload = fields.payload ?? Buffer.alloc(0);
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(out, 0, fields, payload.length);
  payload.copy(out, HEADER_SIZE);
  return out;
}

export type DatagramResult = { readonly ok: true; readonly packet: Packet } | { readonly ok: false; readonly reason: string };

/**
 * One UDP datagram is one packet. Anything shorter than a header, or whose length field
 * disagrees with the datagram size, is rejected with a reason for the log.
 */
export function decodeDatagram(datagram: Buffer): DatagramResult {
  if (datagram.length < HEADER_SIZE) {
    return { ok: false, reason: `datagram of ${datagram.length} bytes is shorter than the ${HEADER_SIZE}-byte header` };
  }
  const length = datagram.readUInt32LE(0);
  const available = datagram.length - HEADER_SIZE;
  if (length > available) {
    return { ok: false, reason: `length field ${length} exceeds the ${available} payload bytes received` };
  }
  // Built in one literal (not decodeHeader + spread): this runs for every media datagram.
  // Trailing bytes beyond the declared length are tolerated and cut off.
  const packet: Packet = {
    length,
    cmd: datagram.readUInt16LE(4),
    msgFlag: datagram[6]!,
    dealFlag: datagram[7]!,
    forwardId: datagram.subarray(8, 16),
    pkgId: datagram.readUInt32LE(16),
    payload: datagram.subarray(HEADER_SIZE, HEADER_SIZE + length),
  };
  return { ok: true, packet };
}
