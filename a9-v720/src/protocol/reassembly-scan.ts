/**
 * The first step of MediaReassembler's settle: read the front of the reorder window, change
 * nothing. Pure: the window comes in as a view (slots and audio ids by id & SLOT_MASK), the result
 * is a plain value that reassembly-decision.ts judges.
 */
import { fitsDeclaredSize, FragmentRole } from './fragments.js';

/** pkg_ids held ahead of the oldest one still in play (a power of two). ~4 s of a 10 fps stream. */
export const ID_SPAN = 1024;
export const SLOT_MASK = ID_SPAN - 1;
/** An empty audio id slot (ids are u32, so never -1). */
export const NO_ID = -1;

export interface HeldPacket {
  readonly id: number;
  readonly role: FragmentRole;
  readonly unflagged: boolean;
  readonly payload: Buffer;
  readonly arrivedAt: number;
}

/** The window as the scans read it: ids base … base + end - 1, each at its slot id & SLOT_MASK. */
export interface WindowView {
  /** The oldest video id still in play. */
  readonly base: number;
  /** Offset (from base) one past the furthest held video packet; 0 when nothing is held. */
  readonly end: number;
  /** Held video packets. */
  readonly slots: readonly (HeldPacket | undefined)[];
  /** Audio ids seen in the same range (NO_ID where none), so that they are not taken for missing video. */
  readonly audioIds: Float64Array;
}

/**
 * The front of the window: its first held video packet (the head) and, when the head is a first
 * fragment, its frame as far as it is held. For any other head, the frame figures are the head's
 * own (bytes, arrival) and the walk is empty.
 */
export interface FrontScan {
  /** Offset (from base) of the head. */
  readonly headOffset: number;
  readonly head: HeldPacket;
  /** Ids before the head that are neither held nor known audio: they could hide a frame. */
  readonly gapUnknown: number;
  /** Video payload bytes from the head up to where the walk stopped (the last fragment included). */
  readonly bytes: number;
  /** Oldest arrival among the head and the packets before the first hole. */
  readonly oldest: number;
  /** Ids inside the frame that are neither held nor known audio. */
  readonly holes: number;
  /** Offset of the first of them. */
  readonly firstHole: number | undefined;
  /** Two holes with no video fragment between them: could be one frame's last and the next one's first. */
  readonly adjacentHoles: boolean;
  /** An audio id sits inside the frame (where, on a separate counter, a video fragment may still be). */
  readonly audioInside: boolean;
  /** Offset of the frame's last fragment, when held. */
  readonly lastOffset: number | undefined;
  /** Offset of the next frame's first (or whole) fragment, when one came before a last fragment. */
  readonly nextOffset: number | undefined;
  /** Exclusive end of the frame as far as it is known: after its last fragment, at the next frame, or at the window's end. */
  readonly frameEnd: number;
  /**
   * With a last fragment and holes: the held bytes add up to the size the frame declares
   * (fitsDeclaredSize), so the holes were not video. False otherwise (not looked at).
   */
  readonly sizeFits: boolean;
}

const isAudioAt = (view: WindowView, offset: number): boolean => {
  const id = (view.base + offset) >>> 0;
  return view.audioIds[id & SLOT_MASK] === id;
};

/** The front of the window, or undefined when no video packet is held. */
export function scanFront(view: WindowView): FrontScan | undefined {
  const { base, end, slots } = view;
  // The first held video packet, and the ids before it that are not known to be audio.
  let headOffset = 0;
  let head: HeldPacket | undefined;
  let gapUnknown = 0;
  for (; headOffset < end; headOffset++) {
    head = slots[(base + headOffset) & SLOT_MASK];
    if (head) break;
    if (!isAudioAt(view, headOffset)) gapUnknown++;
  }
  if (!head) return undefined;

  let bytes = head.payload.length;
  let oldest = head.arrivedAt;
  let holes = 0;
  let firstHole: number | undefined;
  let adjacentHoles = false;
  let afterHole = false;
  let audioInside = false;
  let lastOffset: number | undefined;
  let nextOffset: number | undefined;
  let offset = headOffset + 1;
  // Only a first fragment opens a walk: up to its last fragment or the next frame's start.
  // Packets up to the first hole are surely this frame's; past a hole the last fragment found
  // may be the next frame's (this frame's last and the next one's first both missing).
  // No allocation in this walk: it runs on every packet while a frame is in progress.
  if (head.role === FragmentRole.First) {
    for (; offset < end; offset++) {
      const packet = slots[(base + offset) & SLOT_MASK];
      if (!packet) {
        if (isAudioAt(view, offset)) {
          audioInside = true;
        } else {
          if (holes++ === 0) firstHole = offset;
          if (afterHole) adjacentHoles = true;
          afterHole = true;
        }
        continue;
      }
      afterHole = false;
      if (packet.role === FragmentRole.First || packet.role === FragmentRole.Whole) {
        nextOffset = offset;
        break;
      }
      bytes += packet.payload.length;
      if (holes === 0 && packet.arrivedAt < oldest) oldest = packet.arrivedAt;
      if (packet.role === FragmentRole.Last) {
        lastOffset = offset;
        offset++;
        break;
      }
    }
  }
  const sizeFits = lastOffset !== undefined && holes > 0 && fitsDeclaredSize(payloads(view, headOffset, lastOffset), bytes);
  return {
    headOffset,
    head,
    gapUnknown,
    bytes,
    oldest,
    holes,
    firstHole,
    adjacentHoles,
    audioInside,
    lastOffset,
    nextOffset,
    frameEnd: head.role === FragmentRole.First ? offset : headOffset + 1,
    sizeFits,
  };
}

/** The payloads of the held video packets from `fromOffset` through `toOffset`, in id order. */
export function payloads(view: WindowView, fromOffset: number, toOffset: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = fromOffset; offset <= toOffset; offset++) {
    const packet = view.slots[(view.base + offset) & SLOT_MASK];
    if (packet) chunks.push(packet.payload);
  }
  return chunks;
}

/** The oldest frame's span, for the held-bytes cap: it goes, complete or not. */
export interface OldestFrame {
  /** Exclusive end offset: the head and, if it opens or continues a frame, that frame's fragments up to its last. */
  readonly end: number;
  /** The span ends with a last (or whole) fragment: nothing of that frame is still to come. */
  readonly sawLast: boolean;
}

/** The frame to drop when the held bytes reach the cap. Call only while packets are held. */
export function scanOldestFrame(view: WindowView): OldestFrame {
  const { base, end: heldEnd, slots } = view;
  let offset = 0;
  let head: HeldPacket | undefined;
  for (; offset < heldEnd; offset++) {
    head = slots[(base + offset) & SLOT_MASK];
    if (head) break;
  }
  let end = offset + 1;
  let sawLast = head?.role === FragmentRole.Last || head?.role === FragmentRole.Whole;
  while (!sawLast && end < heldEnd) {
    const packet = slots[(base + end) & SLOT_MASK];
    if (packet && (packet.role === FragmentRole.First || packet.role === FragmentRole.Whole)) break;
    end++;
    if (packet?.role === FragmentRole.Last) sawLast = true;
  }
  return { end, sawLast };
}
