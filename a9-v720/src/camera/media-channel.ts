/**
 * UDP data channel on `tcp_port` (docs/protocol.md §4–5): answers hello (20→21) and heartbeats,
 * hands 51 probes (which bind a sender address to a camera) and media packets to the cameras'
 * connections. A sender is identified by (ip, port), never by IP alone: several cameras may
 * share an address.
 */
import dgram from 'node:dgram';
import type { Logger } from '../log.js';
import { Cmd, decodeDatagram, type Packet } from '../protocol/header.js';
import { encodeHeartbeat, encodeUdpHelloAnswer, isUnknownMessage, MessageCode, parseCameraMessage } from '../protocol/messages.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { endpointKey, hexPreview, plainIp } from '../util/net.js';
import type { Lifecycle } from '../util/lifecycle.js';
import { bindUdp } from '../util/listen.js';
import type { UdpEndpoint, UdpLink } from './camera-session.js';
import type { ProbeOutcome } from './session-manager.js';

/** The cameras' side of the channel (the session manager): who owns an address, and what to do with its packets. */
export interface MediaEndpoints {
  /** UDP 51 from `endpoint` claiming to be `cameraId`: bound, or why not. */
  onProbe(cameraId: string, endpoint: UdpEndpoint): ProbeOutcome;
  ownerOf(address: string, port: number): string | undefined;
  /** False when no camera's probe bound `from`. */
  onMediaPacket(from: UdpEndpoint, packet: Packet): boolean;
}

export interface MediaChannelStats {
  datagrams: number;
  rejected: number;
  unboundMedia: number;
  /** Probes for a live camera that did not bind: wrong address or no handshake waiting. */
  refusedProbes: number;
}

/** Where the channel binds: the control server's port number, known once it listens. */
export interface MediaChannelAddress {
  readonly port: () => number;
  readonly host: string;
}

export class MediaChannel implements UdpLink, Lifecycle {
  readonly socket: dgram.Socket;
  private readonly junkLog: RateLimitedLog;
  readonly stats: MediaChannelStats = { datagrams: 0, rejected: 0, unboundMedia: 0, refusedProbes: 0 };

  constructor(
    private readonly cameras: MediaEndpoints,
    private readonly logger: Logger,
    private readonly address: MediaChannelAddress,
  ) {
    this.junkLog = new RateLimitedLog(logger, { intervalMs: 60_000 });
    this.socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.socket.on('message', (datagram, rinfo) => this.onDatagram(datagram, plainIp(rinfo.address), rinfo.port));
    this.socket.on('error', (error) => this.logger.error({ err: error.message }, `UDP media channel error: ${error.message}`));
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Binds to the TCP control port's number (with port 0, UDP follows what TCP got). */
  async start(): Promise<void> {
    await bindUdp(this.socket, this.address.port(), this.address.host, 'UDP media', 'tcp_port');
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        // Never bound, or already closed.
        resolve();
      }
    });
  }

  send(packet: Buffer, address: string, port: number): void {
    this.socket.send(packet, port, address, (error) => {
      if (error)
        this.logger.debug({ err: error.message, to: endpointKey(address, port) }, `UDP send to ${endpointKey(address, port)} failed`);
    });
  }

  /**
   * Counts and ignores a datagram. UDP senders are free to pick any address and port, so the
   * log is limited per kind of junk, not per sender: one line a minute, with the count.
   */
  private reject(address: string, port: number, kind: string, why: string, datagram: Buffer): void {
    this.stats.rejected++;
    // The camera whose probe bound this address, if any, is the line's `camera`.
    const owner = this.cameras.ownerOf(address, port);
    const peer = endpointKey(address, port);
    this.junkLog.warn(kind, { camera: owner, peer, head: hexPreview(datagram, 24) }, `ignored UDP datagram from ${peer}: ${why}`);
  }

  private onDatagram(datagram: Buffer, address: string, port: number): void {
    this.stats.datagrams++;
    const decoded = decodeDatagram(datagram);
    if (!decoded.ok) {
      this.reject(address, port, 'undecodable', decoded.reason, datagram);
      return;
    }
    const packet = decoded.packet;
    switch (packet.cmd) {
      case Cmd.Json:
        this.onJson(packet, datagram, address, port);
        return;
      case Cmd.Heartbeat:
        this.send(encodeHeartbeat(), address, port);
        return;
      case Cmd.JpegFragment:
      case Cmd.G711Alaw:
      case Cmd.Pcm: {
        if (!this.cameras.onMediaPacket({ address, port }, packet)) {
          this.stats.unboundMedia++;
          this.reject(address, port, 'unbound-media', `media (cmd ${packet.cmd}) from an address no camera probed from`, datagram);
        }
        return;
      }
      default:
        this.reject(address, port, 'unexpected-cmd', `unexpected cmd ${packet.cmd}`, datagram);
    }
  }

  private onJson(packet: Packet, datagram: Buffer, address: string, port: number): void {
    const parsed = parseCameraMessage(packet.payload);
    if (!parsed.ok) {
      this.reject(address, port, 'bad-json', parsed.reason, datagram);
      return;
    }
    const message = parsed.value;
    if (isUnknownMessage(message)) {
      this.reject(address, port, 'unknown-code', `unknown message code ${String(message.code)}`, datagram);
      return;
    }
    switch (message.code) {
      case MessageCode.UdpHello:
        this.send(encodeUdpHelloAnswer(address, port), address, port);
        return;
      case MessageCode.Probe:
        switch (this.cameras.onProbe(message.devTarget, { address, port })) {
          case 'bound':
            return;
          case 'no-session':
            this.reject(address, port, 'probe-no-session', `probe (51) for ${message.devTarget}, which has no TCP session`, datagram);
            return;
          case 'wrong-address':
            this.stats.refusedProbes++;
            this.reject(
              address,
              port,
              'probe-wrong-address',
              `probe (51) for ${message.devTarget} from an address other than its TCP session's; not bound`,
              datagram,
            );
            return;
          case 'unexpected':
            this.stats.refusedProbes++;
            this.reject(
              address,
              port,
              'probe-unexpected',
              `probe (51) for ${message.devTarget} while no handshake was waiting for one; not bound`,
              datagram,
            );
            return;
        }
        return;
      default:
        this.reject(address, port, 'unexpected-code', `message code ${message.code} is not expected on UDP`, datagram);
    }
  }
}
