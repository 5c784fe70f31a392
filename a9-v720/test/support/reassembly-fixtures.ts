/**
 * Packets and a recording reassembler for MediaReassembler tests: synthetic JPEGs cut into the
 * camera's fragments (JPEG + 5-byte tail with the u32 LE size), numbered by the caller.
 */
import { Cmd, MsgFlag, type Packet } from '../../src/protocol/header.js';
import {
  MediaReassembler,
  type AudioChunk,
  type FrameDrop,
  type MediaReassemblerOptions,
  type Reassembled,
  type ReassembledFrame,
} from '../../src/protocol/reassembly.js';

/** A synthetic JPEG: SOI, `size` filler bytes (never FF), EOI. */
export function fakeJpeg(size: number, seed = 1): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 7 + seed * 13) % 251;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), body, Buffer.from([0xff, 0xd9])]);
}

export const mediaPacket = (cmd: number, msgFlag: number, pkgId: number, payload: Buffer): Packet => ({
  length: payload.length,
  cmd,
  msgFlag,
  dealFlag: 0,
  forwardId: Buffer.alloc(8),
  pkgId: pkgId >>> 0,
  payload,
});

/** The flagged fragments of one JPEG (+ 5-byte tail), `fragmentBytes` each, ids from `firstId` (wrapping). */
export function videoPackets(jpeg: Buffer, firstId: number, fragmentBytes = 1004): Packet[] {
  const trailer = Buffer.alloc(5);
  trailer.writeUInt32LE(jpeg.length, 1);
  const data = Buffer.concat([jpeg, trailer]);
  const count = Math.ceil(data.length / fragmentBytes);
  return Array.from({ length: count }, (_, i) =>
    mediaPacket(
      Cmd.JpegFragment,
      count === 1 ? MsgFlag.Whole : i === 0 ? MsgFlag.FirstFragment : i === count - 1 ? MsgFlag.LastFragment : MsgFlag.MiddleFragment,
      (firstId + i) >>> 0,
      data.subarray(i * fragmentBytes, (i + 1) * fragmentBytes),
    ),
  );
}

export const audioPacket = (pkgId: number, fill = 0xd5, cmd: number = Cmd.G711Alaw): Packet =>
  mediaPacket(cmd, MsgFlag.Whole, pkgId, Buffer.alloc(160, fill));

/** What push and tick returned, sorted by kind (each list in order). */
export interface Recorded {
  readonly frames: ReassembledFrame[];
  readonly audio: AudioChunk[];
  readonly drops: FrameDrop[];
}

export function sortFinished(finished: readonly Reassembled[], into: Recorded): void {
  for (const item of finished) {
    if (item.kind === 'frame') into.frames.push(item.frame);
    else if (item.kind === 'audio') into.audio.push(item.audio);
    else into.drops.push(item.drop);
  }
}

/** A MediaReassembler that also records everything its push and tick return. */
export class RecordingReassembler extends MediaReassembler implements Recorded {
  readonly frames: ReassembledFrame[] = [];
  readonly audio: AudioChunk[] = [];
  readonly drops: FrameDrop[] = [];

  override push(...args: Parameters<MediaReassembler['push']>): readonly Reassembled[] {
    const finished = super.push(...args);
    sortFinished(finished, this);
    return finished;
  }

  override tick(now: number): readonly Reassembled[] {
    const finished = super.tick(now);
    sortFinished(finished, this);
    return finished;
  }
}

/** A reassembler that records everything it finishes. */
export function recordingReassembler(options: MediaReassemblerOptions = {}) {
  const r = new RecordingReassembler(options);
  return { r, frames: r.frames, audio: r.audio, drops: r.drops };
}

/** An unflagged (msg_flag 0) frame of two fragments: its role is read from FFD8/FFD9, never decided by size. */
export function unflaggedFrame(jpeg: Buffer, firstId: number, lastId: number) {
  const trailer = Buffer.alloc(5);
  trailer.writeUInt32LE(jpeg.length, 1);
  const data = Buffer.concat([jpeg, trailer]);
  const cut = Math.floor(data.length / 2);
  return [
    mediaPacket(Cmd.JpegFragment, 0, firstId, data.subarray(0, cut)),
    mediaPacket(Cmd.JpegFragment, 0, lastId, data.subarray(cut)),
  ] as const;
}
