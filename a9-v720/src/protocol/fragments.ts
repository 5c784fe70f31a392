/**
 * Reassembles JPEG frames from the camera's UDP media packets (PROTOCOL.md §5). Pure: no sockets,
 * no timers, no logger — the caller logs what `push` returns.
 *
 * Design choices:
 * - pkg_id counts every media packet, video AND audio. So the assembler must see every media
 *   packet (cmd 1 and cmd 4 alike): `push` takes any packet, and a non-video packet only advances
 *   the continuity cursor. An audio packet between two fragments is therefore not a gap, while a
 *   lost audio packet inside a frame is one (we cannot tell which kind a lost packet was, so
 *   dropping is the only safe answer).
 * - No reordering buffer: the brief and the captures ask for strict prev+1 continuity. A late or
 *   duplicated packet (id at or behind the cursor) is ignored; the frame it belonged to has already
 *   been dropped when the gap was seen, so a corrupt frame is never delivered.
 * - One drop is counted per lost frame: after a drop the assembler discards stray middle/last
 *   fragments silently until the next first fragment.
 * - The last fragment's tail is a trailer: 2 extra bytes + u32 LE declared JPEG size. A single
 *   packet frame (msg_flag 255, what our simulator sends for tiny frames) carries the same trailer;
 *   a 255 frame without trailer that ends exactly at an EOI is tolerated as well.
 */
import { Cmd, MsgFlag, type Packet } from './header.js';

export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024;
/** 2 unknown bytes + u32 LE declared size, after the JPEG data in the last fragment. */
export const FRAME_TRAILER_BYTES = 6;
/** How far the declared size may be from the JPEG we found (a real log showed off-by-one reports). */
export const DECLARED_SIZE_TOLERANCE = 8;

export type DropReason =
  | 'gap' // pkg_id jumped forward while a frame was pending
  | 'no-first-fragment' // middle/last fragment arrived with no frame pending
  | 'restarted' // a new first fragment arrived while a frame was pending
  | 'oversize' // frame grew beyond maxFrameBytes
  | 'unknown-flag' // cmd 1 with a msg_flag we do not know, mid-frame
  | 'no-soi' // reassembled data does not start with FFD8
  | 'no-eoi' // no FFD9 before the trailer
  | 'bad-trailer'; // declared size implausible

export const DROP_REASONS: readonly DropReason[] = [
  'gap',
  'no-first-fragment',
  'restarted',
  'oversize',
  'unknown-flag',
  'no-soi',
  'no-eoi',
  'bad-trailer',
];

export interface FrameDrop {
  readonly reason: DropReason;
  /** Human-readable detail for the log line (ids, sizes). */
  readonly detail: string;
}

export type IgnoreReason = 'not-video' | 'duplicate' | 'late' | 'discarding';

export type AssemblerResult =
  | { readonly kind: 'pending' }
  | {
      readonly kind: 'frame';
      readonly jpeg: Buffer;
      readonly firstPkgId: number;
      readonly lastPkgId: number;
      /** Set when this packet also ended a pending frame (a gap right before a 255 whole frame). */
      readonly droppedBefore?: FrameDrop;
    }
  | ({ readonly kind: 'dropped' } & FrameDrop)
  | { readonly kind: 'ignored'; readonly why: IgnoreReason };

export interface AssemblerStats {
  framesDelivered: number;
  framesDropped: number;
  dropReasons: Record<DropReason, number>;
  duplicatePackets: number;
  latePackets: number;
  /** Middle/last fragments thrown away after a drop, waiting for the next first fragment. */
  discardedFragments: number;
}

export interface FrameAssemblerOptions {
  readonly maxFrameBytes?: number;
}

interface PendingFrame {
  readonly firstPkgId: number;
  readonly chunks: Buffer[];
  bytes: number;
}

/** Distance from `from` to `to` going forward modulo 2^32. */
function forwardDistance(from: number, to: number): number {
  return (to - from) >>> 0;
}

const HALF_RANGE = 0x8000_0000;

export class FrameAssembler {
  private readonly maxFrameBytes: number;
  private lastPkgId: number | undefined;
  private pending: PendingFrame | undefined;
  /** True after a drop until the next first fragment, so a lost frame is counted once. */
  private discarding = false;
  private readonly counters: AssemblerStats = {
    framesDelivered: 0,
    framesDropped: 0,
    dropReasons: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    duplicatePackets: 0,
    latePackets: 0,
    discardedFragments: 0,
  };

  constructor(options: FrameAssemblerOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** A snapshot of the counters (a copy: callers cannot mutate the assembler through it). */
  get stats(): AssemblerStats {
    return { ...this.counters, dropReasons: { ...this.counters.dropReasons } };
  }

  /** Bytes held for the frame being assembled. */
  get pendingBytes(): number {
    return this.pending?.bytes ?? 0;
  }

  /**
   * Forget everything in flight (not the counters). Call when a stream is (re)opened: the
   * camera's pkg_id sequence may restart.
   */
  reset(): void {
    this.lastPkgId = undefined;
    this.pending = undefined;
    this.discarding = false;
  }

  /** Feed EVERY media packet of one camera (video and audio) in arrival order. */
  push(packet: Packet): AssemblerResult {
    const id = packet.pkgId >>> 0;
    let gapDrop: FrameDrop | undefined;
    if (this.lastPkgId !== undefined) {
      const distance = forwardDistance(this.lastPkgId, id);
      if (distance === 0) {
        this.counters.duplicatePackets++;
        return { kind: 'ignored', why: 'duplicate' };
      }
      if (distance >= HALF_RANGE) {
        this.counters.latePackets++;
        return { kind: 'ignored', why: 'late' };
      }
      if (distance > 1 && this.pending) {
        gapDrop = this.drop('gap', `expected pkg ${(this.lastPkgId + 1) >>> 0}, got ${id} (frame from pkg ${this.pending.firstPkgId})`);
      }
    }
    this.lastPkgId = id;

    if (packet.cmd !== Cmd.JpegFragment) {
      return gapDrop ? { kind: 'dropped', ...gapDrop } : { kind: 'ignored', why: 'not-video' };
    }

    const result = this.pushFragment(packet, id);
    if (!gapDrop) return result;
    // Two things happened on one packet; never lose a delivered frame to report the drop.
    if (result.kind === 'frame') return { ...result, droppedBefore: gapDrop };
    if (result.kind === 'dropped') return result;
    return { kind: 'dropped', ...gapDrop };
  }

  private pushFragment(packet: Packet, id: number): AssemblerResult {
    switch (packet.msgFlag) {
      case MsgFlag.Whole: {
        const restart = this.pending ? this.drop('restarted', `whole frame at pkg ${id} replaced the frame from pkg ${this.pending.firstPkgId}`) : undefined;
        this.discarding = false;
        const result = this.finish({ firstPkgId: id, chunks: [packet.payload], bytes: packet.payload.length }, id, true);
        // The whole frame is complete on its own: report it, with the replaced frame's drop attached.
        return restart && result.kind === 'frame' ? { ...result, droppedBefore: restart } : result;
      }
      case MsgFlag.FirstFragment: {
        const restart = this.pending ? this.drop('restarted', `first fragment at pkg ${id} while the frame from pkg ${this.pending.firstPkgId} was incomplete`) : undefined;
        this.discarding = false;
        this.pending = { firstPkgId: id, chunks: [], bytes: 0 };
        const appended = this.append(packet.payload, id);
        if (appended) return appended;
        return restart ? { kind: 'dropped', ...restart } : { kind: 'pending' };
      }
      case MsgFlag.MiddleFragment:
      case MsgFlag.LastFragment: {
        if (!this.pending) {
          if (this.discarding) {
            this.counters.discardedFragments++;
            return { kind: 'ignored', why: 'discarding' };
          }
          return { kind: 'dropped', ...this.drop('no-first-fragment', `msg_flag ${packet.msgFlag} at pkg ${id} without a first fragment`) };
        }
        const appended = this.append(packet.payload, id);
        if (appended) return appended;
        if (packet.msgFlag === MsgFlag.MiddleFragment) return { kind: 'pending' };
        const frame = this.pending;
        this.pending = undefined;
        return this.finish(frame, id, false);
      }
      default: {
        if (!this.pending) return { kind: 'ignored', why: 'not-video' };
        return { kind: 'dropped', ...this.drop('unknown-flag', `msg_flag ${packet.msgFlag} at pkg ${id} inside the frame from pkg ${this.pending.firstPkgId}`) };
      }
    }
  }

  /** Adds a payload to the pending frame; returns a drop result if the size cap is exceeded. */
  private append(payload: Buffer, id: number): AssemblerResult | undefined {
    const frame = this.pending;
    if (!frame) return undefined;
    frame.chunks.push(payload);
    frame.bytes += payload.length;
    if (frame.bytes > this.maxFrameBytes) {
      return { kind: 'dropped', ...this.drop('oversize', `frame from pkg ${frame.firstPkgId} reached ${frame.bytes} bytes at pkg ${id}, cap ${this.maxFrameBytes}`) };
    }
    return undefined;
  }

  private finish(frame: PendingFrame, lastPkgId: number, whole: boolean): AssemblerResult {
    // One concat per frame: fragments are collected, never appended to a growing buffer.
    const data = frame.chunks.length === 1 ? frame.chunks[0]! : Buffer.concat(frame.chunks, frame.bytes);
    if (whole && data.length > this.maxFrameBytes) {
      return this.dropFinished('oversize', `whole frame at pkg ${lastPkgId} has ${data.length} bytes, cap ${this.maxFrameBytes}`);
    }
    const extracted = extractJpeg(data, whole);
    if (!extracted.ok) {
      return this.dropFinished(extracted.reason, `frame pkg ${frame.firstPkgId}..${lastPkgId}: ${extracted.detail}`);
    }
    this.counters.framesDelivered++;
    return { kind: 'frame', jpeg: extracted.jpeg, firstPkgId: frame.firstPkgId, lastPkgId };
  }

  private dropFinished(reason: DropReason, detail: string): AssemblerResult {
    this.count(reason);
    // The frame is complete, so the next fragment should be a first one: nothing to discard.
    this.discarding = false;
    return { kind: 'dropped', reason, detail };
  }

  private drop(reason: DropReason, detail: string): FrameDrop {
    this.pending = undefined;
    this.discarding = true;
    this.count(reason);
    return { reason, detail };
  }

  private count(reason: DropReason): void {
    this.counters.framesDropped++;
    this.counters.dropReasons[reason]++;
  }
}

type Extracted =
  | { readonly ok: true; readonly jpeg: Buffer }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

/**
 * Finds the JPEG inside a reassembled frame (data + trailer). Exported for tests and tools.
 *
 * The JPEG ends at the last FFD9 before the u32 size field. If the declared size itself lands
 * just after an FFD9, that end is preferred: it is exact even when the 2 unknown trailer bytes
 * happen to be FF D9.
 */
export function extractJpeg(data: Buffer, allowNoTrailer = false): Extracted {
  if (data.length < SOI.length + EOI.length || data[0] !== 0xff || data[1] !== 0xd8) {
    return { ok: false, reason: 'no-soi', detail: `${data.length} bytes not starting with FFD8` };
  }
  const withTrailer = extractWithTrailer(data);
  if (!withTrailer.ok && allowNoTrailer && data[data.length - 2] === 0xff && data[data.length - 1] === 0xd9) {
    return { ok: true, jpeg: data };
  }
  return withTrailer;
}

function extractWithTrailer(data: Buffer): Extracted {
  if (data.length < SOI.length + EOI.length + 4) {
    return { ok: false, reason: 'bad-trailer', detail: `${data.length} bytes cannot hold a JPEG and a size field` };
  }
  const sizeFieldAt = data.length - 4;
  const declared = data.readUInt32LE(sizeFieldAt);
  if (declared >= SOI.length + EOI.length && declared <= sizeFieldAt && data[declared - 2] === 0xff && data[declared - 1] === 0xd9) {
    return { ok: true, jpeg: data.subarray(0, declared) };
  }
  const eoiAt = data.subarray(0, sizeFieldAt).lastIndexOf(EOI);
  if (eoiAt < SOI.length) {
    return { ok: false, reason: 'no-eoi', detail: `no FFD9 in ${data.length} bytes` };
  }
  const jpegLength = eoiAt + EOI.length;
  if (declared > data.length || Math.abs(declared - jpegLength) > DECLARED_SIZE_TOLERANCE) {
    return { ok: false, reason: 'bad-trailer', detail: `declared size ${declared} vs JPEG of ${jpegLength} bytes in ${data.length}` };
  }
  return { ok: true, jpeg: data.subarray(0, jpegLength) };
}
