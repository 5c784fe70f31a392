/**
 * Incremental decoder for the TCP control channel: fed arbitrary chunks (half a packet,
 * several packets, a packet split at any byte), it yields whole packets in order.
 * Modeled on mqtt-packet's parser: pure, no sockets.
 */
import { decodeHeader, HEADER_SIZE, type Packet } from './header.js';

/** Default bound on a control-channel payload; real messages are well under 2 KiB. */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export class PacketStreamDecoder {
  /**
   * Received bytes not yet part of a whole packet, kept as the chunks they came in: they are
   * joined only once a packet is complete, so a sender trickling bytes one at a time costs
   * linear, not quadratic, copying.
   */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Header + payload size of the packet being received, once its header is known. */
  private needed: number | undefined;

  constructor(private readonly maxPayload: number = DEFAULT_MAX_PAYLOAD) {}

  /** Bytes received but not yet part of a whole packet. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The first bytes still waiting for a whole packet (for diagnostics of unknown senders). */
  pendingHead(max = 32): Buffer {
    return Buffer.concat(this.chunks).subarray(0, max);
  }

  /**
   * Appends a chunk and returns every packet it completes. Throws ProtocolError when a
   * length field exceeds the bound: the stream cannot be resynchronised after that, so the
   * caller must drop the connection.
   */
  push(chunk: Buffer): Packet[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // Nothing can complete until the header (or the whole known packet) is here.
    if (this.buffered < (this.needed ?? HEADER_SIZE)) return [];

    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    const packets: Packet[] = [];
    let offset = 0;
    this.needed = undefined;
    while (data.length - offset >= HEADER_SIZE) {
      const header = decodeHeader(data, offset);
      if (header.length > this.maxPayload) {
        this.chunks = [];
        this.buffered = 0;
        throw new ProtocolError(`length field ${header.length} exceeds the ${this.maxPayload}-byte limit (cmd ${header.cmd})`);
      }
      const end = offset + HEADER_SIZE + header.length;
      if (end > data.length) {
        this.needed = HEADER_SIZE + header.length;
        break;
      }
      // Copy the payload so the packet does not pin the (possibly large) receive buffer.
      packets.push({ ...header, forwardId: Buffer.from(header.forwardId), payload: Buffer.from(data.subarray(offset + HEADER_SIZE, end)) });
      offset = end;
    }
    const rest = data.length - offset;
    this.chunks = rest === 0 ? [] : [Buffer.from(data.subarray(offset))];
    this.buffered = rest;
    return packets;
  }
}
