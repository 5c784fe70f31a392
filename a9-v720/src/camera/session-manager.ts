/**
 * Live camera sessions by device id. The adapters' single entry point to cameras:
 * implements CameraControl (settings) and the stream demand API used by the media hub.
 */
import type { Logger } from '../log.js';
import { ContentCode, type ForwardContent } from '../protocol/messages.js';
import { CameraSession, DEFAULT_SESSION_TIMEOUTS, type ControlLink, type SessionTimeouts, type UdpEndpoint, type UdpLink } from './camera-session.js';
import { CameraUnavailableError, type CameraControl, type SettingCommand } from './control.js';
import type { CameraRegistry } from './registry.js';

export class SessionManager implements CameraControl {
  private readonly sessions = new Map<string, CameraSession>();
  private udp: UdpLink | undefined;

  constructor(
    private readonly registry: CameraRegistry,
    private readonly logger: Logger,
    private readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
    private readonly baseInfoDelayMs = 1000,
  ) {}

  /** The media channel registers itself once it is bound. */
  setUdpLink(udp: UdpLink): void {
    this.udp = udp;
  }

  get(cameraId: string): CameraSession | undefined {
    return this.sessions.get(cameraId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /**
   * A camera registered on TCP. A camera that reconnects replaces its old session: the old
   * connection is closed first, so there is never more than one session per device id.
   */
  attach(cameraId: string, link: ControlLink): CameraSession {
    const previous = this.sessions.get(cameraId);
    if (previous) {
      this.sessions.delete(cameraId);
      previous.disconnect('replaced by a new connection');
    }
    if (!this.udp) throw new Error('media channel not started');
    const session = new CameraSession(cameraId, link, this.udp, this.registry, this.logger, this.timeouts);
    this.sessions.set(cameraId, session);
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
        this.logger.info({ camera: session.cameraId, err: error.message }, `camera ${session.cameraId} did not report its settings yet: ${error.message}`);
      });
    }, this.baseInfoDelayMs);
    timer.unref();
  }

  /** The session's connection ended. Only the current session may mark the camera offline. */
  detach(session: CameraSession, reason: string): void {
    session.close(reason);
    if (this.sessions.get(session.cameraId) !== session) return;
    this.sessions.delete(session.cameraId);
    this.registry.markOffline(session.cameraId, reason);
  }

  /** UDP 51: the media channel found which camera owns an address. */
  onProbe(cameraId: string, endpoint: UdpEndpoint): boolean {
    const session = this.sessions.get(cameraId);
    if (!session) return false;
    session.onProbe(endpoint);
    return true;
  }

  private require(cameraId: string): CameraSession {
    const session = this.sessions.get(cameraId);
    if (session) return session;
    throw new CameraUnavailableError(cameraId, this.registry.has(cameraId) ? 'offline' : 'unknown');
  }

  async sendSetting(cameraId: string, command: SettingCommand): Promise<ForwardContent> {
    const session = this.require(cameraId);
    this.logger.info({ camera: cameraId, command }, `sending setting ${JSON.stringify(command)} to camera ${cameraId}`);
    try {
      return await session.sendForward(command, `setting ${command.code}`);
    } catch (error) {
      // A camera told to reboot may drop the connection before it echoes: that is success.
      if (command.code === ContentCode.Reboot && error instanceof CameraUnavailableError) return { ...command };
      throw error;
    }
  }

  async openStream(cameraId: string): Promise<void> {
    await this.require(cameraId).openStream();
  }

  async closeStream(cameraId: string): Promise<void> {
    const session = this.sessions.get(cameraId);
    if (session) await session.closeStream();
  }

  /** The watchdog's remedy: forget command mode so the next open re-runs the handshake. */
  resetHandshake(cameraId: string): void {
    this.sessions.get(cameraId)?.resetHandshake();
  }

  isOnline(cameraId: string): boolean {
    return this.sessions.has(cameraId);
  }

  closeAll(reason: string): void {
    for (const session of [...this.sessions.values()]) this.detach(session, reason);
  }
}
