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
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPayload: number = DEFAULT_MAX_PAYLOAD) {}

  /** Bytes received but not yet part of a whole packet. */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** The first bytes still waiting for a whole packet (for diagnostics of unknown senders). */
  pendingHead(max = 32): Buffer {
    return this.pending.subarray(0, max);
  }

  /**
   * Appends a chunk and returns every packet it completes. Throws ProtocolError when a
   * length field exceeds the bound: the stream cannot be resynchronised after that, so the
   * caller must drop the connection.
   */
  push(chunk: Buffer): Packet[] {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Packet[] = [];
    let offset = 0;
    while (data.length - offset >= HEADER_SIZE) {
      const header = decodeHeader(data, offset);
      if (header.length > this.maxPayload) {
        this.pending = Buffer.alloc(0);
        throw new ProtocolError(
          `length field ${header.length} exceeds the ${this.maxPayload}-byte limit (cmd ${header.cmd})`,
        );
      }
      const end = offset + HEADER_SIZE + header.length;
      if (end > data.length) break;
      // Copy the payload so the packet does not pin the (possibly large) receive buffer.
      packets.push({ ...header, forwardId: Buffer.from(header.forwardId), payload: Buffer.from(data.subarray(offset + HEADER_SIZE, end)) });
      offset = end;
    }
    this.pending = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset));
    return packets;
  }
}
