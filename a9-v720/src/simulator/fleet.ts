/**
 * A set of simulated cameras, each on its own loopback source address (127.0.0.11,
 * 127.0.0.12, …) so they show distinct IPs in the dashboard. Used by the demo mode,
 * the simulate CLI and benchmarks.
 */
import { createAlawTone, createPcmTone } from './media-encoder.js';
import { framesForCamera } from './frame-library.js';
import { CAMERA_PROFILES, type ProfileName } from './profiles.js';
import { SimulatedCamera, type SimulatedCameraOptions } from './simulated-camera.js';
import type { Lifecycle } from '../util/lifecycle.js';

export interface FleetOptions {
  readonly count: number;
  readonly host: string;
  readonly httpPort: number;
  /** Twelve-character ids are built from this prefix and the camera's number. */
  readonly idPrefix?: string;
  /** Give each camera its own 127.0.0.x source address (loopback only). */
  readonly distinctAddresses?: boolean;
  readonly firstOctet?: number;
  readonly fps?: number;
  readonly heartbeatMs?: number;
  readonly withMedia?: boolean;
  /** Frames per camera id; default: the library's frames for that id. */
  readonly framesFor?: (cameraId: string) => Buffer[];
  /** Behaviour per camera, cycled over the fleet (camera i gets profiles[i % length]). Default: ideal. */
  readonly profiles?: readonly ProfileName[];
  readonly overrides?: Partial<SimulatedCameraOptions>;
}

export function fleetCameraId(prefix: string, index: number): string {
  const digits = Math.max(1, 12 - prefix.length);
  return `${prefix}${(index + 1).toString(16).toUpperCase().padStart(digits, '0')}`.slice(0, 12);
}

/** Loopback source address for camera `index`, spread over 127.0.x.y to stay valid for thousands. */
export function loopbackAddress(index: number, firstOctet = 11): string {
  const n = index + firstOctet;
  return `127.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

export function createFleet(options: FleetOptions): SimulatedCamera[] {
  const prefix = options.idPrefix ?? '0800c0D';
  const alaw = createAlawTone()(8000);
  const pcm = createPcmTone()(8000);
  const profiles = options.profiles ?? [];
  return Array.from({ length: options.count }, (_, index) => {
    const id = fleetCameraId(prefix, index);
    const profile = profiles.length > 0 ? (profiles[index % profiles.length] as ProfileName) : 'ideal';
    const behaviour = CAMERA_PROFILES[profile].behaviour;
    const audioFormat = options.overrides?.audioFormat ?? ('audioFormat' in behaviour ? behaviour.audioFormat : undefined);
    return new SimulatedCamera({
      id,
      host: options.host,
      httpPort: options.httpPort,
      localAddress: options.distinctAddresses === false ? undefined : loopbackAddress(index, options.firstOctet),
      heartbeatMs: options.heartbeatMs,
      fps: options.fps,
      frames: options.withMedia === false ? undefined : (options.framesFor ?? framesForCamera)(id),
      audio: options.withMedia === false ? undefined : audioFormat === 'pcm16' ? pcm : alaw,
      ...behaviour,
      ...options.overrides,
    });
  });
}

/** Starts every camera; a camera that cannot connect yet keeps retrying in the background. */
export async function startFleet(cameras: readonly SimulatedCamera[]): Promise<number> {
  const results = await Promise.allSettled(cameras.map((camera) => camera.start()));
  return results.filter((result) => result.status === 'fulfilled').length;
}

export function stopFleet(cameras: readonly SimulatedCamera[]): void {
  for (const camera of cameras) camera.stop();
}

/** A fleet as one part (the demo mode's cameras): started together, stopped together. */
export class SimulatorFleet implements Lifecycle {
  readonly cameras: readonly SimulatedCamera[];
  /** How many cameras connected at start; the others keep retrying in the background. */
  connected = 0;

  constructor(options: FleetOptions) {
    this.cameras = createFleet(options);
  }

  async start(): Promise<void> {
    this.connected = await startFleet(this.cameras);
  }

  stop(): Promise<void> {
    stopFleet(this.cameras);
    return Promise.resolve();
  }
}
