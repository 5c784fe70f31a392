/**
 * What the adapters (MQTT bridge, web API) may ask of a camera. They never touch sockets:
 * the camera sessions implement this and do the command-mode handshake when needed.
 */
import type { ForwardContent } from '../protocol/messages.js';
import type { SettingCommand } from '../protocol/settings.js';

export type { SettingCommand };

// camera/ modules reach the shared errors through here; everyone else imports ../errors.js.
export { CameraTimeoutError, CameraUnavailableError } from '../errors.js';

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
