/**
 * Retransmission confirms (cmd 605, docs/protocol.md §5): the server tells the camera which media
 * pkg_ids arrived; the camera sends the others again. Without them the camera's frame rate
 * collapses. Pure: time is passed in. Which ids to list is the reassembler's knowledge
 * (MediaReassembler.confirmIds); when to send is decided here.
 */
import { Cmd, encodePacket, HEADER_SIZE, MsgFlag, SERVER_FORWARD_ID } from './header.js';

/** Ids per datagram; 256 ids = 1024 payload bytes, comfortably below any MTU-related limit. */
export const MAX_IDS_PER_CONFIRM = 256;

/** The fixed part of every confirm's header (payload length written per datagram). */
const CONFIRM_HEADER = encodePacket({
  cmd: Cmd.RetransmitConfirm,
  msgFlag: MsgFlag.None,
  dealFlag: 0,
  forwardId: SERVER_FORWARD_ID,
  pkgId: 0,
});

/** One cmd 605 datagram: forward id ASCII "00000000", payload = u32 LE pkg ids. */
export function encodeRetransmitConfirm(pkgIds: readonly number[]): Buffer {
  // One allocation, ids written byte by byte: this runs for every confirm of every camera.
  const out = Buffer.allocUnsafe(HEADER_SIZE + pkgIds.length * 4);
  CONFIRM_HEADER.copy(out, 0);
  out.writeUInt32LE(pkgIds.length * 4, 0);
  let offset = HEADER_SIZE;
  for (const raw of pkgIds) {
    const id = raw >>> 0;
    out[offset] = id & 0xff;
    out[offset + 1] = (id >>> 8) & 0xff;
    out[offset + 2] = (id >>> 16) & 0xff;
    out[offset + 3] = id >>> 24;
    offset += 4;
  }
  return out;
}

/** Splits a long id list into several confirms of at most `maxPerDatagram` ids each. */
export function encodeRetransmitConfirms(pkgIds: readonly number[], maxPerDatagram = MAX_IDS_PER_CONFIRM): Buffer[] {
  if (pkgIds.length === 0) return [encodeRetransmitConfirm([])];
  const out: Buffer[] = [];
  for (let i = 0; i < pkgIds.length; i += maxPerDatagram) {
    out.push(encodeRetransmitConfirm(pkgIds.slice(i, i + maxPerDatagram)));
  }
  return out;
}

/**
 * The vendor app's pace (docs/protocol.md §5): a confirm goes out whenever its id list changed, and an
 * unchanged list is repeated once this old — it is skipped only while both hold.
 */
export const CONFIRM_REPEAT_MS = 200;

/**
 * While a frame in progress waits for a packet, an unchanged list is repeated this soon instead.
 * The camera resends what a confirm does not list, once its own send is old enough not to be
 * merely in flight; after a resend that is lost again, nothing new arrives until the next frame,
 * so at the 200 ms pace the second resend is asked for too late for the reorder window
 * (REORDER_WINDOW_MS, 150 ms). Measured with bench/media-lossy.ts --diagnose. The content of the
 * list stays the vendor app's; only an unchanged list goes out sooner, and only while something
 * is missing, so at most one extra confirm per this interval. Longer than a resend's round trip
 * (the simulated firmware waits 20 ms after its send, then 10 ms after the confirm).
 */
export const CONFIRM_GAP_REPEAT_MS = 40;

export interface ConfirmPacerStats {
  confirmsSent: number;
  idsConfirmed: number;
  /** Decisions that sent nothing because the list was unchanged and the last send recent. */
  unchangedSkipped: number;
  /** Unchanged lists sent again sooner than repeatMs because a frame was waiting (gapRepeatMs). */
  gapRepeats: number;
}

export interface ConfirmPacerOptions {
  /** Default CONFIRM_REPEAT_MS. */
  readonly repeatMs?: number;
  /** Default CONFIRM_GAP_REPEAT_MS; at most repeatMs (equal: no sooner repeat while a frame waits). */
  readonly gapRepeatMs?: number;
  /** Default MAX_IDS_PER_CONFIRM. */
  readonly maxIdsPerDatagram?: number;
}

/**
 * Decides when a camera's confirm list is sent. The caller asks at its decision points (a frame
 * finished, a periodic tick) with the current sorted list; `next` returns the datagrams to send
 * now — none for an empty list or an unchanged one sent less than `repeatMs` ago (`gapRepeatMs`
 * while the caller says a frame is waiting for a missing packet).
 */
export class ConfirmPacer {
  private readonly repeatMs: number;
  private readonly gapRepeatMs: number;
  private readonly maxIdsPerDatagram: number;
  private lastIds: readonly number[] = [];
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private readonly counters: ConfirmPacerStats = { confirmsSent: 0, idsConfirmed: 0, unchangedSkipped: 0, gapRepeats: 0 };

  constructor(options: ConfirmPacerOptions = {}) {
    this.repeatMs = options.repeatMs ?? CONFIRM_REPEAT_MS;
    this.gapRepeatMs = Math.min(options.gapRepeatMs ?? CONFIRM_GAP_REPEAT_MS, this.repeatMs);
    this.maxIdsPerDatagram = options.maxIdsPerDatagram ?? MAX_IDS_PER_CONFIRM;
  }

  get stats(): ConfirmPacerStats {
    return { ...this.counters };
  }

  /** When the last confirm went out (ms, the caller's clock); -Infinity before the first. */
  get lastSentTime(): number {
    return this.lastSentAt;
  }

  /** `waiting`: a frame in progress still misses a packet (the camera may have to resend it again). */
  next(ids: readonly number[], now: number, waiting = false): Buffer[] {
    if (ids.length === 0) return [];
    const age = now - this.lastSentAt;
    if (age < this.repeatMs && sameIds(ids, this.lastIds)) {
      if (!waiting || age < this.gapRepeatMs) {
        this.counters.unchangedSkipped++;
        return [];
      }
      this.counters.gapRepeats++;
    }
    this.lastIds = ids;
    this.lastSentAt = now;
    const datagrams = encodeRetransmitConfirms(ids, this.maxIdsPerDatagram);
    this.counters.confirmsSent += datagrams.length;
    this.counters.idsConfirmed += ids.length;
    return datagrams;
  }

  /** Stream reopened: the next list goes out whatever the last one was. */
  reset(): void {
    this.lastIds = [];
    this.lastSentAt = Number.NEGATIVE_INFINITY;
  }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
