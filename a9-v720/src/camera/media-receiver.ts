/**
 * One camera's media receive path between the UDP channel and the media sink: reassembles JPEG
 * frames, passes audio through, and produces the retransmission confirms (605) without which the
 * camera's frame rate collapses. Owned by the camera's CameraConnection; no sockets here (confirms
 * leave through the `sendConfirm` callback, towards the camera's one bound UDP endpoint).
 */
import type { Logger } from '../log.js';
import { Cmd, type Packet } from '../protocol/header.js';
import { FrameAssembler } from '../protocol/fragments.js';
import { RetransmitTracker } from '../protocol/retransmit.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import type { MediaSink } from './media-sink.js';

/** Bounded latency samples (ms) for benchmarks: packet in → frame handed to every viewer. */
export class LatencySamples {
  private readonly samples: number[] = [];
  constructor(private readonly max = 100_000) {}
  add(ms: number): void {
    if (this.samples.length < this.max) this.samples.push(ms);
  }
  percentile(p: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  }
  get count(): number {
    return this.samples.length;
  }
}

export interface CameraMediaStats {
  readonly assembler: FrameAssembler['stats'];
  readonly confirms: RetransmitTracker['stats'];
}

export interface CameraMediaReceiverOptions {
  readonly cameraId: string;
  readonly sink: MediaSink;
  readonly sendConfirm: (datagram: Buffer) => void;
  readonly logger: Logger;
  /** Shared by all cameras: from the last fragment's arrival to the frame written to every consumer. */
  readonly deliveryLatency: LatencySamples;
}

export class CameraMediaReceiver {
  private readonly assembler = new FrameAssembler();
  private readonly tracker = new RetransmitTracker();
  private readonly dropLog = new RateLimitedLog(30_000);
  private packetsSeen = false;

  constructor(private readonly options: CameraMediaReceiverOptions) {}

  /** True once a media packet arrived since the camera came online. */
  get hasMedia(): boolean {
    return this.packetsSeen;
  }

  get stats(): CameraMediaStats {
    return { assembler: this.assembler.stats, confirms: this.tracker.stats };
  }

  onPacket(packet: Packet): void {
    const receivedAt = performance.now();
    const { cameraId, sink } = this.options;
    this.packetsSeen = true;
    this.tracker.record(packet.pkgId);
    if (packet.cmd === Cmd.G711Alaw) sink.pushAudio(cameraId, packet.payload, 'alaw');
    const result = this.assembler.push(packet);
    if (result.kind === 'frame') {
      if (result.droppedBefore) this.logDrop(result.droppedBefore.reason, result.droppedBefore.detail);
      this.tracker.frameCompleted();
      sink.pushFrame(cameraId, result.jpeg);
      this.options.deliveryLatency.add(performance.now() - receivedAt);
    } else if (result.kind === 'dropped') {
      this.logDrop(result.reason, result.detail);
    }
    this.flushConfirms(receivedAt);
  }

  /** Sends the confirms due at `now`; also called on a timer so a burst's end is confirmed. */
  flushConfirms(now = performance.now()): void {
    for (const datagram of this.tracker.poll(now)) this.options.sendConfirm(datagram);
  }

  /** A stream (re)opens: the camera may restart its pkg_id sequence. */
  reset(): void {
    this.assembler.reset();
    this.tracker.reset();
  }

  private logDrop(reason: string, detail: string): void {
    const { cameraId, logger } = this.options;
    this.dropLog.maybe(reason, (suppressed) =>
      logger.warn(
        { camera: cameraId, reason, suppressed },
        `camera ${cameraId}: dropped an incomplete video frame (${reason}: ${detail})${suppressed ? `; ${suppressed} more like it since the last line` : ''}`,
      ),
    );
  }
}
