/**
 * Stand-ins for the camera side, for MQTT tests: a CameraControl that records every
 * SettingCommand and, like a real camera, echoes it into the registry; and a SnapshotSource
 * with fixed JPEG bytes. The camera-simulator end-to-end test can swap these for the real thing.
 */
import { CameraUnavailableError, type CameraControl, type SettingCommand, type SnapshotSource } from '../../src/camera/control.js';
import type { CameraRegistry } from '../../src/camera/registry.js';
import { toBaseInfo, type ForwardContent } from '../../src/protocol/messages.js';

export class FakeCameraControl implements CameraControl {
  readonly calls: { cameraId: string; command: SettingCommand }[] = [];
  /** When false the camera "ignores" the command: no echo, the promise still resolves. */
  echo = true;
  failWith: Error | undefined;

  constructor(private readonly registry: CameraRegistry) {}

  async sendSetting(cameraId: string, command: SettingCommand): Promise<ForwardContent> {
    this.calls.push({ cameraId, command });
    if (this.failWith) throw this.failWith;
    const camera = this.registry.get(cameraId);
    if (!camera) throw new CameraUnavailableError(cameraId, 'unknown');
    if (!camera.online) throw new CameraUnavailableError(cameraId, 'offline');
    await new Promise((resolve) => setImmediate(resolve));
    const echo: ForwardContent = { ...command };
    if (this.echo && command.code !== 299) this.registry.mergeBaseInfo(cameraId, toBaseInfo(echo));
    return echo;
  }
}

/** A fake JPEG: SOI, some camera-specific bytes, EOI. */
export function fakeJpeg(seed: string, size = 2048): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (seed.charCodeAt(i % seed.length) + i) & 0xff;
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), body, Buffer.from([0xff, 0xd9])]);
}

export class FakeSnapshotSource implements SnapshotSource {
  readonly calls: { cameraId: string; timeoutMs: number | undefined }[] = [];
  readonly images = new Map<string, Buffer>();
  /** While set, snapshots wait for release() (to test "in flight"). */
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(private readonly registry?: CameraRegistry) {}

  imageFor(cameraId: string): Buffer {
    let image = this.images.get(cameraId);
    if (!image) {
      image = fakeJpeg(cameraId);
      this.images.set(cameraId, image);
    }
    return image;
  }

  hold(): void {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
  }

  async snapshot(cameraId: string, timeoutMs?: number): Promise<Buffer> {
    this.calls.push({ cameraId, timeoutMs });
    if (this.registry && !this.registry.get(cameraId)?.online) throw new CameraUnavailableError(cameraId, 'offline');
    if (this.gate) await this.gate.promise;
    return this.imageFor(cameraId);
  }
}
