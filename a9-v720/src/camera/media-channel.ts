/**
 * UDP data channel on `tcp_port` (PROTOCOL.md §4–5): answers hello (20→21) and heartbeats,
 * binds each sender address to a device id by its 51 probe, and routes media packets of a
 * bound address to the sink. A sender is identified by (ip, port), never by IP alone:
 * several cameras may share an address.
 */
import dgram from 'node:dgram';
import type { Logger } from '../log.js';
import { Cmd, decodeDatagram, type Packet } from '../protocol/header.js';
import { encodeHeartbeat, encodeUdpHelloAnswer, isUnknownMessage, MessageCode, parseCameraMessage } from '../protocol/messages.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { hexPreview, plainIp } from '../util/net.js';
import type { UdpEndpoint, UdpLink } from './camera-session.js';
import type { SessionManager } from './session-manager.js';

export interface MediaPacketSink {
  onMediaPacket(cameraId: string, packet: Packet, from: UdpEndpoint): void;
}

export interface MediaChannelStats {
  datagrams: number;
  rejected: number;
  unboundMedia: number;
}

const endpointKey = (address: string, port: number): string => `${address}:${port}`;

export class MediaChannel implements UdpLink {
  readonly socket: dgram.Socket;
  /** "ip:port" → device id, from the 51 probes. */
  private readonly owners = new Map<string, string>();
  private readonly junkLog = new RateLimitedLog(60_000);
  private sink: MediaPacketSink | undefined;
  readonly stats: MediaChannelStats = { datagrams: 0, rejected: 0, unboundMedia: 0 };

  constructor(
    private readonly sessions: SessionManager,
    private readonly logger: Logger,
  ) {
    this.socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.socket.on('message', (datagram, rinfo) => this.onDatagram(datagram, plainIp(rinfo.address), rinfo.port));
    this.socket.on('error', (error) => this.logger.error({ err: error.message }, `UDP media channel error: ${error.message}`));
  }

  setSink(sink: MediaPacketSink): void {
    this.sink = sink;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer, address: string, port: number): void {
    this.socket.send(packet, port, address, (error) => {
      if (error) this.logger.debug({ err: error.message, to: endpointKey(address, port) }, `UDP send to ${endpointKey(address, port)} failed`);
    });
  }

  /** Forgets the address bindings of a camera (it went offline; its next probe binds anew). */
  forget(cameraId: string): void {
    for (const [key, owner] of this.owners) if (owner === cameraId) this.owners.delete(key);
  }

  ownerOf(address: string, port: number): string | undefined {
    return this.owners.get(endpointKey(address, port));
  }

  private reject(address: string, port: number, why: string, datagram: Buffer): void {
    this.stats.rejected++;
    const owner = this.ownerOf(address, port);
    const who = owner ? `camera ${owner} (${endpointKey(address, port)})` : endpointKey(address, port);
    this.junkLog.maybe(`${address}:${port}:${why.slice(0, 20)}`, (suppressed) =>
      this.logger.warn(
        { camera: owner, peer: endpointKey(address, port), head: hexPreview(datagram, 24), suppressed },
        `ignored UDP datagram from ${who}: ${why}${suppressed ? ` (${suppressed} similar suppressed)` : ''}`,
      ),
    );
  }

  private onDatagram(datagram: Buffer, address: string, port: number): void {
    this.stats.datagrams++;
    const decoded = decodeDatagram(datagram);
    if (!decoded.ok) {
      this.reject(address, port, decoded.reason, datagram);
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
      case Cmd.G711Alaw: {
        const owner = this.ownerOf(address, port);
        if (!owner) {
          this.stats.unboundMedia++;
          this.reject(address, port, `media (cmd ${packet.cmd}) from an address no camera probed from`, datagram);
          return;
        }
        this.sink?.onMediaPacket(owner, packet, { address, port });
        return;
      }
      default:
        this.reject(address, port, `unexpected cmd ${packet.cmd}`, datagram);
    }
  }

  private onJson(packet: Packet, datagram: Buffer, address: string, port: number): void {
    const parsed = parseCameraMessage(packet.payload);
    if (!parsed.ok) {
      this.reject(address, port, parsed.reason, datagram);
      return;
    }
    const message = parsed.value;
    if (isUnknownMessage(message)) {
      this.reject(address, port, `unknown message code ${String(message.code)}`, datagram);
      return;
    }
    switch (message.code) {
      case MessageCode.UdpHello:
        this.send(encodeUdpHelloAnswer(address, port), address, port);
        return;
      case MessageCode.Probe: {
        const key = endpointKey(address, port);
        if (!this.sessions.onProbe(message.devTarget, { address, port })) {
          this.reject(address, port, `probe (51) for ${message.devTarget}, which has no TCP session`, datagram);
          return;
        }
        const previous = this.owners.get(key);
        if (previous !== message.devTarget) {
          this.forget(message.devTarget);
          this.owners.set(key, message.devTarget);
          this.logger.debug({ camera: message.devTarget, peer: key, previous }, `UDP ${key} belongs to camera ${message.devTarget}`);
        }
        return;
      }
      default:
        this.reject(address, port, `message code ${message.code} is not expected on UDP`, datagram);
    }
  }
}
