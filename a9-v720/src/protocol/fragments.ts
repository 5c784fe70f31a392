/**
 * What a video fragment is and how a JPEG is cut out of a frame's bytes (docs/protocol.md §5). Pure.
 * The reorder window that collects the fragments lives in reassembly.ts.
 *
 * A frame's bytes are the JPEG followed by a tail: observed 1 unknown byte + u32 LE declared
 * JPEG size (5 bytes); older reference code assumed 2 unknown bytes (6). Other tail lengths are
 * tolerated. A single-packet frame (msg_flag 255) may also come without a tail.
 */
import { MsgFlag, type Packet } from './header.js';

export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024;
/** The u32 LE declared size at the very end of a frame's bytes. */
export const SIZE_FIELD_BYTES = 4;
/** Longest tail we accept when nothing else tells us where the JPEG ends: 4 unknown bytes + the size field. */
export const MAX_TAIL_BYTES = 8;
/** How far the declared size may be from the JPEG we found (a real log showed off-by-one reports). */
export const DECLARED_SIZE_TOLERANCE = 8;

export type JpegProblem =
  | 'no-soi' // the frame does not start with FFD8
  | 'no-eoi' // no FFD9 where the JPEG should end
  | 'bad-trailer'; // declared size implausible

/** Where a video packet sits in its frame. */
export enum FragmentRole {
  First,
  Middle,
  Last,
  Whole,
}

export interface ClassifiedFragment {
  readonly role: FragmentRole;
  /**
   * True when msg_flag was not 250/251/252/255 (firmware that ignores 298): the role was read
   * from the bytes (FFD8 at the start, FFD9 near the end) and the frame is cut at FFD8…FFD9.
   */
  readonly unflagged: boolean;
}

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);

export function classifyFragment(packet: Packet): ClassifiedFragment {
  switch (packet.msgFlag) {
    case MsgFlag.FirstFragment:
      return { role: FragmentRole.First, unflagged: false };
    case MsgFlag.MiddleFragment:
      return { role: FragmentRole.Middle, unflagged: false };
    case MsgFlag.LastFragment:
      return { role: FragmentRole.Last, unflagged: false };
    case MsgFlag.Whole:
      return { role: FragmentRole.Whole, unflagged: false };
    default: {
      const payload = packet.payload;
      const starts = payload.length >= 2 && payload[0] === 0xff && payload[1] === 0xd8;
      // An EOI within the last bytes (a tail may follow it). Entropy-coded JPEG data never holds
      // FF D9, so only the real end of the image (or an embedded thumbnail's, near the start) matches.
      const ends = payload.indexOf(EOI, Math.max(0, payload.length - EOI.length - MAX_TAIL_BYTES)) >= 0;
      const role = starts && ends ? FragmentRole.Whole : starts ? FragmentRole.First : ends ? FragmentRole.Last : FragmentRole.Middle;
      return { role, unflagged: true };
    }
  }
}

export type Extracted =
  { readonly ok: true; readonly jpeg: Buffer } | { readonly ok: false; readonly reason: JpegProblem; readonly detail: string };

/**
 * Finds the JPEG inside a flagged frame's bytes (data + tail). Exported for tests and tools.
 *
 * The JPEG ends at the last FFD9 before the u32 size field. If the declared size itself lands
 * just after an FFD9, that end is preferred: it is exact even when the unknown tail bytes
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
  if (data.length < SOI.length + EOI.length + SIZE_FIELD_BYTES) {
    return { ok: false, reason: 'bad-trailer', detail: `${data.length} bytes cannot hold a JPEG and a size field` };
  }
  const sizeFieldAt = data.length - SIZE_FIELD_BYTES;
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

/**
 * For frames cut without flags: FFD8 … the last FFD9, which must be within the frame's last
 * bytes (anything after it is a tail).
 */
export function cutAtLastEoi(data: Buffer): Extracted {
  if (data.length < SOI.length + EOI.length || data[0] !== 0xff || data[1] !== 0xd8) {
    return { ok: false, reason: 'no-soi', detail: `${data.length} bytes not starting with FFD8` };
  }
  const eoiAt = data.lastIndexOf(EOI);
  if (eoiAt < SOI.length || data.length - (eoiAt + EOI.length) > MAX_TAIL_BYTES) {
    return { ok: false, reason: 'no-eoi', detail: `no FFD9 in the last ${MAX_TAIL_BYTES + EOI.length} of ${data.length} bytes` };
  }
  return { ok: true, jpeg: data.subarray(0, eoiAt + EOI.length) };
}

/**
 * True when `chunks` (a frame's video payloads in id order, `total` bytes) are exactly one JPEG
 * plus a tail of 4…MAX_TAIL_BYTES bytes whose size field points right after an FFD9. A frame
 * missing a fragment longer than MAX_TAIL_BYTES - 4 bytes cannot pass, which is what lets the
 * reassembler accept a frame whose id range has holes that were not video (audio on the shared
 * counter, lost).
 */
export function fitsDeclaredSize(chunks: readonly Buffer[], total: number): boolean {
  if (total < SOI.length + EOI.length + SIZE_FIELD_BYTES) return false;
  const declared = readU32At(chunks, total - SIZE_FIELD_BYTES);
  const tail = total - declared;
  if (tail < SIZE_FIELD_BYTES || tail > MAX_TAIL_BYTES || declared < SOI.length + EOI.length) return false;
  return (
    byteAt(chunks, 0) === 0xff &&
    byteAt(chunks, 1) === 0xd8 &&
    byteAt(chunks, declared - 2) === 0xff &&
    byteAt(chunks, declared - 1) === 0xd9
  );
}

function byteAt(chunks: readonly Buffer[], offset: number): number | undefined {
  let at = offset;
  for (const chunk of chunks) {
    if (at < chunk.length) return chunk[at];
    at -= chunk.length;
  }
  return undefined;
}

function readU32At(chunks: readonly Buffer[], offset: number): number {
  let value = 0;
  for (let i = 3; i >= 0; i--) value = value * 256 + (byteAt(chunks, offset + i) ?? 0);
  return value;
}
