/** The JSON shape of a camera in the web API (and the dashboard's SSE feed). */
import type { CameraRecord, ProtocolState } from '../camera/registry.js';
import type { BaseInfo } from '../protocol/messages.js';

export interface CameraView {
  readonly id: string;
  readonly ip: string;
  readonly online: boolean;
  readonly lastSeen: string;
  readonly firstSeen: string;
  readonly state: ProtocolState;
  readonly firmware?: string;
  readonly tokenOk?: boolean;
  readonly streaming: boolean;
  readonly offlineReason?: string;
  readonly battery?: number;
  readonly wifiName?: string;
  readonly baseInfo?: BaseInfo;
}

export function toCameraView(camera: CameraRecord): CameraView {
  const power = camera.baseInfo?.devPower;
  const wifi = camera.baseInfo?.wifiName;
  return {
    id: camera.id,
    ip: camera.ip,
    online: camera.online,
    lastSeen: new Date(camera.lastSeen).toISOString(),
    firstSeen: new Date(camera.firstSeen).toISOString(),
    state: camera.state,
    firmware: camera.firmware,
    tokenOk: camera.tokenOk,
    streaming: camera.streaming,
    offlineReason: camera.offlineReason,
    battery: typeof power === 'number' && power >= 0 && power <= 100 ? power : undefined,
    wifiName: typeof wifi === 'string' ? wifi : undefined,
    baseInfo: camera.baseInfo,
  };
}
