/**
 * One camera's media receive path between the UDP channel and the media sink: the reorder window
 * (MediaReassembler) turns packets into frames and audio chunks, and the confirms (605) go out at
 * the vendor app's pace (ConfirmPacer) — without them the camera's frame rate collapses, and they
 * are what makes it resend what was lost. Owned by the camera's OnlineCamera; no sockets here
 * (confirms leave through `sendConfirm`, towards the camera's one bound UDP endpoint).
 */
import type { Logger } from '../log.js';
import type { Packet } from '../protocol/header.js';
import { MediaReassembler, type Reassembled, type ReassemblyStats } from '../protocol/reassembly.js';
import { ConfirmPacer, type ConfirmPacerOptions, type ConfirmPacerStats } from '../protocol/retransmit.js';
import type { LatencySamples } from '../util/latency-samples.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import type { MediaSink } from './media-sink.js';

/** Packets paused this long: the list between frame events can go out (see tick). */
const CONFIRM_QUIET_MS = 25;
/** A confirm at least this often while packets keep coming without a frame finishing. */
const CONFIRM_OVERDUE_MS = 50;

/** What one camera's receiver has counted: reassembly and confirm pacing. */
export interface ReceiveStats {
  readonly reassembly: ReassemblyStats;
  readonly confirms: ConfirmPacerStats;
}

export interface CameraMediaReceiverOptions {
  readonly cameraId: string;
  readonly sink: MediaSink;
  readonly sendConfirm: (datagram: Buffer) => void;
  /** The camera's logger: its lines carry the camera id as `camera`. */
  readonly logger: Logger;
  /** Shared by all cameras: from the packet that completed a frame to the frame written to every consumer. */
  readonly deliveryLatency: LatencySamples;
  readonly now?: () => number;
  /** Confirm pacing other than the vendor app's (benchmarks compare variants). */
  readonly pacing?: ConfirmPacerOptions;
}

export class CameraMediaReceiver {
  private readonly reassembler = new MediaReassembler();
  private readonly pacer: ConfirmPacer;
  private readonly dropLog: RateLimitedLog;
  private readonly now: () => number;
  private packetsSeen = false;
  /** Confirms begin with the first finished frame, as in the capture (its ids are the first list). */
  private confirming = false;
  private lastArrivalAt = 0;

  constructor(private readonly options: CameraMediaReceiverOptions) {
    this.now = options.now ?? (() => performance.now());
    this.pacer = new ConfirmPacer(options.pacing);
    this.dropLog = new RateLimitedLog(options.logger, { intervalMs: 30_000 });
  }

  /** True once a media packet arrived since the camera came online. */
  get hasMedia(): boolean {
    return this.packetsSeen;
  }

  get stats(): ReceiveStats {
    return { reassembly: this.reassembler.stats, confirms: this.pacer.stats };
  }

  onPacket(packet: Packet): void {
    const now = this.now();
    this.lastArrivalAt = now;
    this.packetsSeen = true;
    if (this.hand(this.reassembler.push(packet, now), now)) this.confirm(now, true);
  }

  /**
   * Call every few tens of ms: frames whose window ran out are dropped (and the frames behind
   * them delivered), and the confirm list goes out at the app's pace even when no packet comes.
   */
  tick(): void {
    if (!this.reassembler.busy) return;
    const now = this.now();
    const frameFinished = this.hand(this.reassembler.tick(now), now);
    // Between frame events, a list goes out once the packets have paused (a list sent in the
    // middle of a burst shows the camera packets still in flight as missing), or when the last
    // confirm is getting old (a burst that never pauses).
    const quiet = now - this.lastArrivalAt >= CONFIRM_QUIET_MS;
    const overdue = now - this.pacer.lastSentTime >= CONFIRM_OVERDUE_MS;
    if (frameFinished || quiet || overdue) this.confirm(now, frameFinished);
  }

  /** A stream (re)opens: the camera may restart its pkg_id sequence. */
  reset(): void {
    this.reassembler.reset();
    this.pacer.reset();
    this.confirming = false;
  }

  /**
   * Hands what the reassembler finished on: frames and audio to the sink, drops to the log. True
   * when a frame was delivered or dropped (the confirm list then goes out).
   */
  private hand(finished: readonly Reassembled[], packetAt: number): boolean {
    const { cameraId, sink } = this.options;
    let frameFinished = false;
    for (const item of finished) {
      switch (item.kind) {
        case 'frame':
          frameFinished = true;
          sink.pushFrame(cameraId, item.frame.jpeg);
          this.options.deliveryLatency.add(this.now() - packetAt);
          break;
        case 'drop':
          frameFinished = true;
          this.logDrop(item.drop.reason, item.drop.detail);
          break;
        case 'audio':
          sink.pushAudio(cameraId, item.audio.payload, item.audio.format);
          break;
      }
    }
    return frameFinished;
  }

  /** `frameFinished`: a frame was delivered or dropped just now (confirms begin with the first). */
  private confirm(now: number, frameFinished: boolean): void {
    if (frameFinished) this.confirming = true;
    if (!this.confirming) return;
    // Packets still held after the reassembler settled belong to a frame that is not complete:
    // the pacer then repeats an unchanged list sooner, so a lost resend is asked for again in time.
    const datagrams = this.pacer.next(this.reassembler.confirmIds(), now, this.reassembler.heldPackets > 0);
    if (datagrams.length === 0) return;
    this.reassembler.confirmSent();
    for (const datagram of datagrams) this.options.sendConfirm(datagram);
  }

  private logDrop(reason: string, detail: string): void {
    this.dropLog.warn(reason, { reason }, `dropped an incomplete video frame (${reason}: ${detail})`);
  }
}
