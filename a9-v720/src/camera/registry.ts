/**
 * The single source of truth for camera state. Everything else (MQTT, web, media) observes
 * it through typed events and never keeps its own idea of whether a camera is online.
 */
import { EventEmitter } from 'node:events';
import type { BaseInfo } from '../protocol/messages.js';

/**
 * Where a camera is in the protocol (PROTOCOL.md §4 working order):
 * bootstrapped (HTTP only) → registered (TCP 100/101) → nat (11 sent, waiting for UDP)
 * → probing (51 seen) → command (53/298/4 done) → streaming (301/3 sent).
 * `mqtt-only` marks newer firmware that never opens TCP; `offline` after a lost session.
 */
export type ProtocolState =
  | 'bootstrapped'
  | 'registered'
  | 'nat'
  | 'probing'
  | 'command'
  | 'streaming'
  | 'mqtt-only'
  | 'offline';

export interface CameraRecord {
  readonly id: string;
  /** The user's name for the camera (validated by parseCameraName); undefined: shown by its id. */
  readonly name?: string;
  /** Last known address of the camera (TCP peer, else HTTP client). */
  readonly ip: string;
  readonly online: boolean;
  /** Milliseconds since the epoch. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly state: ProtocolState;
  /** Whether the TCP registration token matched the pwd we handed out (undefined: no pwd known). */
  readonly tokenOk?: boolean;
  /** Firmware version: HTTP `version` header or base info `version`. */
  readonly firmware?: string;
  /** Last base info (301/4 answer), merged with setting echoes: the device's settings. */
  readonly baseInfo?: BaseInfo;
  readonly streaming: boolean;
  /** Why the camera last went offline (for the dashboard and logs). */
  readonly offlineReason?: string;
}

export interface RegistryEvents {
  online: [camera: CameraRecord];
  offline: [camera: CameraRecord, reason: string];
  /** Anything else changed (state, base info, firmware, streaming, ip). Not fired for heartbeats. */
  updated: [camera: CameraRecord];
  /** The user forgot the camera. */
  removed: [id: string];
}

/** Numeric IPv4 ordering (10.0.0.9 before 10.0.0.10); other strings sort after, by text. */
export function compareIp(a: string, b: string): number {
  const key = (ip: string): number[] | undefined => {
    const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    const parts = plain.split('.');
    if (parts.length !== 4) return undefined;
    const nums = parts.map(Number);
    return nums.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? nums : undefined;
  };
  const ka = key(a);
  const kb = key(b);
  if (ka && kb) {
    for (let i = 0; i < 4; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
    return 0;
  }
  if (ka) return -1;
  if (kb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class CameraRegistry extends EventEmitter<RegistryEvents> {
  private readonly cameras = new Map<string, CameraRecord>();

  constructor(private readonly now: () => number = Date.now) {
    super();
    // Many observers (MQTT, web, media, persistence) are normal here.
    this.setMaxListeners(50);
  }

  get(id: string): CameraRecord | undefined {
    return this.cameras.get(id);
  }

  has(id: string): boolean {
    return this.cameras.has(id);
  }

  get size(): number {
    return this.cameras.size;
  }

  get onlineCount(): number {
    let n = 0;
    for (const camera of this.cameras.values()) if (camera.online) n++;
    return n;
  }

  /** All cameras sorted numerically by IP, then by id. */
  list(): CameraRecord[] {
    return [...this.cameras.values()].sort((a, b) => compareIp(a.ip, b.ip) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Restores persisted cameras at start-up: all offline until they reconnect. No events. */
  restore(records: readonly CameraRecord[]): void {
    for (const record of records) {
      this.cameras.set(record.id, { ...record, online: false, streaming: false, state: 'offline' });
    }
  }

  /** A camera asked the HTTP bootstrap for its server. Seen, not online. */
  noteBootstrap(id: string, ip: string, firmware: string | undefined): CameraRecord {
    const existing = this.cameras.get(id);
    const now = this.now();
    const record: CameraRecord = existing
      ? {
          ...existing,
          ip: existing.online ? existing.ip : ip,
          lastSeen: now,
          firmware: firmware ?? existing.firmware,
          state: existing.online ? existing.state : 'bootstrapped',
        }
      : { id, ip, online: false, firstSeen: now, lastSeen: now, state: 'bootstrapped', firmware, streaming: false };
    this.cameras.set(id, record);
    this.emit('updated', record);
    return record;
  }

  /** Newer firmware that talks only MQTT: seen, never online over TCP. */
  noteMqttOnly(id: string, ip: string): CameraRecord {
    const existing = this.cameras.get(id);
    if (existing?.online) return existing;
    return this.patch(id, { ip, state: 'mqtt-only', lastSeen: this.now() }, ip);
  }

  /** TCP registration succeeded. */
  markOnline(id: string, ip: string, tokenOk: boolean | undefined): CameraRecord {
    const existing = this.cameras.get(id);
    const now = this.now();
    const record: CameraRecord = {
      ...(existing ?? { id, firstSeen: now, streaming: false }),
      id,
      ip,
      online: true,
      lastSeen: now,
      state: 'registered',
      tokenOk,
      streaming: false,
      offlineReason: undefined,
    };
    this.cameras.set(id, record);
    this.emit('online', record);
    return record;
  }

  /** Heartbeat or any traffic: refresh lastSeen without an event (too frequent to broadcast). */
  touch(id: string): void {
    const existing = this.cameras.get(id);
    if (existing) this.cameras.set(id, { ...existing, lastSeen: this.now() });
  }

  markOffline(id: string, reason: string): void {
    const existing = this.cameras.get(id);
    if (!existing || !existing.online) return;
    const record: CameraRecord = { ...existing, online: false, streaming: false, state: 'offline', offlineReason: reason };
    this.cameras.set(id, record);
    this.emit('offline', record, reason);
  }

  setState(id: string, state: ProtocolState): void {
    const existing = this.cameras.get(id);
    if (!existing || existing.state === state || !existing.online) return;
    this.patch(id, { state });
  }

  setStreaming(id: string, streaming: boolean): void {
    const existing = this.cameras.get(id);
    if (!existing || existing.streaming === streaming) return;
    this.patch(id, { streaming });
  }

  /** Merges base info or a setting echo into the device state. */
  mergeBaseInfo(id: string, info: BaseInfo): void {
    const existing = this.cameras.get(id);
    if (!existing) return;
    const baseInfo = { ...existing.baseInfo, ...info };
    const firmware = typeof baseInfo.version === 'string' && baseInfo.version !== '' ? baseInfo.version : existing.firmware;
    this.patch(id, { baseInfo, firmware });
  }

  /** The user named (or, with undefined, unnamed) the camera. Undefined for an unknown id. */
  rename(id: string, name: string | undefined): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    if (!existing) return undefined;
    if (existing.name === name) return existing;
    return this.patch(id, { name });
  }

  remove(id: string): boolean {
    if (!this.cameras.delete(id)) return false;
    this.emit('removed', id);
    return true;
  }

  private patch(id: string, changes: Partial<CameraRecord>, ipIfNew?: string): CameraRecord {
    const existing = this.cameras.get(id);
    const now = this.now();
    const base: CameraRecord = existing ?? {
      id,
      ip: ipIfNew ?? '',
      online: false,
      firstSeen: now,
      lastSeen: now,
      state: 'offline',
      streaming: false,
    };
    const record: CameraRecord = { ...base, ...changes };
    this.cameras.set(id, record);
    this.emit('updated', record);
    return record;
  }
}
