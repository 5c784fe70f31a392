/**
 * The second step of MediaReassembler's settle: what to do with the front of the window, from
 * its scan (reassembly-scan.ts), the time and what the previous decision left behind. Pure: it
 * changes nothing; MediaReassembler applies the decision and asks again until the answer is `wait`.
 */
import { FragmentRole, type JpegProblem } from './fragments.js';
import type { FrontScan, OldestFrame } from './reassembly-scan.js';

export type FrameDropReason =
  | 'incomplete' // the window ran out with fragments missing
  | 'no-first-fragment' // fragments whose first fragment never came
  | 'restarted' // a new frame began where this one's last fragment should have been
  | 'oversize' // more than maxFrameBytes
  | 'overflow' // held-bytes cap reached: the oldest frame made room
  | 'jump' // the pkg_id counter jumped; frames in progress were abandoned
  | JpegProblem; // complete, but no JPEG inside

export const FRAME_DROP_REASONS: readonly FrameDropReason[] = [
  'incomplete',
  'no-first-fragment',
  'restarted',
  'oversize',
  'overflow',
  'jump',
  'no-soi',
  'no-eoi',
  'bad-trailer',
];

/**
 * What the front of the window is, between two decisions:
 * - `open`: it starts with a frame (or with something not yet judged);
 * - `discarding`: a frame was dropped before its last fragment; fragments without a first one in
 *   front of them are its rest and go without another drop count.
 */
export type FrontState = 'open' | 'discarding';

/** The window's limits a decision reads. */
export interface DecisionLimits {
  readonly windowMs: number;
  readonly maxFrameBytes: number;
}

/** Release the ids before `upTo` (an exclusive offset from the window's base). */
export type FrontDecision =
  | { readonly kind: 'wait' }
  /**
   * Hand the frame held at offsets from … upTo - 1 on if its JPEG checks out. If not: drop it,
   * named by the JPEG problem — or, with `onBadJpeg: 'wait'`, keep waiting (an audio id filled a
   * hole, and on a separate counter a video fragment with that id may still come).
   */
  | {
      readonly kind: 'deliver';
      readonly from: number;
      readonly upTo: number;
      readonly firstPkgId: number;
      readonly lastPkgId: number;
      /** Roles read from the bytes: the JPEG is cut at its last FFD9 (cutAtLastEoi). */
      readonly unflagged: boolean;
      /** A whole-frame packet: a JPEG without a size trailer is accepted. */
      readonly whole: boolean;
      readonly onBadJpeg: 'drop' | 'wait';
    }
  /** Count a dropped frame; `then` says whether its remaining fragments are still to come. */
  | { readonly kind: 'drop'; readonly upTo: number; readonly reason: FrameDropReason; readonly detail: string; readonly then: FrontState }
  /** A fragment that is the rest of a frame already counted, or an unflagged frame's tail piece: no frame lost. */
  | { readonly kind: 'discard'; readonly upTo: number; readonly then: FrontState };

const WAIT: FrontDecision = { kind: 'wait' };

/** What to do with the front of the window at `now`. */
export function decideFront(scan: FrontScan, front: FrontState, now: number, limits: DecisionLimits): FrontDecision {
  const { head, headOffset } = scan;
  const expired = now - scan.oldest >= limits.windowMs;
  // Can the ids before the head hide a whole frame? Not if they are all audio; nor if a dropped
  // frame's last fragment is still outstanding and only one id is unknown: that id is its last
  // fragment (a frame in between would need that id as well).
  const gapHoldsNoFrame = scan.gapUnknown === 0 || (front === 'discarding' && scan.gapUnknown === 1);

  if (head.role === FragmentRole.Whole) {
    if (!gapHoldsNoFrame && !expired) return WAIT;
    if (scan.bytes > limits.maxFrameBytes) {
      const detail = `whole frame at pkg ${head.id} has ${scan.bytes} bytes, cap ${limits.maxFrameBytes}`;
      return { kind: 'drop', upTo: headOffset + 1, reason: 'oversize', detail, then: 'open' };
    }
    const { id, unflagged } = head;
    return {
      kind: 'deliver',
      from: headOffset,
      upTo: headOffset + 1,
      firstPkgId: id,
      lastPkgId: id,
      unflagged,
      whole: true,
      onBadJpeg: 'drop',
    };
  }

  if (head.role !== FragmentRole.First) return decideStray(scan, front, expired);

  const { lastOffset, firstHole } = scan;
  /** This frame dropped before its first hole (or whole): what lies past it may be another frame's and is judged on its own. */
  const dropUnfinished = (reason: FrameDropReason, detail: string): FrontDecision => ({
    kind: 'drop',
    upTo: firstHole ?? scan.frameEnd,
    reason,
    detail,
    // Only a span through the frame's last fragment leaves nothing of it to come.
    then: firstHole === undefined && lastOffset !== undefined ? 'open' : 'discarding',
  });
  const noLast = `frame from pkg ${head.id}: no last fragment after ${limits.windowMs} ms`;

  if (scan.bytes > limits.maxFrameBytes) {
    return dropUnfinished('oversize', `frame from pkg ${head.id} reached ${scan.bytes} bytes, cap ${limits.maxFrameBytes}`);
  }
  if (!gapHoldsNoFrame && !expired) return WAIT;

  if (lastOffset !== undefined) {
    const deliver = (onBadJpeg: 'drop' | 'wait'): FrontDecision => ({
      kind: 'deliver',
      from: headOffset,
      upTo: lastOffset + 1,
      firstPkgId: head.id,
      lastPkgId: (head.id + lastOffset - headOffset) >>> 0,
      unflagged: head.unflagged,
      whole: false,
      onBadJpeg,
    });
    // An audio id filled a hole: if the JPEG does not check out, a video fragment with a
    // coincident id on a separate audio counter is still missing; it may still come.
    if (scan.holes === 0) return deliver(scan.audioInside && !expired ? 'wait' : 'drop');
    // The holes were not video: the bytes add up to the declared size exactly. Only adjacent
    // holes could hide a frame boundary (this frame's last fragment and the next one's first,
    // whose last we found) — that is not decided by size, it waits.
    if (!scan.adjacentHoles && !head.unflagged && scan.sizeFits) return deliver('drop');
    if (!expired) return WAIT;
    return dropUnfinished('incomplete', `frame from pkg ${head.id}: ${scan.holes} packet(s) missing after ${limits.windowMs} ms`);
  }

  if (scan.nextOffset !== undefined) {
    // Where an audio id sits, this frame's last fragment may still be (a separate counter).
    if ((scan.holes > 0 || scan.audioInside) && !expired) return WAIT;
    if (scan.holes === 0) {
      // The next frame's first fragment comes to the front: nothing of this frame is still to come.
      const detail = `frame from pkg ${head.id} ended without a last fragment: a new frame began`;
      return { kind: 'drop', upTo: scan.nextOffset, reason: 'restarted', detail, then: 'open' };
    }
    return dropUnfinished('incomplete', noLast);
  }

  if (!expired) return WAIT;
  return dropUnfinished('incomplete', noLast);
}

/**
 * A middle or last fragment with no first fragment in front of it. Unless it directly follows the
 * previous frame, its first fragment may still come: wait out the window. (Even behind a dropped
 * frame: that frame may have restarted, the one gap id being the first fragment of this one,
 * which a resend can still bring.)
 */
function decideStray(scan: FrontScan, front: FrontState, expired: boolean): FrontDecision {
  const { head, headOffset } = scan;
  if (headOffset > 0 && !expired) return WAIT;
  const upTo = headOffset + 1;
  // The few bytes after an unflagged frame's FFD9 (its size tail) in a packet of their own.
  const unflaggedTail = head.unflagged && head.role === FragmentRole.Middle && head.payload.length <= 8;
  // A last fragment ends the frame; a tail piece ends nothing and starts nothing, so a stray
  // fragment after it is a new drop.
  if (front === 'discarding') return { kind: 'discard', upTo, then: head.role === FragmentRole.Last ? 'open' : 'discarding' };
  if (unflaggedTail) return { kind: 'discard', upTo, then: 'open' };
  const detail = `fragment at pkg ${head.id} without the first fragment of its frame`;
  return { kind: 'drop', upTo, reason: 'no-first-fragment', detail, then: head.role === FragmentRole.Last ? 'open' : 'discarding' };
}

/** The held-bytes cap was reached: the oldest frame goes, complete or not. */
export function decideOverflow(oldest: OldestFrame, maxHeldBytes: number): FrontDecision {
  return {
    kind: 'drop',
    upTo: oldest.end,
    reason: 'overflow',
    detail: `${maxHeldBytes} bytes held: the oldest frame made room`,
    then: oldest.sawLast ? 'open' : 'discarding',
  };
}
