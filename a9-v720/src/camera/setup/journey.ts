/**
 * Each camera's way in, step by step: HTTP bootstrap (which endpoint, when, from where, which
 * firmware) → TCP registration → UDP probe after our NAT request → first frame. The setup view
 * shows where a camera stopped; the diagnosis (diagnosis.ts) turns that into a likely cause.
 *
 * Bounded like the registry it follows: a journey exists only for an id the registry holds (the
 * registry keeps at most max_cameras, unregistered ids expire or make room), and it goes when the
 * registry drops the id. Runtime only: after a restart a camera's journey starts again.
 */
import type { CameraRecord, CameraRegistry, ProtocolState } from '../registry.js';
import type { Unsubscribe } from '../../util/listeners.js';

/** The HTTP bootstrap endpoints a camera may call (docs/protocol.md §2). */
export const BOOTSTRAP_ENDPOINTS = ['getA9ConfCheck', 'getDevInfo', 'registerDevices', 'confirm', 'a9bindingAppDevice'] as const;
export type BootstrapEndpoint = (typeof BOOTSTRAP_ENDPOINTS)[number];

/** The camera's latest HTTP request to the bootstrap. */
export interface HttpStep {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly ip: string;
  readonly endpoint: BootstrapEndpoint;
  /** The `version` header, if sent. */
  readonly firmware?: string;
  /** Where getA9ConfCheck sent the camera (`host:tcpPort`). */
  readonly sentTo?: string;
}

/** A snapshot of one camera's journey; times in ms since the epoch. */
export interface CameraJourney {
  readonly id: string;
  readonly http?: HttpStep;
  /** The distinct endpoints it called since the add-on started, in the order first seen. */
  readonly endpoints: readonly BootstrapEndpoint[];
  /** Its latest TCP registration (100 → 101). */
  readonly registeredAt?: number;
  readonly registeredIp?: string;
  /** Our latest NAT request (11) since that registration: asks the camera to open UDP. */
  readonly natRequestAt?: number;
  /** The latest UDP probe (51) that bound its media address since that registration. */
  readonly probeAt?: number;
  /** When its stream was last opened (301/3 answered) since that registration. */
  readonly streamOpenedAt?: number;
  /** Its first complete frame since that registration. */
  readonly firstFrameAt?: number;
  /** When it last went offline and why (undefined while online or never registered). */
  readonly offlineAt?: number;
  readonly offlineReason?: string;
}

type MutableJourney = { -readonly [K in keyof CameraJourney]: CameraJourney[K] } & {
  endpoints: BootstrapEndpoint[];
  /** The protocol state last seen: `updated` fires for many reasons, a step is a change of state. */
  state?: ProtocolState;
};

/** What the HTTP bootstrap reports: the camera named `id` called `endpoint`. */
export interface BootstrapObserver {
  bootstrapRequest(id: string, step: Omit<HttpStep, 'at'>): void;
}

export class JourneyBook implements BootstrapObserver {
  private readonly journeys = new Map<string, MutableJourney>();

  constructor(
    private readonly registry: CameraRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** Follows the registry: registration, protocol states, offline, removal. Returns the undo. */
  follow(): Unsubscribe {
    const unsubscribes = [
      this.registry.on('online', (camera) => this.onRegistered(camera)),
      this.registry.on('state', (camera) => this.onState(camera)),
      this.registry.on('offline', (camera, reason) => this.onOffline(camera, reason)),
      this.registry.on('removed', (id) => this.journeys.delete(id)),
    ];
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }

  /** An HTTP request naming a camera the registry holds (it admitted the id first). */
  bootstrapRequest(id: string, step: Omit<HttpStep, 'at'>): void {
    if (!this.registry.has(id)) return;
    const journey = this.entry(id);
    journey.http = { ...step, at: this.now() };
    if (!journey.endpoints.includes(step.endpoint)) journey.endpoints.push(step.endpoint);
  }

  /** A complete frame of `id` reached the media sink: only the first one after a registration counts. */
  frame(id: string): void {
    const journey = this.journeys.get(id);
    if (journey && journey.registeredAt !== undefined && journey.firstFrameAt === undefined) journey.firstFrameAt = this.now();
  }

  get(id: string): CameraJourney | undefined {
    const journey = this.journeys.get(id);
    if (!journey) return undefined;
    const { state: _state, ...snapshot } = journey;
    return { ...snapshot, endpoints: [...journey.endpoints] };
  }

  get size(): number {
    return this.journeys.size;
  }

  private entry(id: string): MutableJourney {
    let journey = this.journeys.get(id);
    if (!journey) {
      journey = { id, endpoints: [] };
      this.journeys.set(id, journey);
    }
    return journey;
  }

  private onRegistered(camera: CameraRecord): void {
    const journey = this.entry(camera.id);
    // A new registration starts the TCP-and-later part of the journey again.
    journey.registeredAt = this.now();
    journey.registeredIp = camera.ip;
    journey.natRequestAt = undefined;
    journey.probeAt = undefined;
    journey.streamOpenedAt = undefined;
    journey.firstFrameAt = undefined;
    journey.offlineAt = undefined;
    journey.offlineReason = undefined;
    journey.state = camera.state;
  }

  private onState(camera: CameraRecord): void {
    const journey = this.journeys.get(camera.id);
    if (!journey || journey.registeredAt === undefined || !camera.online || journey.state === camera.state) return;
    journey.state = camera.state;
    if (camera.state === 'nat') journey.natRequestAt = this.now();
    else if (camera.state === 'probing') journey.probeAt = this.now();
    else if (camera.state === 'streaming') journey.streamOpenedAt = this.now();
  }

  private onOffline(camera: CameraRecord, reason: string): void {
    const journey = this.journeys.get(camera.id);
    if (!journey) return;
    journey.offlineAt = this.now();
    journey.offlineReason = reason;
    journey.state = camera.state;
  }
}
