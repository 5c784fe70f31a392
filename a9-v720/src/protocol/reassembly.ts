/**
 * One camera's media reassembly for real networks (docs/protocol.md §5). Pure: no sockets, no timers,
 * no logger — time comes in as `now` (ms, monotonic), results go out through a listener.
 *
 * Real firmware loses, reorders and resends media packets (it resends what our 605 confirms did
 * not list), so video packets wait in a short reorder window keyed by pkg_id:
 * - duplicates are filtered, late and resent packets fill the holes of frames still in progress;
 * - a frame is delivered byte-exact as soon as it is complete, in frame order: on a clean network
 *   that is the call that brings its last fragment, so the window adds no latency;
 * - a frame that is still incomplete `windowMs` after its first-arriving packet is dropped,
 *   counted with a named reason (the frames behind it then go on).
 *
 * Audio may share the video counter or have its own (not captured; the vendor app keeps one id
 * set per type). Audio ids therefore never count as missing video: a hole in a frame's id range
 * that an audio packet filled is not waited for, and a frame whose video bytes add up to its
 * declared size (fitsDeclaredSize) does not wait for its holes — those were audio, lost (unless
 * two holes touch: they could be a frame boundary). When
 * an audio id seems to fill a hole, the JPEG must still check out, so a coincidence on a separate
 * counter makes the frame wait instead of delivering a broken one.
 *
 * pkg_ids are u32 and wrap; they are compared by serial distance to the oldest id still in play.
 * A packet more than ID_SPAN away (a counter restart, a stray datagram) is ignored unless
 * JUMP_CONFIRM_PACKETS such packets in a row agree, which resynchronises. Memory is bounded under
 * any id pattern: at most ID_SPAN packet slots and maxHeldBytes payload bytes are held, plus at
 * most MAX_UNCONFIRMED_IDS ids waiting for the next confirm.
 *
 * The 605 confirm list (like the vendor app's): the ids received for the frames in progress and
 * those finished since the last confirm was sent, video and audio (confirmIds / confirmSent).
 */
import { Cmd, type Packet } from './header.js';
import {
  classifyFragment,
  cutAtLastEoi,
  DEFAULT_MAX_FRAME_BYTES,
  extractJpeg,
  FragmentRole,
  fitsDeclaredSize,
  type Extracted,
  type JpegProblem,
} from './fragments.js';

/**
 * How long a frame may wait for late, reordered and resent packets after its first packet
 * arrived: the upper end of the vendor app's ~100 ms, so that a resend asked for by the confirm
 * after the next frame's burst still makes it (measured with bench/media-lossy.ts).
 */
export const REORDER_WINDOW_MS = 150;
/** pkg_ids held ahead of the oldest one still in play (a power of two). ~4 s of a 10 fps stream. */
export const ID_SPAN = 1024;
/** Payload bytes held at most per camera (a few frames; real frames are 15–30 KB). */
export const DEFAULT_MAX_HELD_BYTES = 1024 * 1024;
/** Out-of-range packets in a row, close to each other, that mean the counter really jumped. */
export const JUMP_CONFIRM_PACKETS = 4;
/** Received ids remembered for the next confirm; beyond this they are counted, not kept. */
export const MAX_UNCONFIRMED_IDS = 4096;

const SLOT_MASK = ID_SPAN - 1;
const AUDIO_BEFORE_VIDEO_KEPT = ID_SPAN;
const NO_ID = -1;

/** `alaw`: G.711 A-law (cmd 4). `pcm16`: cmd 6, 16-bit little-endian. Both 8 kHz mono. */
export type AudioFormat = 'alaw' | 'pcm16';

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

export interface ReassembledFrame {
  readonly jpeg: Buffer;
  readonly firstPkgId: number;
  readonly lastPkgId: number;
}

export interface FrameDrop {
  readonly reason: FrameDropReason;
  /** Human-readable detail for the log line (ids, sizes). */
  readonly detail: string;
}

export interface ReassemblyListener {
  onFrame(frame: ReassembledFrame): void;
  onAudio(payload: Buffer, format: AudioFormat, pkgId: number): void;
  onDrop(drop: FrameDrop): void;
}

export interface ReassemblyStats {
  framesDelivered: number;
  framesDropped: number;
  dropReasons: Record<FrameDropReason, number>;
  audioDelivered: number;
  duplicatePackets: number;
  /** Packets behind the window: their frame was already delivered or dropped. */
  latePackets: number;
  /** Packets far outside the window, ignored (until JUMP_CONFIRM_PACKETS of them resynchronise). */
  outOfRangePackets: number;
  resyncs: number;
  /** Fragments of an already-dropped frame, thrown away without another drop count. */
  discardedFragments: number;
  /** Received ids not kept for a confirm because MAX_UNCONFIRMED_IDS was reached. */
  unconfirmedOverflow: number;
  /** Highest heldBytes so far. */
  peakHeldBytes: number;
  /** An audio id collided with a video id: this camera numbers audio on its own counter. */
  separateAudioCounter: boolean;
}

export interface MediaReassemblerOptions {
  readonly windowMs?: number;
  readonly maxFrameBytes?: number;
  readonly maxHeldBytes?: number;
}

interface HeldPacket {
  readonly id: number;
  readonly role: FragmentRole;
  readonly unflagged: boolean;
  readonly payload: Buffer;
  readonly arrivedAt: number;
}

/** Signed serial distance from `from` to `to` on the u32 circle. */
const distance = (from: number, to: number): number => (to - from) | 0;

/**
 * Remembers out-of-range ids in a row; reports a jump once JUMP_CONFIRM_PACKETS of them lie
 * within ID_SPAN of each other. Any in-range packet clears it.
 */
class JumpRun<T> {
  private items: { id: number; item: T }[] = [];

  offer(id: number, item: T): { id: number; item: T }[] | undefined {
    const last = this.items.at(-1);
    if (last && Math.abs(distance(last.id, id)) >= ID_SPAN) this.items = [];
    this.items.push({ id, item });
    if (this.items.length < JUMP_CONFIRM_PACKETS) return undefined;
    const run = this.items;
    this.items = [];
    return run;
  }

  clear(): void {
    // Truncated, not replaced: this runs for every in-range packet (the run that offer returned
    // is no longer this.items).
    this.items.length = 0;
  }
}

export class MediaReassembler {
  private readonly windowMs: number;
  private readonly maxFrameBytes: number;
  private readonly maxHeldBytes: number;
  /** Video packets by id & SLOT_MASK, for ids in [base, base + ID_SPAN). */
  private readonly slots: (HeldPacket | undefined)[] = new Array<HeldPacket | undefined>(ID_SPAN).fill(undefined);
  /** Audio ids seen in the same range, so that they are not taken for missing video. */
  private readonly audioIds = new Float64Array(ID_SPAN).fill(NO_ID);
  /** The oldest video id still in play; undefined until the first video packet. */
  private base: number | undefined;
  /** Offset (from base) one past the furthest held video packet. */
  private heldEnd = 0;
  private heldCount = 0;
  private heldBytesTotal = 0;
  /** After a frame was dropped before its last fragment: its remaining fragments go silently. */
  private discarding = false;
  private audioCursor: number | undefined;
  /**
   * Until an audio id is seen that a video packet also carries, audio is assumed to share the
   * video counter and its ids fill holes in the video id range. One such collision proves a
   * separate counter: audio ids are then kept out of the video window.
   */
  private audioSharesCounter = true;
  /** Audio ids seen before the first video packet set the base (a stream may start with audio). */
  private audioBeforeVideo: number[] = [];
  private readonly videoJump = new JumpRun<Packet>();
  private readonly audioJump = new JumpRun<Packet>();
  private unconfirmed: number[] = [];
  /** The counters (separateAudioCounter is derived from audioSharesCounter in `stats`). */
  private readonly counters: Omit<ReassemblyStats, 'separateAudioCounter'> = {
    framesDelivered: 0,
    framesDropped: 0,
    dropReasons: Object.fromEntries(FRAME_DROP_REASONS.map((r) => [r, 0])) as Record<FrameDropReason, number>,
    audioDelivered: 0,
    duplicatePackets: 0,
    latePackets: 0,
    outOfRangePackets: 0,
    resyncs: 0,
    discardedFragments: 0,
    unconfirmedOverflow: 0,
    peakHeldBytes: 0,
  };

  constructor(
    private readonly listener: ReassemblyListener,
    options: MediaReassemblerOptions = {},
  ) {
    this.windowMs = options.windowMs ?? REORDER_WINDOW_MS;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxHeldBytes = Math.max(options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES, this.maxFrameBytes);
  }

  /** A snapshot of the counters (a copy: callers cannot mutate the reassembler through it). */
  get stats(): ReassemblyStats {
    return { ...this.counters, dropReasons: { ...this.counters.dropReasons }, separateAudioCounter: !this.audioSharesCounter };
  }

  /** Payload bytes held in the window now. */
  get heldBytes(): number {
    return this.heldBytesTotal;
  }

  get heldPackets(): number {
    return this.heldCount;
  }

  /** True while packets wait in the window or ids wait for a confirm: `tick` and confirms have work. */
  get busy(): boolean {
    return this.heldCount > 0 || this.unconfirmed.length > 0;
  }

  /** Feed every media packet of the camera (video cmd 1, audio cmd 4 and 6) as it arrives. */
  push(packet: Packet, now: number): void {
    let mayDecide: boolean;
    switch (packet.cmd) {
      case Cmd.JpegFragment:
        mayDecide = this.pushVideo(packet, now);
        break;
      case Cmd.G711Alaw:
        mayDecide = this.pushAudio(packet, 'alaw');
        break;
      case Cmd.Pcm:
        mayDecide = this.pushAudio(packet, 'pcm16');
        break;
      default:
        return;
    }
    if (mayDecide) this.settle(now);
  }

  /** Lets the window run out for frames that waited long enough. Call every few tens of ms while `busy`. */
  tick(now: number): void {
    this.settle(now);
  }

  /** The ids to list in the next 605: frames in progress and everything received since the last confirm, sorted. */
  confirmIds(): number[] {
    const ids = this.unconfirmed.slice();
    const base = this.base ?? 0; // (nothing is held without a base: heldEnd is 0)
    for (let offset = 0; offset < this.heldEnd; offset++) {
      const held = this.slots[(base + offset) & SLOT_MASK];
      if (held) ids.push(held.id);
    }
    // Ids are u32: a typed array sorts them numerically without a comparator call per pair
    // (5× faster; this runs for every confirm of every camera).
    const sorted = Uint32Array.from(ids).sort();
    const unique: number[] = [];
    // sorted[-1] is undefined: the first id is always kept.
    for (let i = 0; i < sorted.length; i++) if (sorted[i - 1] !== sorted[i]) unique.push(sorted[i]!);
    return unique;
  }

  /** A confirm listing `confirmIds()` went out: the finished frames' ids need not be listed again. */
  confirmSent(): void {
    this.unconfirmed = [];
  }

  /** Forget everything in flight (not the counters): the stream was reopened, ids may restart. */
  reset(): void {
    this.clearWindow();
    this.base = undefined;
    this.audioCursor = undefined;
    this.audioSharesCounter = true;
    this.audioBeforeVideo = [];
    this.videoJump.clear();
    this.audioJump.clear();
    this.unconfirmed = [];
  }

  // ---- video ------------------------------------------------------------------------------

  /** False when the packet cannot change what the front of the window waits for (the per-packet fast path). */
  private pushVideo(packet: Packet, now: number): boolean {
    const id = packet.pkgId >>> 0;
    if (this.base === undefined) {
      this.base = id;
      // Audio that came before the first video packet may sit inside this frame's ids.
      for (const audioId of this.audioBeforeVideo) {
        const d = distance(id, audioId);
        if (d >= 0 && d < ID_SPAN) this.audioIds[audioId & SLOT_MASK] = audioId;
      }
      this.audioBeforeVideo = [];
    }
    const d = distance(this.base, id);
    if (d >= 0 && d < ID_SPAN) {
      this.videoJump.clear();
      return this.insert(packet, id, now);
    }
    this.remember(id);
    if (d < 0 && d > -ID_SPAN) {
      this.counters.latePackets++;
      return false;
    }
    const run = this.videoJump.offer(id, packet);
    if (!run) {
      this.counters.outOfRangePackets++;
      return false;
    }
    this.resync(
      run.map((entry) => entry.item),
      now,
    );
    return true;
  }

  /** Holds a packet in the window; false when it cannot change a decision (see pushVideo). */
  private insert(packet: Packet, id: number, now: number): boolean {
    const slot = id & SLOT_MASK;
    if (this.slots[slot]) {
      this.counters.duplicatePackets++;
      this.remember(id);
      return false;
    }
    const { role, unflagged } = classifyFragment(packet);
    const payload = packet.payload;
    while (this.heldCount > 0 && this.heldBytesTotal + payload.length > this.maxHeldBytes) this.dropOldestFrame();
    // The loop may have moved the base past this id.
    const at = distance(this.base ?? id, id);
    if (at < 0) {
      this.remember(id);
      this.counters.latePackets++;
      return false;
    }
    if (this.audioIds[slot] === id) this.audioOnItsOwnCounter();
    // A middle fragment right after the furthest held packet, behind others, fills no hole and
    // ends no frame: nothing at the front can be decided by it (the tick still runs windows out).
    const appendedMiddle = role === FragmentRole.Middle && this.heldCount > 0 && at === this.heldEnd;
    this.slots[slot] = { id, role, unflagged, payload, arrivedAt: now };
    this.heldCount++;
    this.heldBytesTotal += payload.length;
    if (this.heldBytesTotal > this.counters.peakHeldBytes) this.counters.peakHeldBytes = this.heldBytesTotal;
    if (at + 1 > this.heldEnd) this.heldEnd = at + 1;
    return !appendedMiddle || this.heldBytesTotal > this.maxFrameBytes;
  }

  /** The counter jumped: abandon what is in progress and start over at the run's ids. */
  private resync(run: readonly Packet[], now: number): void {
    if (this.heldCount > 0) this.drop('jump', `pkg_id jumped to ${run[0]!.pkgId >>> 0}; ${this.heldCount} packet(s) in progress abandoned`);
    this.counters.resyncs++;
    this.clearWindow();
    const first = run[0]!.pkgId >>> 0;
    let lowest = first;
    for (const packet of run) if (distance(lowest, packet.pkgId >>> 0) < 0) lowest = packet.pkgId >>> 0;
    this.base = lowest;
    for (const packet of run) this.insert(packet, packet.pkgId >>> 0, now);
  }

  /** Delivers and drops from the front of the window for as long as something can be decided at `now`. */
  private settle(now: number): void {
    for (;;) {
      const base = this.base ?? 0;
      // The first held video packet, and the ids before it that are not known to be audio.
      let headOffset = 0;
      let head: HeldPacket | undefined;
      let gapUnknown = 0;
      for (; headOffset < this.heldEnd; headOffset++) {
        head = this.slots[(base + headOffset) & SLOT_MASK];
        if (head) break;
        if (!this.isAudioId((base + headOffset) >>> 0)) gapUnknown++;
      }
      if (!head) return; // nothing held
      // Can the ids before the head hide a whole frame? Not if they are all audio; nor if a
      // dropped frame's last fragment is still outstanding and only one id is unknown: that id
      // is its last fragment (a frame in between would need that id as well).
      const gapHoldsNoFrame = gapUnknown === 0 || (this.discarding && gapUnknown === 1);

      if (head.role === FragmentRole.Whole) {
        if (!gapHoldsNoFrame && now - head.arrivedAt < this.windowMs) return;
        this.release(headOffset + 1);
        this.finish([head.payload], head.payload.length, head, head.id, true);
        continue;
      }

      if (head.role !== FragmentRole.First) {
        // A middle or last fragment with no first fragment in front of it. Unless it directly
        // follows the previous frame, its first fragment may still come: wait out the window.
        // (Even behind a dropped frame: that frame may have restarted, the one gap id being the
        // first fragment of this one, which a resend can still bring.)
        if (headOffset > 0 && now - head.arrivedAt < this.windowMs) return;
        this.release(headOffset + 1);
        // The few bytes after an unflagged frame's FFD9 (its size tail) in a packet of their own.
        const unflaggedTail = head.unflagged && head.role === FragmentRole.Middle && head.payload.length <= 8;
        if (this.discarding || unflaggedTail) {
          // The rest of a frame already counted as dropped, or a tail piece: no frame lost.
          this.counters.discardedFragments++;
        } else {
          this.drop('no-first-fragment', `fragment at pkg ${head.id} without the first fragment of its frame`);
        }
        // A tail piece ends nothing and starts nothing: a stray fragment after it is a new drop.
        this.discarding = head.role !== FragmentRole.Last && (this.discarding || !unflaggedTail);
        continue;
      }

      // A first fragment: walk its frame up to the last fragment or the next frame's start.
      // Packets up to the first hole are surely this frame's; past a hole the last fragment found
      // may be the next frame's (this frame's last and the next one's first both missing).
      // No allocation in this walk: it runs on every packet while a frame is in progress.
      let bytes = head.payload.length;
      let oldest = head.arrivedAt;
      let missing = 0;
      let firstHole: number | undefined;
      /** Two holes with no video fragment between them: could be one frame's last and the next one's first. */
      let adjacentHoles = false;
      let afterHole = false;
      let audioInside = false;
      let endOffset: number | undefined;
      let nextOffset: number | undefined;
      let offset = headOffset + 1;
      for (; offset < this.heldEnd; offset++) {
        const packet = this.slots[(base + offset) & SLOT_MASK];
        if (!packet) {
          if (this.isAudioId((base + offset) >>> 0)) {
            audioInside = true;
          } else {
            if (missing++ === 0) firstHole = offset;
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
        if (missing === 0 && packet.arrivedAt < oldest) oldest = packet.arrivedAt;
        if (packet.role === FragmentRole.Last) {
          endOffset = offset;
          break;
        }
      }
      const expired = now - oldest >= this.windowMs;

      if (bytes > this.maxFrameBytes) {
        this.dropUnfinished(
          firstHole ?? (endOffset !== undefined ? endOffset + 1 : nextOffset),
          'oversize',
          `frame from pkg ${head.id} reached ${bytes} bytes, cap ${this.maxFrameBytes}`,
        );
        continue;
      }
      if (!gapHoldsNoFrame && !expired) return;

      if (endOffset !== undefined) {
        const lastId = (base + endOffset) >>> 0;
        const chunks = this.payloads(headOffset, endOffset);
        if (missing === 0) {
          const jpeg = this.extract(chunks, bytes, head, false);
          if (jpeg.ok || !audioInside || expired) {
            this.release(endOffset + 1);
            this.deliverOrDrop(jpeg, head.id, lastId);
            continue;
          }
          // An audio id filled a hole but the JPEG does not check out: a video fragment with a
          // coincident id on a separate audio counter is still missing. Wait for it.
          return;
        }
        if (!adjacentHoles && !head.unflagged && fitsDeclaredSize(chunks, bytes)) {
          // The holes were not video: the bytes add up to the declared size exactly. Only
          // adjacent holes could hide a frame boundary (this frame's last fragment and the next
          // one's first, whose last we found) — that is not decided by size, it waits.
          this.release(endOffset + 1);
          this.deliverOrDrop(this.extract(chunks, bytes, head, false), head.id, lastId);
          continue;
        }
        if (!expired) return;
        this.dropUnfinished(firstHole, 'incomplete', `frame from pkg ${head.id}: ${missing} packet(s) missing after ${this.windowMs} ms`);
        continue;
      }

      if (nextOffset !== undefined) {
        // Where an audio id sits, this frame's last fragment may still be (a separate counter).
        if ((missing > 0 || audioInside) && !expired) return;
        if (missing === 0) {
          // The new first fragment is now at the front; its frame decides `discarding`.
          this.release(nextOffset);
          this.drop('restarted', `frame from pkg ${head.id} ended without a last fragment: a new frame began`);
        } else {
          this.dropUnfinished(firstHole, 'incomplete', `frame from pkg ${head.id}: no last fragment after ${this.windowMs} ms`);
        }
        continue;
      }

      if (!expired) return;
      this.dropUnfinished(firstHole, 'incomplete', `frame from pkg ${head.id}: no last fragment after ${this.windowMs} ms`);
    }
  }

  /**
   * Drops the frame at the front of the window through `upTo` (exclusive offset; default: all
   * held), i.e. through its first hole: what lies past it may be another frame's and is judged
   * on its own. This frame's fragments that are still to come are discarded without another count.
   */
  private dropUnfinished(upTo: number | undefined, reason: FrameDropReason, detail: string): void {
    // At least the head is dropped: end >= 1.
    const end = upTo ?? this.heldEnd;
    const last = this.slots[((this.base ?? 0) + end - 1) & SLOT_MASK];
    this.release(end);
    this.drop(reason, detail);
    this.discarding = last?.role !== FragmentRole.Last;
  }

  /** The payloads of the held video packets from `fromOffset` through `toOffset`, in id order. */
  private payloads(fromOffset: number, toOffset: number): Buffer[] {
    const base = this.base ?? 0;
    const chunks: Buffer[] = [];
    for (let offset = fromOffset; offset <= toOffset; offset++) {
      const packet = this.slots[(base + offset) & SLOT_MASK];
      if (packet) chunks.push(packet.payload);
    }
    return chunks;
  }

  private extract(chunks: readonly Buffer[], bytes: number, head: HeldPacket, whole: boolean): Extracted {
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes);
    return head.unflagged ? cutAtLastEoi(data) : extractJpeg(data, whole);
  }

  private finish(chunks: readonly Buffer[], bytes: number, head: HeldPacket, lastId: number, whole: boolean): void {
    // A whole frame, delivered or not, ends whatever frame was being discarded before it.
    this.discarding = false;
    if (bytes > this.maxFrameBytes) {
      this.drop('oversize', `whole frame at pkg ${head.id} has ${bytes} bytes, cap ${this.maxFrameBytes}`);
      return;
    }
    this.deliverOrDrop(this.extract(chunks, bytes, head, whole), head.id, lastId);
  }

  private deliverOrDrop(jpeg: Extracted, firstPkgId: number, lastPkgId: number): void {
    this.discarding = false;
    if (!jpeg.ok) {
      this.drop(jpeg.reason, `frame pkg ${firstPkgId}..${lastPkgId}: ${jpeg.detail}`);
      return;
    }
    this.counters.framesDelivered++;
    this.listener.onFrame({ jpeg: jpeg.jpeg, firstPkgId, lastPkgId });
  }

  /** Held bytes at the cap: the frame at the front of the window goes, complete or not. */
  private dropOldestFrame(): void {
    // Called only while packets are held, so base is set.
    const base = this.base ?? 0;
    let offset = 0;
    let head: HeldPacket | undefined;
    for (; offset < this.heldEnd; offset++) {
      head = this.slots[(base + offset) & SLOT_MASK];
      if (head) break;
    }
    // The head packet and, if it opens or continues a frame, that frame's fragments up to its last.
    let end = offset + 1;
    let sawLast = head?.role === FragmentRole.Last || head?.role === FragmentRole.Whole;
    while (!sawLast && end < this.heldEnd) {
      const packet = this.slots[(base + end) & SLOT_MASK];
      if (packet && (packet.role === FragmentRole.First || packet.role === FragmentRole.Whole)) break;
      end++;
      if (packet?.role === FragmentRole.Last) sawLast = true;
    }
    this.release(end);
    this.drop('overflow', `${this.maxHeldBytes} bytes held: the oldest frame made room`);
    this.discarding = !sawLast;
  }

  /** Moves the base `count` ids forward, freeing their slots; released ids go into the next confirm. */
  private release(count: number): void {
    // Called only while packets are held, so base is set.
    const base = this.base ?? 0;
    for (let offset = 0; offset < count; offset++) {
      const slot = (base + offset) & SLOT_MASK;
      const held = this.slots[slot];
      if (held) {
        this.slots[slot] = undefined;
        this.heldCount--;
        this.heldBytesTotal -= held.payload.length;
        this.remember(held.id);
      }
      this.audioIds[slot] = NO_ID;
    }
    this.base = (base + count) >>> 0;
    // Once nothing is held, count reached past the furthest held packet: heldEnd goes to 0.
    this.heldEnd = Math.max(0, this.heldEnd - count);
  }

  private clearWindow(): void {
    const base = this.base ?? 0; // (nothing is held without a base: heldEnd is 0)
    for (let offset = 0; offset < this.heldEnd; offset++) {
      const slot = (base + offset) & SLOT_MASK;
      const held = this.slots[slot];
      if (held) this.remember(held.id);
      this.slots[slot] = undefined;
    }
    this.audioIds.fill(NO_ID);
    this.heldCount = 0;
    this.heldBytesTotal = 0;
    this.heldEnd = 0;
    this.discarding = false;
  }

  private drop(reason: FrameDropReason, detail: string): void {
    this.counters.framesDropped++;
    this.counters.dropReasons[reason]++;
    this.listener.onDrop({ reason, detail });
  }

  // ---- audio --------------------------------------------------------------------------------

  /** Plays the chunk if it is new; true when its id filled a hole inside the video window. */
  private pushAudio(packet: Packet, format: AudioFormat): boolean {
    const id = packet.pkgId >>> 0;
    this.remember(id);
    let filledHole = false;
    if (this.base === undefined) {
      this.audioBeforeVideo.push(id);
      if (this.audioBeforeVideo.length > AUDIO_BEFORE_VIDEO_KEPT) this.audioBeforeVideo.shift();
    } else if (this.audioSharesCounter) {
      const d = distance(this.base, id);
      if (d >= 0 && d < ID_SPAN) {
        if (this.slots[id & SLOT_MASK]) this.audioOnItsOwnCounter();
        else this.audioIds[id & SLOT_MASK] = id;
        // (A collision changes what holes mean, too.)
        filledHole = d < this.heldEnd;
      }
    }
    if (this.audioCursor !== undefined) {
      const d = distance(this.audioCursor, id);
      if (d <= 0 && d > -ID_SPAN) {
        // Audio is played as it comes; an older chunk after a newer one would be a glitch.
        if (d === 0) this.counters.duplicatePackets++;
        else this.counters.latePackets++;
        return filledHole;
      }
      if (d >= ID_SPAN || d <= -ID_SPAN) {
        if (!this.audioJump.offer(id, packet)) {
          this.counters.outOfRangePackets++;
          return filledHole;
        }
        this.counters.resyncs++;
      } else {
        this.audioJump.clear();
      }
    }
    this.audioCursor = id;
    this.counters.audioDelivered++;
    this.listener.onAudio(packet.payload, format, id);
    return filledHole;
  }

  private audioOnItsOwnCounter(): void {
    this.audioSharesCounter = false;
    this.audioIds.fill(NO_ID);
  }

  private isAudioId(id: number): boolean {
    return this.audioIds[id & SLOT_MASK] === id;
  }

  private remember(id: number): void {
    if (this.unconfirmed.length < MAX_UNCONFIRMED_IDS) this.unconfirmed.push(id);
    else this.counters.unconfirmedOverflow++;
  }
}
