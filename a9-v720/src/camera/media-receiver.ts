/**
 * Per-camera media pipeline between the UDP channel and the media hub: reassembles JPEG
 * frames, passes audio through, and sends the retransmission confirms (605) without which
 * the camera's frame rate collapses. One pipeline per camera, created on its first packet.
 */
import type { Logger } from '../log.js';
import { Cmd, type Packet } from '../protocol/header.js';
import { FrameAssembler } from '../protocol/fragments.js';
import { RetransmitTracker } from '../protocol/retransmit.js';
import type { MediaHub } from '../media/media-hub.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import type { UdpEndpoint, UdpLink } from './camera-session.js';
import type { MediaPacketSink } from './media-channel.js';

interface Pipeline {
  readonly assembler: FrameAssembler;
  readonly tracker: RetransmitTracker;
  endpoint: UdpEndpoint;
}

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

export class MediaReceiver implements MediaPacketSink {
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly dropLog = new RateLimitedLog(30_000);
  private readonly confirmTimer: NodeJS.Timeout;
  /** From the last fragment's arrival to the frame written to every consumer (MJPEG writes included). */
  readonly deliveryLatency = new LatencySamples();

  constructor(
    private readonly hub: MediaHub,
    private readonly udp: UdpLink,
    private readonly logger: Logger,
  ) {
    // Confirms must also go out when a burst ends and no further packet would trigger them.
    this.confirmTimer = setInterval(() => this.flushConfirms(), 100);
    this.confirmTimer.unref();
  }

  onMediaPacket(cameraId: string, packet: Packet, from: UdpEndpoint): void {
    const receivedAt = performance.now();
    const pipeline = this.pipeline(cameraId, from);
    pipeline.endpoint = from;
    pipeline.tracker.record(packet.pkgId);
    if (packet.cmd === Cmd.G711Alaw) this.hub.pushAudio(cameraId, packet.payload);
    const result = pipeline.assembler.push(packet);
    if (result.kind === 'frame') {
      if (result.droppedBefore) this.logDrop(cameraId, result.droppedBefore.reason, result.droppedBefore.detail);
      pipeline.tracker.frameCompleted();
      this.hub.pushFrame(cameraId, result.jpeg);
      this.deliveryLatency.add(performance.now() - receivedAt);
    } else if (result.kind === 'dropped') {
      this.logDrop(cameraId, result.reason, result.detail);
    }
    this.sendConfirms(pipeline);
  }

  /** A stream (re)opens: the camera may restart its pkg_id sequence. */
  reset(cameraId: string): void {
    const pipeline = this.pipelines.get(cameraId);
    pipeline?.assembler.reset();
    pipeline?.tracker.reset();
  }

  forget(cameraId: string): void {
    this.pipelines.delete(cameraId);
  }

  /** Ids of cameras that have sent media since they came online. */
  cameraIds(): string[] {
    return [...this.pipelines.keys()];
  }

  stats(cameraId: string): { assembler: FrameAssembler['stats']; confirms: RetransmitTracker['stats'] } | undefined {
    const pipeline = this.pipelines.get(cameraId);
    return pipeline && { assembler: pipeline.assembler.stats, confirms: pipeline.tracker.stats };
  }

  close(): void {
    clearInterval(this.confirmTimer);
  }

  private pipeline(cameraId: string, from: UdpEndpoint): Pipeline {
    let pipeline = this.pipelines.get(cameraId);
    if (!pipeline) {
      pipeline = { assembler: new FrameAssembler(), tracker: new RetransmitTracker(), endpoint: from };
      this.pipelines.set(cameraId, pipeline);
    }
    return pipeline;
  }

  private sendConfirms(pipeline: Pipeline): void {
    for (const datagram of pipeline.tracker.poll(performance.now())) {
      this.udp.send(datagram, pipeline.endpoint.address, pipeline.endpoint.port);
    }
  }

  private flushConfirms(): void {
    for (const pipeline of this.pipelines.values()) this.sendConfirms(pipeline);
  }

  private logDrop(cameraId: string, reason: string, detail: string): void {
    this.dropLog.maybe(`${cameraId}:${reason}`, (suppressed) =>
      this.logger.warn(
        { camera: cameraId, reason, suppressed },
        `camera ${cameraId}: dropped an incomplete video frame (${reason}: ${detail})${suppressed ? `; ${suppressed} more like it since the last line` : ''}`,
      ),
    );
  }
}
