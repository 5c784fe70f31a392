/**
 * The camera side of retransmission (docs/protocol.md §5): real firmware keeps the media packets it
 * sent recently and sends again those that the server's 605 confirms did not list. Pure: time
 * is passed in, the caller sends what `due` returns.
 *
 * A packet counts as missed when a confirm does not list it and either lists a LATER packet of
 * the same counter (the server evidently received what was sent after it) while the packet is at
 * least `graceMs` old (a neighbour swap is not a loss yet), or arrives `silenceMs` or more after the
 * packet was sent (the last fragments of a frame have no later packet until the next frame). A
 * merely slow server therefore causes few resends: within `silenceMs` it has not confirmed the later
 * packets either. A missed packet is resent `resendDelayMs` after that confirm, at most
 * `maxResends` times. Packets are forgotten when confirmed, after `keepMs`, or when more than
 * `maxPackets` are held (oldest first), so memory stays bounded whatever the server does —
 * including a server that never confirms anything (then nothing is ever resent). With audio on its
 * own counter, the camera keeps one buffer per counter.
 */

export interface ResendOptions {
  /** A packet younger than this is not missed yet, whatever the confirm says (reordering). Default 20. */
  readonly graceMs?: number;
  /** A confirm this long after a send that does not list the packet means "missed" by itself. Default 60. */
  readonly silenceMs?: number;
  /** Wait after the confirm that missed a packet before resending it. Default 10. */
  readonly resendDelayMs?: number;
  /** Resends per packet. Default 2. */
  readonly maxResends?: number;
  /** Forget a packet this long after its first send. Default 1000. */
  readonly keepMs?: number;
  /** Packets held at most. Default 1024. */
  readonly maxPackets?: number;
}

export interface ResendCounters {
  resent: number;
  confirmed: number;
  /** Packets forgotten unconfirmed (too old, too many, resends used up). */
  abandoned: number;
}

interface SentPacket<T> {
  readonly item: T;
  readonly firstSentAt: number;
  lastSentAt: number;
  resends: number;
  /** When a confirm showed this packet missing; undefined while not known to be missing. */
  missedAt: number | undefined;
}

export class ResendBuffer<T> {
  private readonly graceMs: number;
  private readonly silenceMs: number;
  readonly resendDelayMs: number;
  private readonly maxResends: number;
  private readonly keepMs: number;
  private readonly maxPackets: number;
  /** pkg_id → packet, in first-send order (a Map keeps insertion order). */
  private readonly packets = new Map<number, SentPacket<T>>();
  /** The newest pkg_id of this buffer that a confirm listed. */
  private newestConfirmed: number | undefined;
  constructor(
    options: ResendOptions = {},
    /** Counters, shareable between the buffers of one camera (one per pkg_id counter). */
    readonly counters: ResendCounters = { resent: 0, confirmed: 0, abandoned: 0 },
  ) {
    this.graceMs = options.graceMs ?? 20;
    this.silenceMs = options.silenceMs ?? 60;
    this.resendDelayMs = options.resendDelayMs ?? 10;
    this.maxResends = options.maxResends ?? 2;
    this.keepMs = options.keepMs ?? 1000;
    this.maxPackets = options.maxPackets ?? 1024;
  }

  get size(): number {
    return this.packets.size;
  }

  /** A media packet went out for the first time (whether or not the network then lost it). */
  sent(pkgId: number, item: T, now: number): void {
    const id = pkgId >>> 0;
    this.packets.delete(id);
    this.packets.set(id, { item, firstSentAt: now, lastSentAt: now, resends: 0, missedAt: undefined });
    while (this.packets.size > this.maxPackets) this.forgetOldest();
  }

  /** A 605 arrived listing `pkgIds`: those are done; unlisted ones sent before the newest listed are missed. */
  confirm(pkgIds: readonly number[], now: number): void {
    for (const raw of pkgIds) {
      const id = raw >>> 0;
      if (!this.packets.delete(id)) continue;
      this.counters.confirmed++;
      if (this.newestConfirmed === undefined || isAfter(id, this.newestConfirmed)) this.newestConfirmed = id;
    }
    const newest = this.newestConfirmed;
    for (const [id, packet] of this.packets) {
      if (packet.missedAt !== undefined) continue;
      const age = now - packet.lastSentAt;
      const overtaken = newest !== undefined && isAfter(newest, id) && age >= this.graceMs;
      if (overtaken || age >= this.silenceMs) packet.missedAt = now;
    }
  }

  /** Packets to send again at `now`; also forgets expired ones. */
  due(now: number): { pkgId: number; item: T }[] {
    const out: { pkgId: number; item: T }[] = [];
    for (const [pkgId, packet] of this.packets) {
      if (now - packet.firstSentAt > this.keepMs) {
        this.packets.delete(pkgId);
        this.counters.abandoned++;
        continue;
      }
      if (packet.missedAt === undefined || now - packet.missedAt < this.resendDelayMs) continue;
      if (packet.resends >= this.maxResends) {
        this.packets.delete(pkgId);
        this.counters.abandoned++;
        continue;
      }
      packet.resends++;
      packet.lastSentAt = now;
      packet.missedAt = undefined;
      this.counters.resent++;
      out.push({ pkgId, item: packet.item });
    }
    return out;
  }

  /**
   * When the earliest packet already known to be missed becomes due (undefined: none is). A
   * caller that ran `due` a little before a packet's delay was over must come back then, not
   * wait for the next confirm.
   */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    for (const packet of this.packets.values()) {
      if (packet.missedAt === undefined) continue;
      const at = packet.missedAt + this.resendDelayMs;
      if (earliest === undefined || at < earliest) earliest = at;
    }
    return earliest;
  }

  /** The stream stopped: nothing is resent any more. */
  clear(): void {
    this.packets.clear();
    this.newestConfirmed = undefined;
  }

  private forgetOldest(): void {
    const oldest = this.packets.keys().next();
    if (oldest.done) return;
    this.packets.delete(oldest.value);
    this.counters.abandoned++;
  }
}

/** `a` comes after `b` in the u32 pkg_id sequence (within half the range, so wrap-around works). */
function isAfter(a: number, b: number): boolean {
  const distance = (a - b) >>> 0;
  return distance !== 0 && distance < 0x8000_0000;
}
