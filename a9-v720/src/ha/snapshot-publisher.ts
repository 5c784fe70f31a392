/**
 * Camera images for HA's `camera` entities: a fresh JPEG from the SnapshotSource, published raw
 * and retained on `<base>/<camera>/image`.
 *
 * Retained on purpose: HA's MQTT camera shows nothing until a message arrives, so without
 * retain every HA restart would leave all cameras blank until the next snapshot. One image is
 * ~15–30 KB per camera, which any broker keeps easily; the last image is also cached here so a
 * broker that restarted empty gets it back on reconnect.
 */
import type { SnapshotSource } from '../camera/control.js';
import type { CameraRegistry } from '../camera/registry.js';
import type { Logger } from '../log.js';
import type { Publisher } from './state-publisher.js';
import type { HaTopics } from './topics.js';
import { errorMessage } from '../util/error-message.js';

export const IMAGE_KEY = 'image';

export type CaptureResult = 'published' | 'busy' | 'failed' | 'not-connected' | 'gone';

export class SnapshotPublisher {
  private readonly inFlight = new Set<string>();
  private readonly latest = new Map<string, Buffer>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      readonly source: SnapshotSource;
      readonly registry: CameraRegistry;
      readonly out: Publisher;
      readonly topics: HaTopics;
      readonly logger: Logger;
      readonly timeoutMs: number;
    },
  ) {}

  /** Takes a fresh picture and publishes it, unless one for this camera is already being taken. */
  async capture(cameraId: string, reason: 'button' | 'interval'): Promise<CaptureResult> {
    if (this.inFlight.has(cameraId)) {
      this.deps.logger.debug({ camera: cameraId, reason }, `snapshot already in progress, ${reason} request skipped`);
      return 'busy';
    }
    this.inFlight.add(cameraId);
    try {
      const jpeg = await this.deps.source.snapshot(cameraId, this.deps.timeoutMs);
      // Forgotten while we waited: publishing would resurrect a retained topic we just cleared.
      if (!this.deps.registry.has(cameraId)) return 'gone';
      this.latest.set(cameraId, jpeg);
      const sent = this.publishImage(cameraId, jpeg);
      this.deps.logger.debug({ camera: cameraId, reason, bytes: jpeg.length, sent }, `snapshot of ${jpeg.length} bytes (${reason})`);
      return sent ? 'published' : 'not-connected';
    } catch (error) {
      const level = reason === 'button' ? 'warn' : 'debug';
      this.deps.logger[level]({ camera: cameraId, reason, err: errorMessage(error) }, `snapshot failed (${errorMessage(error)})`);
      return 'failed';
    } finally {
      this.inFlight.delete(cameraId);
    }
  }

  /**
   * Publishes a frame taken elsewhere (the one motion started in) as the camera's image, so an
   * automation triggered by the motion sensor finds the matching picture on the camera entity.
   */
  publishFrame(cameraId: string, jpeg: Buffer): boolean {
    if (!this.deps.registry.has(cameraId)) return false;
    this.latest.set(cameraId, jpeg);
    return this.publishImage(cameraId, jpeg);
  }

  /** Re-sends the cached image (after a reconnect or HA's birth message). */
  republish(cameraId: string): void {
    const jpeg = this.latest.get(cameraId);
    if (jpeg) this.publishImage(cameraId, jpeg);
  }

  forget(cameraId: string): void {
    this.latest.delete(cameraId);
  }

  /** Every `intervalMs`, a fresh image of every online camera (cameras still busy are skipped). */
  startInterval(intervalMs: number): void {
    this.stopInterval();
    this.timer = setInterval(() => {
      if (!this.deps.out.connected) return;
      for (const camera of this.deps.registry.list()) {
        if (camera.online) void this.capture(camera.id, 'interval');
      }
    }, intervalMs);
    this.timer.unref();
  }

  stopInterval(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private publishImage(cameraId: string, jpeg: Buffer): boolean {
    return this.deps.out.publish(this.deps.topics.cameraEntity(cameraId, IMAGE_KEY), jpeg, { retain: true, qos: 1 });
  }
}
