/**
 * The live cameras by device id: one OnlineCamera each (TCP session, UDP endpoint, media
 * receive path), created at registration and dropped as a whole when the camera goes offline.
 * The adapters' single entry point to cameras: implements CameraControl (settings) and the
 * stream demand API used by the media hub; the media channel routes UDP probes and media here.
 */
import type { Logger } from '../log.js';
import type { Packet } from '../protocol/header.js';
import { type ForwardContent } from '../protocol/messages.js';
import { REBOOT_CODE } from '../protocol/settings.js';
import { LatencySamples } from '../util/latency-samples.js';
import { endpointKey } from '../util/net.js';
import { OnlineCamera } from './online-camera.js';
import {
  CameraSession,
  DEFAULT_SESSION_TIMEOUTS,
  type ControlLink,
  type NatTarget,
  type SessionTimeouts,
  type UdpEndpoint,
  type UdpLink,
} from './camera-session.js';
import { CameraUnavailableError, type CameraControl, type SettingCommand } from './control.js';
import type { ReceiveStats } from './media-receiver.js';
import type { MediaSink } from './media-sink.js';
import type { CameraRegistry } from './registry.js';
import type { Lifecycle } from '../util/lifecycle.js';
import type { Unsubscribe } from '../util/listeners.js';
import { errorMessage } from '../util/error-message.js';

export interface SessionManagerOptions {
  readonly registry: CameraRegistry;
  readonly logger: Logger;
  readonly timeouts?: SessionTimeouts;
  /** Delay before the first command-mode handshake that fetches base info. Default 1000. */
  readonly baseInfoDelayMs?: number;
  /** A registration from another address may take over a session silent this long. Default 12 s. */
  readonly moveAfterSilenceMs?: number;
  /** Where cameras send UDP; without it, the address they reached us on and the bound port. */
  readonly natTarget?: NatTarget;
}

/**
 * Every camera's receive path ticks this often: reorder windows run out on time (within this
 * much after REORDER_WINDOW_MS) and confirms go out even when no further packet comes.
 */
export const MEDIA_TICK_MS = 25;

export type AttachResult =
  | { readonly ok: true; readonly session: CameraSession; readonly replaced?: { readonly address: string; readonly silentForMs: number } }
  /** The camera is connected and healthy from `holder`. */
  | { readonly ok: false; readonly holder: string; readonly silentForMs: number };

/** What became of a UDP probe: bound, or why not. */
export type ProbeOutcome = 'bound' | 'no-session' | 'wrong-address' | 'unexpected';

/** Silence after which a registration from another address may take a camera over (2 missed heartbeats). */
export const DEFAULT_MOVE_AFTER_SILENCE_MS = 12_000;

export class SessionManager implements CameraControl, Lifecycle {
  private readonly online = new Map<string, OnlineCamera>();
  /** "ip:port" → the online camera whose probe bound it: an index over their endpoints. */
  private readonly byEndpoint = new Map<string, OnlineCamera>();
  private udp: UdpLink | undefined;
  private readonly registry: CameraRegistry;
  private readonly logger: Logger;
  /** Receives every reassembled frame and audio chunk once attached (attachSink). */
  private sink: MediaSink | undefined;
  /** What every online camera hands its media to: the attached sink, if any. */
  private readonly outlet: MediaSink = {
    pushFrame: (cameraId, jpeg) => this.sink?.pushFrame(cameraId, jpeg),
    pushAudio: (cameraId, payload, format) => this.sink?.pushAudio(cameraId, payload, format),
  };
  private readonly timeouts: SessionTimeouts;
  private readonly baseInfoDelayMs: number;
  private readonly moveAfterSilenceMs: number;
  private readonly natTarget: NatTarget | undefined;
  private mediaTimer: NodeJS.Timeout | undefined;
  /** From the last fragment's arrival to the frame written to every consumer (MJPEG writes included). */
  readonly deliveryLatency = new LatencySamples();

  constructor(options: SessionManagerOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
    this.timeouts = options.timeouts ?? DEFAULT_SESSION_TIMEOUTS;
    this.baseInfoDelayMs = options.baseInfoDelayMs ?? 1000;
    this.moveAfterSilenceMs = options.moveAfterSilenceMs ?? DEFAULT_MOVE_AFTER_SILENCE_MS;
    this.natTarget = options.natTarget;
  }

  /** Starts the receive paths' clock (reorder windows, confirms). */
  start(): Promise<void> {
    this.mediaTimer ??= setInterval(() => {
      for (const camera of this.online.values()) camera.tickMedia();
    }, MEDIA_TICK_MS);
    this.mediaTimer.unref();
    return Promise.resolve();
  }

  /** Shutdown: every camera goes offline ('server shutting down') and the media clock stops. */
  stop(): Promise<void> {
    clearInterval(this.mediaTimer);
    this.mediaTimer = undefined;
    for (const camera of [...this.online.values()]) this.detach(camera.session, 'server shutting down');
    return Promise.resolve();
  }

  /**
   * Where reassembled media goes (the media hub); one sink at a time. Returns its detach: media
   * arriving without a sink is dropped.
   */
  attachSink(sink: MediaSink): Unsubscribe {
    if (this.sink) throw new Error('a media sink is already attached');
    this.sink = sink;
    return () => {
      if (this.sink === sink) this.sink = undefined;
    };
  }

  /** The UDP media channel to send through (it routes probes and media here; App links the two once both exist). */
  setUdpLink(udp: UdpLink): void {
    this.udp = udp;
  }

  get(cameraId: string): CameraSession | undefined {
    return this.online.get(cameraId)?.session;
  }

  get size(): number {
    return this.online.size;
  }

  /**
   * A camera registered on TCP. The camera's identity sticks to its live session: a camera that
   * reconnects from the same address replaces its old session at once (a reboot); a registration
   * from another address takes over only when the old session is gone or silent for longer than
   * `moveAfterSilenceMs` (a camera that really moved stops talking on its old address). The old
   * connection is closed first, so there is never more than one session per device id.
   */
  attach(cameraId: string, link: ControlLink): AttachResult {
    if (!this.udp) throw new Error('media channel not started');
    const existing = this.online.get(cameraId);
    const previous = existing?.session;
    if (previous && !previous.isClosed && previous.peerAddress !== link.remoteAddress && previous.silentForMs < this.moveAfterSilenceMs) {
      return { ok: false, holder: previous.peerAddress, silentForMs: previous.silentForMs };
    }
    // One child logger per camera, made at its first registration and kept across reconnects.
    const log = existing?.log ?? this.logger.child({ camera: cameraId });
    const session = new CameraSession(cameraId, link, this.udp, this.registry, log, this.timeouts, this.natTarget);
    if (existing && previous) {
      existing.replaceSession(session);
      // A new address also means a new UDP endpoint: the old binding must not carry over.
      if (previous.peerAddress !== link.remoteAddress) this.unbind(existing);
      previous.disconnect('replaced by a new connection');
    } else {
      this.online.set(
        cameraId,
        new OnlineCamera({ session, udp: this.udp, sink: this.outlet, log, deliveryLatency: this.deliveryLatency }),
      );
    }
    this.fetchBaseInfoSoon(session);
    const replaced =
      previous && previous.peerAddress !== link.remoteAddress
        ? { address: previous.peerAddress, silentForMs: Math.round(previous.silentForMs) }
        : undefined;
    return { ok: true, session, ...(replaced ? { replaced } : {}) };
  }

  /**
   * Base info (settings, battery, firmware) only comes with the command-mode handshake. Run it
   * once shortly after registration, so the dashboard and HA show the settings without
   * waiting for someone to open the stream. A camera that does not answer is not an error.
   */
  private fetchBaseInfoSoon(session: CameraSession): void {
    const timer = setTimeout(() => {
      if (session.isClosed) return;
      session.ensureCommandMode().catch((error: unknown) => {
        if (session.isClosed) return;
        const message = errorMessage(error);
        session.log.info({ err: message }, `did not report its settings yet: ${message}`);
      });
    }, this.baseInfoDelayMs);
    timer.unref();
  }

  /**
   * The session's connection ended. Only the current session may take the camera offline; that
   * drops its whole connection-side state (UDP binding, reassembly, confirms) with it.
   */
  detach(session: CameraSession, reason: string): void {
    session.close(reason);
    const camera = this.online.get(session.cameraId);
    if (camera?.session !== session) return;
    this.online.delete(session.cameraId);
    this.unbind(camera);
    this.registry.markOffline(session.cameraId, reason);
  }

  /**
   * UDP 51 from `endpoint` naming `cameraId`. It binds the camera's media source only while a
   * handshake we started waits for it (NAT request sent), and only from the IP of the camera's
   * TCP session: a probe is one unauthenticated datagram, so anything else would let any host
   * redirect a camera's video and confirms. A repeat from the bound endpoint is harmless.
   */
  onProbe(cameraId: string, endpoint: UdpEndpoint): ProbeOutcome {
    const camera = this.online.get(cameraId);
    if (!camera) return 'no-session';
    const session = camera.session;
    if (endpoint.address !== session.peerAddress) return 'wrong-address';
    const key = endpointKey(endpoint.address, endpoint.port);
    const bound = camera.mediaEndpoint;
    if (!session.awaitingProbe) return bound && endpointKey(bound.address, bound.port) === key ? 'bound' : 'unexpected';
    session.onProbe(endpoint);
    const previous = this.byEndpoint.get(key);
    if (previous !== camera) {
      // One address per camera, one camera per address: the newest probe wins both ways.
      if (previous) this.unbind(previous);
      this.unbind(camera);
      camera.bindMedia(endpoint);
      this.byEndpoint.set(key, camera);
      camera.log.debug(
        { peer: key, previous: previous?.cameraId },
        `UDP ${key} now carries this camera's media${previous ? ` (it carried ${previous.cameraId}'s)` : ''}`,
      );
    }
    return 'bound';
  }

  /** The camera whose probe bound this address, if any. */
  ownerOf(address: string, port: number): string | undefined {
    return this.byEndpoint.get(endpointKey(address, port))?.cameraId;
  }

  /** A media packet from `from`; false when no camera's probe bound that address. */
  onMediaPacket(from: UdpEndpoint, packet: Packet): boolean {
    const camera = this.byEndpoint.get(endpointKey(from.address, from.port));
    if (!camera) return false;
    camera.onMediaPacket(packet);
    return true;
  }

  /** Receive-path counters of the cameras that have sent media since they came online. */
  mediaStats(): Map<string, ReceiveStats> {
    const stats = new Map<string, ReceiveStats>();
    for (const [id, camera] of this.online) {
      const media = camera.mediaStats;
      if (media) stats.set(id, media);
    }
    return stats;
  }

  private unbind(camera: OnlineCamera): void {
    const endpoint = camera.mediaEndpoint;
    if (!endpoint) return;
    this.byEndpoint.delete(endpointKey(endpoint.address, endpoint.port));
    camera.unbindMedia();
  }

  private require(cameraId: string): OnlineCamera {
    const camera = this.online.get(cameraId);
    if (camera) return camera;
    throw new CameraUnavailableError(cameraId, this.registry.has(cameraId) ? 'offline' : 'unknown');
  }

  async sendSetting(cameraId: string, command: SettingCommand): Promise<ForwardContent> {
    const camera = this.require(cameraId);
    const session = camera.session;
    camera.log.info({ command }, `sending setting ${JSON.stringify(command)}`);
    try {
      return await session.sendForward(command, `setting ${command.code}`);
    } catch (error) {
      // A camera told to reboot may drop the connection before it echoes: that is success.
      if (command.code === REBOOT_CODE && error instanceof CameraUnavailableError) return { ...command };
      throw error;
    }
  }

  /** Opens the stream; the camera may restart its pkg_id sequence, so reassembly starts over. */
  async openStream(cameraId: string): Promise<void> {
    const camera = this.require(cameraId);
    camera.resetMedia();
    await camera.session.openStream();
  }

  async closeStream(cameraId: string): Promise<void> {
    const camera = this.online.get(cameraId);
    if (camera) await camera.session.closeStream();
  }

  /** The watchdog's remedy: forget command mode so the next open re-runs the handshake. */
  resetHandshake(cameraId: string): void {
    this.online.get(cameraId)?.session.resetHandshake();
  }
}
