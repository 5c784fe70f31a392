/**
 * One camera's media reassembly for real networks (docs/protocol.md §5). Pure: no sockets, no timers,
 * no logger — time comes in as `now` (ms, monotonic), and `push` and `tick` return what they
 * finished: frames, dropped frames and audio chunks, in order.
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
 *
 * Deciding the front of the window is three steps, repeated until the answer is `wait`: a pure
 * scan of the frame at the front (reassembly-scan.ts), a pure decision on it
 * (reassembly-decision.ts: wait, deliver, drop or discard, and whether the rest of a dropped frame
 * is still to come), and `apply` here, which alone changes the window.
 */
import { Cmd, type Packet } from './header.js';
import { classifyFragment, cutAtLastEoi, DEFAULT_MAX_FRAME_BYTES, extractJpeg, FragmentRole, type Extracted } from './fragments.js';
import {
  decideFront,
  decideOverflow,
  FRAME_DROP_REASONS,
  type DecisionLimits,
  type FrameDropReason,
  type FrontDecision,
  type FrontState,
} from './reassembly-decision.js';
import { ID_SPAN, NO_ID, payloads, scanFront, scanOldestFrame, SLOT_MASK, type HeldPacket, type WindowView } from './reassembly-scan.js';

export { FRAME_DROP_REASONS, ID_SPAN, type FrameDropReason };

/**
 * How long a frame may wait for late, reordered and resent packets after its first packet
 * arrived: the upper end of the vendor app's ~100 ms, so that a resend asked for by the confirm
 * after the next frame's burst still makes it (measured with bench/media-lossy.ts).
 */
export const REORDER_WINDOW_MS = 150;
/** Payload bytes held at most per camera (a few frames; real frames are 15–30 KB). */
export const DEFAULT_MAX_HELD_BYTES = 1024 * 1024;
/** Out-of-range packets in a row, close to each other, that mean the counter really jumped. */
export const JUMP_CONFIRM_PACKETS = 4;
/** Received ids remembered for the next confirm; beyond this they are counted, not kept. */
export const MAX_UNCONFIRMED_IDS = 4096;

const AUDIO_BEFORE_VIDEO_KEPT = ID_SPAN;

/** `alaw`: G.711 A-law (cmd 4). `pcm16`: cmd 6, 16-bit little-endian. Both 8 kHz mono. */
export type AudioFormat = 'alaw' | 'pcm16';

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

export interface AudioChunk {
  readonly payload: Buffer;
  readonly format: AudioFormat;
  readonly pkgId: number;
}

/** One thing a `push` or `tick` finished. */
export type Reassembled =
  | { readonly kind: 'frame'; readonly frame: ReassembledFrame }
  | { readonly kind: 'drop'; readonly drop: FrameDrop }
  | { readonly kind: 'audio'; readonly audio: AudioChunk };

/** What most calls return: nothing finished (shared, never written to). */
const NOTHING: readonly Reassembled[] = Object.freeze([]);

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
  private readonly limits: DecisionLimits;
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
  /** After a frame was dropped before its last fragment, `discarding`: its remaining fragments go silently. */
  private front: FrontState = 'open';
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
  /** What the current push or tick finished; handed out (and replaced) when it returns. */
  private finished: Reassembled[] = [];
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

  constructor(options: MediaReassemblerOptions = {}) {
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.limits = { windowMs: options.windowMs ?? REORDER_WINDOW_MS, maxFrameBytes };
    this.maxHeldBytes = Math.max(options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES, maxFrameBytes);
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

  /**
   * Feed every media packet of the camera (video cmd 1, audio cmd 4 and 6) as it arrives. Returns
   * what it finished, in order: the audio chunk, frames delivered or dropped.
   */
  push(packet: Packet, now: number): readonly Reassembled[] {
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
        return NOTHING;
    }
    if (mayDecide) this.settle(now);
    return this.takeFinished();
  }

  /**
   * Lets the window run out for frames that waited long enough. Call every few tens of ms while
   * `busy`. Returns the frames it delivered or dropped.
   */
  tick(now: number): readonly Reassembled[] {
    this.settle(now);
    return this.takeFinished();
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
    return !appendedMiddle || this.heldBytesTotal > this.limits.maxFrameBytes;
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

  /** Scan, decide, apply: from the front of the window, for as long as something can be decided at `now`. */
  private settle(now: number): void {
    for (;;) {
      const scan = scanFront(this.window);
      if (!scan) return; // nothing held
      if (!this.apply(decideFront(scan, this.front, now, this.limits))) return;
    }
  }

  /** Carries a decision out; false when the front stays as it is (wait). */
  private apply(decision: FrontDecision): boolean {
    switch (decision.kind) {
      case 'wait':
        return false;
      case 'deliver': {
        const { upTo, firstPkgId, lastPkgId } = decision;
        const jpeg = this.extract(decision);
        if (!jpeg.ok && decision.onBadJpeg === 'wait') return false;
        this.release(upTo);
        this.front = 'open';
        if (jpeg.ok) {
          this.counters.framesDelivered++;
          this.finished.push({ kind: 'frame', frame: { jpeg: jpeg.jpeg, firstPkgId, lastPkgId } });
        } else {
          this.drop(jpeg.reason, `frame pkg ${firstPkgId}..${lastPkgId}: ${jpeg.detail}`);
        }
        return true;
      }
      case 'drop':
        this.release(decision.upTo);
        this.drop(decision.reason, decision.detail);
        this.front = decision.then;
        return true;
      case 'discard':
        this.release(decision.upTo);
        this.counters.discardedFragments++;
        this.front = decision.then;
        return true;
    }
  }

  /** The window as the scans read it. */
  private get window(): WindowView {
    return { base: this.base ?? 0, end: this.heldEnd, slots: this.slots, audioIds: this.audioIds };
  }

  /** The JPEG inside the frame a `deliver` decision names (the window is not changed). */
  private extract(frame: Extract<FrontDecision, { kind: 'deliver' }>): Extracted {
    const chunks = payloads(this.window, frame.from, frame.upTo - 1);
    const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    return frame.unflagged ? cutAtLastEoi(data) : extractJpeg(data, frame.whole);
  }

  /** Held bytes at the cap: the frame at the front of the window goes, complete or not. */
  private dropOldestFrame(): void {
    // Called only while packets are held, so base is set.
    this.apply(decideOverflow(scanOldestFrame(this.window), this.maxHeldBytes));
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
    this.front = 'open';
  }

  private drop(reason: FrameDropReason, detail: string): void {
    this.counters.framesDropped++;
    this.counters.dropReasons[reason]++;
    this.finished.push({ kind: 'drop', drop: { reason, detail } });
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
    this.finished.push({ kind: 'audio', audio: { payload: packet.payload, format, pkgId: id } });
    return filledHole;
  }

  /** What this push or tick finished; the next one starts empty. */
  private takeFinished(): readonly Reassembled[] {
    const finished = this.finished;
    if (finished.length === 0) return NOTHING;
    this.finished = [];
    return finished;
  }

  private audioOnItsOwnCounter(): void {
    this.audioSharesCounter = false;
    this.audioIds.fill(NO_ID);
  }

  private remember(id: number): void {
    if (this.unconfirmed.length < MAX_UNCONFIRMED_IDS) this.unconfirmed.push(id);
    else this.counters.unconfirmedOverflow++;
  }
}
