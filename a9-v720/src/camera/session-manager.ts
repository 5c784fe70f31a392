/**
 * The live cameras by device id: one CameraConnection each (TCP session, UDP endpoint, media
 * receive path), created at registration and dropped as a whole when the camera goes offline.
 * The adapters' single entry point to cameras: implements CameraControl (settings) and the
 * stream demand API used by the media hub; the media channel routes UDP probes and media here.
 */
import type { Logger } from '../log.js';
import type { Packet } from '../protocol/header.js';
import { ContentCode, type ForwardContent } from '../protocol/messages.js';
import { CameraConnection } from './camera-connection.js';
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
import { LatencySamples, type CameraMediaStats } from './media-receiver.js';
import type { MediaSink } from './media-sink.js';
import type { CameraRegistry } from './registry.js';

export interface SessionManagerOptions {
  readonly registry: CameraRegistry;
  readonly logger: Logger;
  /** Receives every reassembled frame and audio chunk. */
  readonly sink: MediaSink;
  readonly timeouts?: SessionTimeouts;
  /** Delay before the first command-mode handshake that fetches base info. Default 1000. */
  readonly baseInfoDelayMs?: number;
  /** Where cameras send UDP; without it, the address they reached us on and the bound port. */
  readonly natTarget?: NatTarget;
}

/**
 * Every camera's receive path ticks this often: reorder windows run out on time (within this
 * much after REORDER_WINDOW_MS) and confirms go out even when no further packet comes.
 */
const MEDIA_TICK_MS = 25;

const endpointKey = (endpoint: UdpEndpoint): string => `${endpoint.address}:${endpoint.port}`;

export class SessionManager implements CameraControl {
  private readonly connections = new Map<string, CameraConnection>();
  /** "ip:port" → the connection whose probe bound it: an index over the connections' endpoints. */
  private readonly byEndpoint = new Map<string, CameraConnection>();
  private udp: UdpLink | undefined;
  private readonly registry: CameraRegistry;
  private readonly logger: Logger;
  private readonly sink: MediaSink;
  private readonly timeouts: SessionTimeouts;
  private readonly baseInfoDelayMs: number;
  private readonly natTarget: NatTarget | undefined;
  private readonly mediaTimer: NodeJS.Timeout;
  /** From the last fragment's arrival to the frame written to every consumer (MJPEG writes included). */
  readonly deliveryLatency = new LatencySamples();

  constructor(options: SessionManagerOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
    this.sink = options.sink;
    this.timeouts = options.timeouts ?? DEFAULT_SESSION_TIMEOUTS;
    this.baseInfoDelayMs = options.baseInfoDelayMs ?? 1000;
    this.natTarget = options.natTarget;
    this.mediaTimer = setInterval(() => {
      for (const connection of this.connections.values()) connection.media.tick();
    }, MEDIA_TICK_MS);
    this.mediaTimer.unref();
  }

  /** The media channel registers itself once it is bound. */
  setUdpLink(udp: UdpLink): void {
    this.udp = udp;
  }

  get(cameraId: string): CameraSession | undefined {
    return this.connections.get(cameraId)?.session;
  }

  get size(): number {
    return this.connections.size;
  }

  /**
   * A camera registered on TCP. A camera that reconnects replaces its old session: the old
   * connection is closed first, so there is never more than one session per device id.
   */
  attach(cameraId: string, link: ControlLink): CameraSession {
    if (!this.udp) throw new Error('media channel not started');
    const session = new CameraSession(cameraId, link, this.udp, this.registry, this.logger, this.timeouts, this.natTarget);
    const existing = this.connections.get(cameraId);
    if (existing) {
      const previous = existing.session;
      existing.replaceSession(session);
      previous.disconnect('replaced by a new connection');
    } else {
      this.connections.set(
        cameraId,
        new CameraConnection({ session, udp: this.udp, sink: this.sink, logger: this.logger, deliveryLatency: this.deliveryLatency }),
      );
    }
    this.fetchBaseInfoSoon(session);
    return session;
  }

  /**
   * Base info (settings, battery, firmware) only comes with the command-mode handshake. Run it
   * once shortly after registration, so the dashboard and HA show the settings without
   * waiting for someone to open the stream. A camera that does not answer is not an error.
   */
  private fetchBaseInfoSoon(session: CameraSession): void {
    const timer = setTimeout(() => {
      if (session.isClosed) return;
      session.ensureCommandMode().catch((error: Error) => {
        if (session.isClosed) return;
        this.logger.info(
          { camera: session.cameraId, err: error.message },
          `camera ${session.cameraId} did not report its settings yet: ${error.message}`,
        );
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
    const connection = this.connections.get(session.cameraId);
    if (connection?.session !== session) return;
    this.connections.delete(session.cameraId);
    this.unbind(connection);
    this.registry.markOffline(session.cameraId, reason);
  }

  /** UDP 51: binds the sender's address to the camera's connection. False if it has no session. */
  onProbe(cameraId: string, endpoint: UdpEndpoint): boolean {
    const connection = this.connections.get(cameraId);
    if (!connection) return false;
    connection.session.onProbe(endpoint);
    const key = endpointKey(endpoint);
    const previous = this.byEndpoint.get(key);
    if (previous !== connection) {
      // One address per camera, one camera per address: the newest probe wins both ways.
      if (previous) this.unbind(previous);
      this.unbind(connection);
      connection.bindMedia(endpoint);
      this.byEndpoint.set(key, connection);
      this.logger.debug({ camera: cameraId, peer: key, previous: previous?.cameraId }, `UDP ${key} belongs to camera ${cameraId}`);
    }
    return true;
  }

  /** The camera whose probe bound this address, if any. */
  ownerOf(address: string, port: number): string | undefined {
    return this.byEndpoint.get(endpointKey({ address, port }))?.cameraId;
  }

  /** A media packet from `from`; false when no camera's probe bound that address. */
  onMediaPacket(from: UdpEndpoint, packet: Packet): boolean {
    const connection = this.byEndpoint.get(endpointKey(from));
    if (!connection) return false;
    connection.onMediaPacket(packet);
    return true;
  }

  /** Receive-path counters of the cameras that have sent media since they came online. */
  mediaStats(): Map<string, CameraMediaStats> {
    const stats = new Map<string, CameraMediaStats>();
    for (const [id, connection] of this.connections) if (connection.media.hasMedia) stats.set(id, connection.media.stats);
    return stats;
  }

  private unbind(connection: CameraConnection): void {
    const endpoint = connection.mediaEndpoint;
    if (!endpoint) return;
    this.byEndpoint.delete(endpointKey(endpoint));
    connection.unbindMedia();
  }

  private require(cameraId: string): CameraConnection {
    const connection = this.connections.get(cameraId);
    if (connection) return connection;
    throw new CameraUnavailableError(cameraId, this.registry.has(cameraId) ? 'offline' : 'unknown');
  }

  async sendSetting(cameraId: string, command: SettingCommand): Promise<ForwardContent> {
    const session = this.require(cameraId).session;
    this.logger.info({ camera: cameraId, command }, `sending setting ${JSON.stringify(command)} to camera ${cameraId}`);
    try {
      return await session.sendForward(command, `setting ${command.code}`);
    } catch (error) {
      // A camera told to reboot may drop the connection before it echoes: that is success.
      if (command.code === ContentCode.Reboot && error instanceof CameraUnavailableError) return { ...command };
      throw error;
    }
  }

  /** Opens the stream; the camera may restart its pkg_id sequence, so reassembly starts over. */
  async openStream(cameraId: string): Promise<void> {
    const connection = this.require(cameraId);
    connection.media.reset();
    await connection.session.openStream();
  }

  async closeStream(cameraId: string): Promise<void> {
    const connection = this.connections.get(cameraId);
    if (connection) await connection.session.closeStream();
  }

  /** The watchdog's remedy: forget command mode so the next open re-runs the handshake. */
  resetHandshake(cameraId: string): void {
    this.connections.get(cameraId)?.session.resetHandshake();
  }

  isOnline(cameraId: string): boolean {
    return this.connections.has(cameraId);
  }

  /** Shutdown: every camera goes offline and the media timer stops. */
  closeAll(reason: string): void {
    clearInterval(this.mediaTimer);
    for (const connection of [...this.connections.values()]) this.detach(connection.session, reason);
  }
}
