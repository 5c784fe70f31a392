/**
 * What the adapters (MQTT bridge, web API) may ask of a camera. They never touch sockets:
 * the camera sessions implement this and do the command-mode handshake when needed.
 */
import type { ForwardContent } from '../protocol/messages.js';
import type { SettingCommand } from '../protocol/settings.js';

export type { SettingCommand };

export class CameraUnavailableError extends Error {
  override readonly name = 'CameraUnavailableError';
  constructor(
    readonly cameraId: string,
    readonly reason: 'unknown' | 'offline',
  ) {
    super(reason === 'unknown' ? `camera ${cameraId} is not known` : `camera ${cameraId} is offline`);
  }
}

export class CameraTimeoutError extends Error {
  override readonly name = 'CameraTimeoutError';
  constructor(
    readonly cameraId: string,
    what: string,
  ) {
    super(`camera ${cameraId}: ${what}`);
  }
}

export interface CameraControl {
  /**
   * Sends a setting as a 301 forward (handshake first if the camera is not in command mode)
   * and resolves with the camera's echo, which the registry has already merged into baseInfo.
   * Rejects with CameraUnavailableError or CameraTimeoutError.
   */
  sendSetting(cameraId: string, command: SettingCommand): Promise<ForwardContent>;
}

export interface SnapshotSource {
  /**
   * A JPEG: the latest frame if younger than ~1 s, else the first complete frame of a freshly
   * opened stream. Rejects with CameraUnavailableError or CameraTimeoutError.
   */
  snapshot(cameraId: string, timeoutMs?: number): Promise<Buffer>;
}
