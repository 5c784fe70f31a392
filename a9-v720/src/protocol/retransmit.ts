/**
 * Retransmission confirms (cmd 605, PROTOCOL.md §5): the server tells the camera which media
 * pkg_ids arrived. Without them the camera's frame rate collapses. Pure: time is passed in.
 */
import { Cmd, encodePacket, MsgFlag, SERVER_FORWARD_ID } from './header.js';

/** Ids per datagram; 256 ids = 1024 payload bytes, comfortably below any MTU-related limit. */
export const MAX_IDS_PER_CONFIRM = 256;

/** One cmd 605 datagram: forward id ASCII "00000000", payload = u32 LE pkg ids. */
export function encodeRetransmitConfirm(pkgIds: readonly number[]): Buffer {
  const payload = Buffer.allocUnsafe(pkgIds.length * 4);
  pkgIds.forEach((id, i) => payload.writeUInt32LE(id >>> 0, i * 4));
  return encodePacket({
    cmd: Cmd.RetransmitConfirm,
    msgFlag: MsgFlag.None,
    dealFlag: 0,
    forwardId: SERVER_FORWARD_ID,
    pkgId: 0,
    payload,
  });
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

export interface RetransmitTrackerOptions {
  /** Confirm period while ids arrive; PROTOCOL.md says about 100 ms. */
  readonly intervalMs?: number;
  /**
   * Bound on ids held between two confirms. A normal 100 ms holds ~30 ids; the cap only matters
   * for a flood (or a stalled caller), where ids beyond it are not confirmed but counted.
   */
  readonly maxPendingIds?: number;
  readonly maxIdsPerDatagram?: number;
}

export interface RetransmitTrackerStats {
  confirmsSent: number;
  idsConfirmed: number;
  /** Ids not recorded because the pending list was full. */
  idsOverflowed: number;
}

/**
 * Per camera stream: `record` every received media pkg_id, `frameCompleted` on each delivered
 * frame, and call `poll(now)` often (on every packet and on a ~100 ms timer). `poll` returns the
 * datagrams to send now — usually none.
 */
export class RetransmitTracker {
  private readonly intervalMs: number;
  private readonly maxPendingIds: number;
  private readonly maxIdsPerDatagram: number;
  /** The protocol starts confirming only after the first complete frame. */
  private started = false;
  private emptyConfirmDue = false;
  private lastSentAt = 0;
  private ids: number[] = [];
  private readonly counters: RetransmitTrackerStats = { confirmsSent: 0, idsConfirmed: 0, idsOverflowed: 0 };

  constructor(options: RetransmitTrackerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxPendingIds = options.maxPendingIds ?? 4096;
    this.maxIdsPerDatagram = options.maxIdsPerDatagram ?? MAX_IDS_PER_CONFIRM;
  }

  get stats(): RetransmitTrackerStats {
    return { ...this.counters };
  }

  get pendingIds(): number {
    return this.ids.length;
  }

  /** Records a received media pkg_id (video or audio). Ignored before the first complete frame. */
  record(pkgId: number): void {
    if (!this.started) return;
    if (this.ids.length >= this.maxPendingIds) {
      this.counters.idsOverflowed++;
      return;
    }
    this.ids.push(pkgId >>> 0);
  }

  /** Call on every delivered frame; the first one triggers the initial empty confirm. */
  frameCompleted(): void {
    if (this.started) return;
    this.started = true;
    this.emptyConfirmDue = true;
    this.ids = [];
  }

  /** Datagrams to send at `now` (ms, any monotonic clock); resets the id list when it returns some. */
  poll(now: number): Buffer[] {
    if (this.emptyConfirmDue) {
      this.emptyConfirmDue = false;
      this.lastSentAt = now;
      this.counters.confirmsSent++;
      return [encodeRetransmitConfirm([])];
    }
    if (!this.started || this.ids.length === 0 || now - this.lastSentAt < this.intervalMs) return [];
    const ids = this.ids;
    this.ids = [];
    this.lastSentAt = now;
    const datagrams = encodeRetransmitConfirms(ids, this.maxIdsPerDatagram);
    this.counters.confirmsSent += datagrams.length;
    this.counters.idsConfirmed += ids.length;
    return datagrams;
  }

  /** Stream closed or reopened: wait for a first complete frame again. */
  reset(): void {
    this.started = false;
    this.emptyConfirmDue = false;
    this.ids = [];
  }
}
