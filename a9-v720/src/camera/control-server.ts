/**
 * TCP control channel on `tcp_port` (docs/protocol.md §3–4): frames the byte stream, answers
 * registration and heartbeats, hands registered connections to the SessionManager and
 * detects offline cameras (close/reset at once, silence after `offline_after`).
 * A framing error closes that one connection and nothing else; a JSON payload that does not parse
 * while the length framing is intact is logged and skipped (docs/protocol.md §3): one odd message from
 * new firmware must not cost the camera its session.
 */
import net from 'node:net';
import type { Logger } from '../log.js';
import { Cmd, type Packet } from '../protocol/header.js';
import { isUnknownMessage, MessageCode, encodeHeartbeat, encodeRegisterOk, parseCameraMessage } from '../protocol/messages.js';
import { preview } from '../protocol/json.js';
import { PacketStreamDecoder, ProtocolError } from '../protocol/stream-decoder.js';
import { hexPreview, isThisHost, plainIp } from '../util/net.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { TokenBuckets, type TokenBucketLimits } from '../util/token-bucket.js';
import type { Lifecycle } from '../util/lifecycle.js';
import { ListeningServer, type ListenAddress } from '../util/listen.js';
import type { CameraSession, ControlLink } from './camera-session.js';
import type { DeviceSecrets } from './device-secrets.js';
import type { CameraRegistry } from './registry.js';
import type { SessionManager } from './session-manager.js';

export interface ControlServerDeps {
  readonly registry: CameraRegistry;
  readonly sessions: SessionManager;
  readonly secrets: DeviceSecrets;
  readonly logger: Logger;
  readonly offlineAfterMs: number;
  /** Bound on a control message's payload. */
  readonly maxPayload?: number;
  /** Unregistered connections allowed at once, so idle sockets cannot exhaust memory. */
  readonly maxPendingConnections?: number;
  /** Registrations per source IP (token bucket); the add-on host itself is not limited. */
  readonly registrationLimits?: TokenBucketLimits;
  /** Where start() listens (tcp_port); default: any free port on 127.0.0.1. */
  readonly listen?: Omit<ListenAddress, 'what' | 'option'>;
}

/** A camera registers once per boot or reconnect; thousands of ids from one host are a flood. */
export const DEFAULT_REGISTRATION_LIMITS: TokenBucketLimits = { capacity: 20, refillPerSecond: 1 };

/** What every connection shares. */
interface ConnectionContext extends ControlServerDeps {
  /** Junk any LAN host can send at will: one line per key a minute, keys shared by all connections. */
  readonly warnings: RateLimitedLog;
  readonly registrations: TokenBuckets;
}

export class ControlServer implements Lifecycle {
  readonly server: net.Server;
  private readonly listener: ListeningServer;
  /** Connections that have not registered yet, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<ControlConnection>();
  private readonly sockets = new Set<net.Socket>();
  private readonly evictionLog: RateLimitedLog;
  private readonly context: ConnectionContext;

  constructor(private readonly deps: ControlServerDeps) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.evictionLog = new RateLimitedLog(deps.logger, { intervalMs: 60_000 });
    this.context = {
      ...deps,
      warnings: new RateLimitedLog(deps.logger, { intervalMs: 60_000 }),
      registrations: new TokenBuckets(deps.registrationLimits ?? DEFAULT_REGISTRATION_LIMITS),
    };
    const { port = 0, host = '127.0.0.1' } = deps.listen ?? {};
    this.listener = new ListeningServer(this.server, { port, host, what: 'TCP control', option: 'tcp_port' });
  }

  /** The TCP port it listens on (UDP media shares the number). */
  get port(): number {
    return this.listener.port;
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** Ends every connection (sessions see a close like any other) and stops listening. */
  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return this.listener.stop();
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const limit = this.deps.maxPendingConnections ?? 2000;
    if (this.pending.size >= limit) {
      // Make room by dropping the oldest silent connection rather than refusing this one: a real
      // camera registers within milliseconds, junk sits idle, so a flood cannot lock cameras out.
      const oldest = this.pending.values().next().value;
      this.evictionLog.warn(
        'evict',
        { ip: oldest?.remoteAddress },
        `${limit} unregistered TCP connections are open: closing the oldest (${oldest?.remoteAddress ?? '?'}) to make room`,
      );
      oldest?.close('evicted: too many unregistered connections');
    }
    const connection: ControlConnection = new ControlConnection(socket, this.context, () => this.pending.delete(connection));
    this.pending.add(connection);
  }
}

/** One TCP connection: anonymous until its registration (100), then bound to a session. */
class ControlConnection implements ControlLink {
  private readonly decoder: PacketStreamDecoder;
  private session: CameraSession | undefined;
  private ended = false;
  readonly remoteAddress: string;
  readonly localAddress: string;
  lastActivityAt = performance.now();
  private readonly peer: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly deps: ConnectionContext,
    /** Called once the connection registers or ends: it no longer counts as pending. */
    private readonly leftPending: () => void,
  ) {
    this.decoder = new PacketStreamDecoder(deps.maxPayload);
    this.remoteAddress = plainIp(socket.remoteAddress);
    this.localAddress = plainIp(socket.localAddress);
    this.peer = `${this.remoteAddress}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // Silence longer than offline_after means the camera is gone, whatever TCP thinks.
    socket.setTimeout(deps.offlineAfterMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.end(`silent for more than ${Math.round(deps.offlineAfterMs / 1000)} s`));
    socket.on('error', (error: NodeJS.ErrnoException) => this.end(`connection error ${error.code ?? error.message}`));
    socket.on('close', () => this.end('connection closed'));
  }

  /** Before registration the server's logger; after it, the camera's (its lines carry `camera`). */
  private get log(): Logger {
    return this.session?.log ?? this.deps.logger;
  }

  /** Junk from anonymous senders is limited per kind; a registered camera's own per kind and camera. */
  private warn(kind: string, fields: Record<string, unknown>, message: string): void {
    this.deps.warnings.through(this.log).warn(`${kind}:${this.session?.cameraId ?? '-'}`, fields, message);
  }

  /** The peer; before registration, said to be unregistered (after it, the line's camera says who). */
  private get who(): string {
    return this.session ? this.peer : `unregistered connection ${this.peer}`;
  }

  send(packet: Buffer): void {
    if (!this.ended && this.socket.writable) this.socket.write(packet);
  }

  close(reason: string): void {
    this.end(reason);
  }

  private onData(chunk: Buffer): void {
    this.lastActivityAt = performance.now();
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.warn(
          'protocol-error',
          { peer: this.peer, head: hexPreview(chunk) },
          `protocol error from ${this.who}: ${error.message}; closing this connection (first bytes ${hexPreview(chunk, 20)})`,
        );
        this.end(`protocol error: ${error.message}`);
        return;
      }
      throw error;
    }
    if (this.session) this.deps.registry.touch(this.session.cameraId);
    for (const packet of packets) {
      if (this.ended) return;
      this.onPacket(packet);
    }
  }

  private onPacket(packet: Packet): void {
    switch (packet.cmd) {
      case Cmd.Heartbeat:
        this.send(encodeHeartbeat());
        return;
      case Cmd.Json:
        this.onJson(packet);
        return;
      default:
        this.warn(
          'unexpected-cmd',
          { peer: this.peer, cmd: packet.cmd, length: packet.length },
          `unexpected cmd ${packet.cmd} (${packet.length} bytes) on TCP from ${this.who}; ignored`,
        );
    }
  }

  private onJson(packet: Packet): void {
    const parsed = parseCameraMessage(packet.payload);
    if (!parsed.ok) {
      // The length framing is intact, so the next message starts at a known byte: skip this one.
      this.warn(
        'bad-json',
        { peer: this.peer, head: hexPreview(packet.payload) },
        `bad JSON message from ${this.who}: ${parsed.reason}; skipped, the connection stays (payload ${hexPreview(packet.payload)})`,
      );
      return;
    }
    const message = parsed.value;
    if (isUnknownMessage(message)) {
      this.warn(
        'unknown-code',
        { peer: this.peer, code: message.code },
        `unknown message code ${String(message.code)} from ${this.who}: ${preview(packet.payload, 200)}`,
      );
      return;
    }
    if (message.code === MessageCode.Register) {
      this.register(message.uid, message.token);
      return;
    }
    if (!this.session) {
      this.warn(
        'before-registration',
        { peer: this.peer, code: message.code },
        `message code ${message.code} before registration from ${this.peer}; ignored`,
      );
      return;
    }
    switch (message.code) {
      case MessageCode.NatResult:
        this.session.onNatResult(message);
        return;
      case MessageCode.Forward:
        this.session.onForward(message.content);
        return;
      default:
        this.session.log.debug({ code: message.code }, `message code ${message.code} from ${this.peer} on TCP; ignored`);
    }
  }

  private register(uid: string, token: string): void {
    const { registry, sessions, secrets, warnings } = this.deps;
    if (this.session) {
      if (this.session.cameraId === uid) {
        this.send(encodeRegisterOk());
        return;
      }
      warnings
        .through(this.session.log)
        .warn('reregister', { peer: this.peer, uid }, `${this.peer} re-registered as a different id ${uid}; closing this connection`);
      this.end('registered twice with different ids');
      return;
    }
    if (!isThisHost(this.remoteAddress) && !this.deps.registrations.take(this.remoteAddress)) {
      warnings.warn(
        'rate',
        { camera: uid, ip: this.remoteAddress },
        `too many TCP registrations from ${this.remoteAddress}: refused this registration and closed the connection`,
      );
      this.end('too many registrations from this address');
      return;
    }
    if (!registry.admit(uid)) {
      // The registry's `full` event carries the user-facing line; this connection just ends.
      this.end(`camera limit reached (max_cameras ${registry.maxCameras})`);
      return;
    }
    const known = registry.get(uid);
    const attached = sessions.attach(uid, this);
    if (!attached.ok) {
      // Somebody else claims a camera that is connected and healthy from another address: the
      // protocol has no authentication, so the live session is what identifies the camera.
      warnings.warn(
        `takeover:${uid}`,
        { camera: uid, ip: this.remoteAddress, holder: attached.holder },
        `refused a registration from ${this.peer}: this camera is connected from ${attached.holder} and was heard ${Math.round(attached.silentForMs / 1000)} s ago; closing this connection`,
      );
      this.end('the camera is connected from another address');
      return;
    }
    this.leftPending();
    this.session = attached.session;
    const log = this.session.log;
    this.send(encodeRegisterOk());
    const tokenOk = token === secrets.pwdFor(uid, this.remoteAddress);
    if (!tokenOk) {
      // Cameras keep a pwd from the vendor cloud, an older install or another address; accept,
      // but say so (the token is no proof of identity: see device-secrets.ts). Per kind: a
      // flood of made-up ids must not become a flood of lines; the dashboard shows tokenOk.
      warnings
        .through(log)
        .warn(
          'token-mismatch',
          { ip: this.remoteAddress },
          `registered from ${this.peer} with a token that was not handed out to this address (token mismatch); accepted anyway`,
        );
    }
    registry.markOnline(uid, this.remoteAddress, tokenOk);
    if (known?.registered && known.ip !== '' && known.ip !== this.remoteAddress) {
      log.info(
        { ip: this.remoteAddress, from: known.ip, previousSession: attached.replaced },
        `moved from ${known.ip} to ${this.remoteAddress}${attached.replaced ? ` (its session there had been silent for ${Math.round(attached.replaced.silentForMs / 1000)} s)` : ''}`,
      );
    }
    log.info({ ip: this.remoteAddress, tokenOk }, `online from ${this.peer}${known ? '' : ' (new camera)'}`);
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.session) {
      this.session.log.info({ peer: this.peer, reason }, `offline: ${reason}`);
      this.deps.sessions.detach(this.session, reason);
    } else {
      this.leftPending();
      if (reason.startsWith('silent')) {
        const head = this.decoder.pendingHead();
        this.warn(
          'silent',
          { peer: this.peer, head: head.toString('hex') },
          `closing TCP connection from ${this.peer}: nothing valid received (${reason})${head.length ? `; first bytes ${head.toString('hex')}` : ''}`,
        );
      }
    }
    this.socket.destroy();
  }
}
