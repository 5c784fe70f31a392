/**
 * The single source of truth for camera state. Everything else (MQTT, web, media) observes
 * it through typed events and never keeps its own idea of whether a camera is online.
 */
import { cleanCameraText, FIRMWARE_MAX } from '../protocol/camera-text.js';
import { toBaseInfo, type BaseInfo } from '../protocol/messages.js';
import { Listeners, type Unsubscribe } from '../util/listeners.js';
import { plainIp } from '../util/net.js';
import { DEFAULT_MOTION_SETTINGS, type MotionSettings, type MotionSettingsChange } from './motion-settings.js';

/**
 * Where a camera is in the protocol (docs/protocol.md §4 working order):
 * bootstrapped (HTTP only) → registered (TCP 100/101) → nat (11 sent, waiting for UDP)
 * → probing (51 seen) → command (53/298/4 done) → streaming (301/3 sent).
 * `mqtt-only` marks newer firmware that never opens TCP; `offline` after a lost session.
 */
export type ProtocolState = 'bootstrapped' | 'registered' | 'nat' | 'probing' | 'command' | 'streaming' | 'mqtt-only' | 'offline';

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
  /**
   * Registered over TCP at least once. Only such cameras are Home Assistant devices and are
   * kept for good; an id that was only named in an HTTP request expires (see expireUnregistered).
   */
  readonly registered: boolean;
  /** Whether the TCP registration token matched the pwd we handed out (undefined: no pwd known). */
  readonly tokenOk?: boolean;
  /** Firmware version: HTTP `version` header or base info `version`. */
  readonly firmware?: string;
  /** Last base info (301/4 answer), merged with setting echoes: the device's settings. */
  readonly baseInfo?: BaseInfo;
  /** Why the camera last went offline (for the dashboard and logs). */
  readonly offlineReason?: string;
  /** Add-on-side motion detection settings (absent = defaults: off). Persisted. */
  readonly motion?: MotionSettings;
  /** Motion is being detected right now (runtime only: false after a restart or when offline). */
  readonly motionDetected?: boolean;
  /** When motion last started, ms since the epoch. Persisted. */
  readonly lastMotionAt?: number;
}

/** Audio and video are flowing (301/3 answered): one of the protocol states, not a flag of its own. */
export function isStreaming(camera: CameraRecord): boolean {
  return camera.state === 'streaming';
}

/** The camera's motion settings, defaults filled in. */
export function motionSettingsOf(camera: CameraRecord): MotionSettings {
  return camera.motion ?? DEFAULT_MOTION_SETTINGS;
}

/**
 * What changed, one event per kind, so each part listens to what it uses (the motion monitor to
 * online/offline and motion settings, the setup journeys to protocol states, …). Every event
 * carries the camera's new record; none is fired for heartbeats (`touch`).
 * A type alias, not an interface: Listeners needs an index-compatible event map.
 */
export type RegistryEvents = {
  /** Registered over TCP: a new session (also a reconnect that replaced the old one). */
  online: [camera: CameraRecord];
  offline: [camera: CameraRecord, reason: string];
  /**
   * Where the camera is in the protocol changed (`previous` undefined: a new entry), or an
   * HTTP bootstrap / MQTT-only sighting refreshed its address or firmware header.
   */
  state: [camera: CameraRecord, previous: ProtocolState | undefined];
  /** Base info or a setting echo arrived: the device's settings, battery, firmware. */
  settings: [camera: CameraRecord];
  /** The user named or unnamed the camera. */
  name: [camera: CameraRecord, previous: string | undefined];
  /** The add-on-side motion detection settings changed. */
  'motion-settings': [camera: CameraRecord];
  /** Motion started (`motionDetected` true, `lastMotionAt` set) or ended. */
  motion: [camera: CameraRecord];
  /** The user forgot the camera, or an unregistered one expired or made room for another. */
  removed: [id: string, camera: CameraRecord];
  /** A new camera was refused: the registry holds `maxCameras` registered cameras. */
  full: [id: string, maxCameras: number];
};

export type RegistryEvent = keyof RegistryEvents;
/** The events whose first argument is the camera's new record. */
export type CameraChangeEvent = 'online' | 'offline' | 'state' | 'settings' | 'name' | 'motion-settings' | 'motion';
/** Every event that changes a camera's record (what a full view of the list follows). */
export const CAMERA_CHANGE_EVENTS: readonly CameraChangeEvent[] = [
  'online',
  'offline',
  'state',
  'settings',
  'name',
  'motion-settings',
  'motion',
];

/** Numeric IPv4 ordering (10.0.0.9 before 10.0.0.10); other strings sort after, by text. */
export function compareIp(a: string, b: string): number {
  const key = (ip: string): number[] | undefined => {
    const plain = plainIp(ip);
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

/** Cameras kept at most, unless the caller says otherwise (the `max_cameras` option). */
export const DEFAULT_MAX_CAMERAS = 64;

export class CameraRegistry {
  private readonly cameras = new Map<string, CameraRecord>();
  private readonly listeners = new Listeners<RegistryEvents>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly maxCameras: number = DEFAULT_MAX_CAMERAS,
  ) {}

  /** Subscribes to one event; call what it returns to unsubscribe (every part does on stop). */
  on<E extends RegistryEvent>(event: E, listener: (...args: RegistryEvents[E]) => void): Unsubscribe {
    return this.listeners.on(event, listener);
  }

  /** The same listener for several events; one call ends them all. */
  onEach(events: readonly CameraChangeEvent[], listener: (camera: CameraRecord) => void): Unsubscribe;
  onEach(events: readonly RegistryEvent[], listener: () => void): Unsubscribe;
  onEach(events: readonly RegistryEvent[], listener: (camera: CameraRecord) => void): Unsubscribe {
    // The overloads make this safe: a listener that reads the camera only gets camera events.
    const unsubscribes = events.map((event) => this.listeners.on(event, listener as () => void));
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }

  /** How many listeners an event has: shows that stopped parts left nothing behind. */
  listenerCount(event: RegistryEvent): number {
    return this.listeners.listenerCount(event);
  }

  private emit<E extends RegistryEvent>(event: E, ...args: RegistryEvents[E]): void {
    this.listeners.emit(event, ...args);
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

  /**
   * Restores persisted cameras at start-up: all offline until they reconnect. No events.
   * At most maxCameras, registered ones first (a file from an older version may hold a flood).
   */
  restore(records: readonly CameraRecord[]): void {
    const ordered = [...records].sort((a, b) => Number(b.registered) - Number(a.registered) || b.lastSeen - a.lastSeen);
    for (const record of ordered.slice(0, this.maxCameras)) {
      this.cameras.set(record.id, { ...record, online: false, state: 'offline', motionDetected: false });
    }
  }

  /**
   * Whether `id` may be added: it is known, there is room, or an unregistered entry made room
   * (it is dropped now). Emits `full` when not. Cameras that answered base info are never
   * pushed out by new ones: the user forgets them.
   */
  admit(id: string): boolean {
    return this.cameras.has(id) || this.makeRoomFor(id);
  }

  /**
   * A camera asked the HTTP bootstrap for its server. Seen, not online. An HTTP request proves
   * nothing about who sent it, so it never changes a registered camera's address; it refreshes
   * an unregistered one. Undefined when the registry is full.
   */
  noteBootstrap(id: string, ip: string, firmware: string | undefined): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    const now = this.now();
    if (existing?.registered) {
      if (existing.online || existing.ip !== ip) return existing;
      return this.patch('state', id, { lastSeen: now, firmware: firmware ?? existing.firmware, state: 'bootstrapped' });
    }
    if (!existing && !this.makeRoomFor(id)) return undefined;
    const record: CameraRecord = existing
      ? { ...existing, ip, lastSeen: now, firmware: firmware ?? existing.firmware, state: 'bootstrapped' }
      : { id, ip, online: false, firstSeen: now, lastSeen: now, state: 'bootstrapped', registered: false, firmware };
    this.cameras.set(id, record);
    this.emit('state', record, existing?.state);
    return record;
  }

  /** Newer firmware that talks only MQTT: seen, never online over TCP. Undefined when full. */
  noteMqttOnly(id: string, ip: string): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    if (existing?.online || (existing?.registered && existing.ip !== ip)) return existing;
    if (!existing && !this.makeRoomFor(id)) return undefined;
    return this.patch('state', id, { ip, state: 'mqtt-only', lastSeen: this.now() }, ip);
  }

  /**
   * Drops cameras that never registered over TCP and were not seen for `maxAgeMs`: an id named
   * in an HTTP request is kept only long enough for a real camera to register.
   */
  expireUnregistered(maxAgeMs: number): string[] {
    const cutoff = this.now() - maxAgeMs;
    const expired: string[] = [];
    for (const camera of [...this.cameras.values()]) {
      if (camera.registered || camera.online || camera.lastSeen > cutoff) continue;
      this.cameras.delete(camera.id);
      expired.push(camera.id);
      this.emit('removed', camera.id, camera);
    }
    return expired;
  }

  /** TCP registration succeeded. Undefined (nothing changed) when the registry is full. */
  markOnline(id: string, ip: string, tokenOk: boolean | undefined): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    if (!existing && !this.makeRoomFor(id)) return undefined;
    const now = this.now();
    const record: CameraRecord = {
      ...(existing ?? { id, firstSeen: now }),
      id,
      ip,
      registered: true,
      online: true,
      lastSeen: now,
      state: 'registered',
      tokenOk,
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
    const record: CameraRecord = {
      ...existing,
      online: false,
      state: 'offline',
      offlineReason: reason,
      motionDetected: false,
    };
    this.cameras.set(id, record);
    this.emit('offline', record, reason);
  }

  setState(id: string, state: ProtocolState): void {
    const existing = this.cameras.get(id);
    if (!existing || existing.state === state || !existing.online) return;
    this.patch('state', id, { state });
  }

  /** Merges base info or a setting echo into the device state. */
  mergeBaseInfo(id: string, info: BaseInfo): void {
    const existing = this.cameras.get(id);
    if (!existing) return;
    // The new fields are checked on their own first, so a wrong new value is dropped and never
    // removes a good old one; the merge is checked again for its size cap (security: hygiene).
    const baseInfo = toBaseInfo({ ...existing.baseInfo, ...toBaseInfo(info) });
    const firmware =
      typeof baseInfo.version === 'string' && baseInfo.version !== '' ? cleanCameraText(baseInfo.version, FIRMWARE_MAX) : existing.firmware;
    this.patch('settings', id, { baseInfo, firmware });
  }

  /** The user named (or, with undefined, unnamed) the camera. Undefined for an unknown id. */
  rename(id: string, name: string | undefined): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    if (!existing) return undefined;
    if (existing.name === name) return existing;
    return this.patch('name', id, { name });
  }

  /** Changes the add-on-side motion settings; undefined if the camera is not known. */
  changeMotionSettings(id: string, change: MotionSettingsChange): CameraRecord | undefined {
    const existing = this.cameras.get(id);
    if (!existing) return undefined;
    const motion = { ...motionSettingsOf(existing), ...change };
    const current = motionSettingsOf(existing);
    if (existing.motion && motion.enabled === current.enabled && motion.sensitivity === current.sensitivity) return existing;
    return this.patch('motion-settings', id, { motion });
  }

  /** Motion started (`detected`, at `at`) or ended. */
  setMotionDetected(id: string, detected: boolean, at: number): void {
    const existing = this.cameras.get(id);
    if (!existing || (existing.motionDetected ?? false) === detected) return;
    this.patch('motion', id, detected ? { motionDetected: true, lastMotionAt: at } : { motionDetected: false });
  }

  remove(id: string): boolean {
    const camera = this.cameras.get(id);
    if (!camera) return false;
    this.cameras.delete(id);
    this.emit('removed', id, camera);
    return true;
  }

  /**
   * The entry a new camera may push out: offline and never proven to be a camera, i.e. it only
   * bootstrapped, or it registered but never answered base info (a real camera does within a
   * second; a flood of raw registrations never does). Stalest first.
   */
  private oldestUnregistered(): CameraRecord | undefined {
    let oldest: CameraRecord | undefined;
    for (const camera of this.cameras.values()) {
      const unproven = !camera.registered || camera.baseInfo === undefined;
      if (unproven && !camera.online && (!oldest || camera.lastSeen < oldest.lastSeen)) oldest = camera;
    }
    return oldest;
  }

  /** Room for a new id: free, or made by dropping the stalest unregistered entry. */
  private makeRoomFor(id: string): boolean {
    if (this.cameras.size < this.maxCameras) return true;
    const victim = this.oldestUnregistered();
    if (!victim) {
      this.emit('full', id, this.maxCameras);
      return false;
    }
    this.cameras.delete(victim.id);
    this.emit('removed', victim.id, victim);
    return true;
  }

  /** Applies `changes` and announces them as `event` (each event's extra argument is derived here). */
  private patch(
    event: Exclude<CameraChangeEvent, 'online' | 'offline'>,
    id: string,
    changes: Partial<CameraRecord>,
    ipIfNew?: string,
  ): CameraRecord {
    const existing = this.cameras.get(id);
    const now = this.now();
    const base: CameraRecord = existing ?? {
      id,
      ip: ipIfNew ?? '',
      online: false,
      firstSeen: now,
      lastSeen: now,
      state: 'offline',
      registered: false,
    };
    const record: CameraRecord = { ...base, ...changes };
    this.cameras.set(id, record);
    if (event === 'state') this.emit('state', record, existing?.state);
    else if (event === 'name') this.emit('name', record, existing?.name);
    else this.emit(event, record);
    return record;
  }
}
