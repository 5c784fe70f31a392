/** The JSON shape of a camera in the web API (and the dashboard's SSE feed). */
import { isStreaming, motionSettingsOf, type CameraRecord, type ProtocolState } from '../camera/registry.js';
import type { BaseInfo } from '../protocol/messages.js';

/** What the dashboard needs to know about the latest frame the add-on holds (never the bytes). */
export interface FrameView {
  /** Increases with every frame: the dashboard reloads a tile only when it changed. */
  readonly seq: number;
  /** When the frame arrived (ISO time). */
  readonly at: string;
}

/** The latest-frame cache, seen from the web API (the media hub). */
export interface FrameCache {
  latestFrame(cameraId: string): { readonly jpeg: Buffer; readonly at: number; readonly seq: number } | undefined;
}

export interface CameraView {
  readonly id: string;
  /** The user's name; absent until the camera is named. */
  readonly name?: string;
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
  /** Absent when the add-on holds no frame of this camera (nobody watched it since start). */
  readonly frame?: FrameView;
  readonly motion: MotionView;
  /** LAN media URLs with the per-install key, ready to copy (absent with lan_media off). */
  readonly urls?: { readonly snapshot: string; readonly stream: string; readonly audio: string };
}

/** Motion detection of one camera as the API shows it. */
export interface MotionView {
  readonly enabled: boolean;
  readonly sensitivity: number;
  /** Motion right now (always false while detection is off or the camera offline). */
  readonly detected: boolean;
  /** ISO time motion last started, null if never. */
  readonly lastMotionAt: string | null;
}

export function motionViewOf(camera: CameraRecord): MotionView {
  const settings = motionSettingsOf(camera);
  return {
    enabled: settings.enabled,
    sensitivity: settings.sensitivity,
    detected: camera.motionDetected === true,
    lastMotionAt: camera.lastMotionAt === undefined ? null : new Date(camera.lastMotionAt).toISOString(),
  };
}

export function toCameraView(camera: CameraRecord, frames?: FrameCache): CameraView {
  const latest = frames?.latestFrame(camera.id);
  const power = camera.baseInfo?.devPower;
  const wifi = camera.baseInfo?.wifiName;
  return {
    id: camera.id,
    name: camera.name,
    ip: camera.ip,
    online: camera.online,
    lastSeen: new Date(camera.lastSeen).toISOString(),
    firstSeen: new Date(camera.firstSeen).toISOString(),
    state: camera.state,
    firmware: camera.firmware,
    tokenOk: camera.tokenOk,
    streaming: isStreaming(camera),
    offlineReason: camera.offlineReason,
    battery: typeof power === 'number' && power >= 0 && power <= 100 ? power : undefined,
    wifiName: typeof wifi === 'string' ? wifi : undefined,
    baseInfo: camera.baseInfo,
    frame: latest ? { seq: latest.seq, at: new Date(latest.at).toISOString() } : undefined,
    motion: motionViewOf(camera),
  };
}
