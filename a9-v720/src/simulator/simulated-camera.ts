/**
 * A simulated A9/V720 camera speaking the real protocol over real sockets: HTTP bootstrap,
 * TCP registration and heartbeats, the NAT/probe handshake, base info and setting echoes,
 * and JPEG/A-law media over UDP. Used by tests, benchmarks and the demo mode.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Cmd, decodeDatagram, type Packet } from '../protocol/header.js';
import { isObject, optionalNumber, optionalString, parseJsonObject } from '../protocol/json.js';
import { encodeCameraJson } from '../protocol/messages.js';
import { PacketStreamDecoder } from '../protocol/stream-decoder.js';
import { bootstrap } from './bootstrap-client.js';
import { ChunkedWriter, type WriteMode } from './chunked-writer.js';
import { encodeAudioPacket, encodeJpegFragments } from './media-encoder.js';

export interface SimulatedCameraOptions {
  readonly id: string;
  /** Server address for HTTP bootstrap; TCP/UDP use what the bootstrap answer says. */
  readonly host: string;
  readonly httpPort: number;
  /** Source address to bind (e.g. 127.0.0.12) so several cameras have distinct IPs. */
  readonly localAddress?: string;
  readonly firmware?: string;
  readonly heartbeatMs?: number;
  readonly writeMode?: WriteMode;
  /** JPEG frames to stream in a loop; without frames the camera never sends video. */
  readonly frames?: readonly Buffer[];
  readonly fps?: number;
  /** A-law bytes to loop as audio; empty = no audio. */
  readonly audio?: Buffer;
  /** Probability that a media datagram is lost. */
  readonly packetLoss?: number;
  /** Probability that a media datagram is swapped with the next one. */
  readonly reorder?: number;
  readonly random?: () => number;
  /** Reconnect after a lost connection; false = stay down. */
  readonly reconnect?: boolean;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
  readonly baseInfo?: Record<string, unknown>;
  /** Firmware 202412061749 writes 301 answers with irregular whitespace. */
  readonly sloppyJson?: boolean;
  /** Register with this token instead of the bootstrap pwd. */
  readonly tokenOverride?: string;
}

export interface SimulatedCameraStats {
  registrations: number;
  heartbeatsSent: number;
  heartbeatAcks: number;
  framesSent: number;
  datagramsSent: number;
  datagramsDropped: number;
  confirmsReceived: number;
  /** Latency of each heartbeat answer in ms (bounded ring, for benchmarks). */
  heartbeatLatenciesMs: number[];
}

export interface SimulatedCameraEvents {
  registered: [];
  disconnected: [reason: string];
  /** A 301 content object received from the server. */
  command: [content: Record<string, unknown>];
  streaming: [on: boolean];
  frameSent: [jpeg: Buffer, index: number];
  error: [error: Error];
}

const MAX_LATENCY_SAMPLES = 10_000;

export class SimulatedCamera extends EventEmitter<SimulatedCameraEvents> {
  readonly id: string;
  readonly stats: SimulatedCameraStats = {
    registrations: 0,
    heartbeatsSent: 0,
    heartbeatAcks: 0,
    framesSent: 0,
    datagramsSent: 0,
    datagramsDropped: 0,
    confirmsReceived: 0,
    heartbeatLatenciesMs: [],
  };
  /** Every 301 content the server sent, in order. */
  readonly commands: Record<string, unknown>[] = [];
  baseInfo: Record<string, unknown>;

  private socket: net.Socket | undefined;
  private writer: ChunkedWriter | undefined;
  private udp: dgram.Socket | undefined;
  private udpTarget: { address: string; port: number } | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private streamTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pendingHeartbeats: number[] = [];
  private cliTarget = '';
  private pkgId = 1000;
  private frameIndex = 0;
  private audioOffset = 0;
  private stopped = true;
  private connected = false;
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly options: SimulatedCameraOptions) {
    super();
    this.id = options.id;
    this.random = options.random ?? Math.random;
    this.baseInfo = {
      IrLed: 0,
      devPower: 87,
      speedGrade: 1,
      moveAlert: 0,
      sdMoveMode: 0,
      wifiName: 'demo-wifi',
      instLed: 1,
      sdDevStatus: 0,
      mirrorFlip: 0,
      version: options.firmware ?? '202212011602',
      ...options.baseInfo,
    };
  }

  get isConnected(): boolean {
    return this.connected;
  }

  get isStreaming(): boolean {
    return this.streamTimer !== undefined;
  }

  /** Bootstraps, connects and registers; resolves once the server answered 101. */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.connectOnce();
    } catch (error) {
      // Like a real camera: keep trying in the background until the server answers.
      if (this.options.reconnect !== false) this.scheduleReconnect();
      throw error;
    }
  }

  /** Stops for good: no reconnect. */
  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.teardown('stopped');
  }

  /** Drops the TCP connection abruptly (RST), as a camera losing power would. */
  crash(): void {
    this.socket?.resetAndDestroy();
  }

  /** Goes silent without closing anything: the server must notice by itself. */
  freeze(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.stopStreaming();
  }

  /** Stops sending media while still believing it streams (a lost UDP path): the server must notice. */
  loseMediaPath(): void {
    this.stopStreaming();
  }

  /** Raw bytes on the control channel (tests of malformed input). */
  sendRaw(bytes: Buffer): void {
    this.socket?.write(bytes);
  }

  private async connectOnce(): Promise<void> {
    const firmware = this.options.firmware ?? '202212011602';
    const answer = await bootstrap(this.options.host, this.options.httpPort, this.id, firmware, this.options.localAddress);
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: answer.host, port: answer.tcpPort, localAddress: this.options.localAddress });
      this.socket = socket;
      socket.setNoDelay(true);
      this.writer = new ChunkedWriter(socket, this.options.writeMode ?? 'whole', this.random);
      const decoder = new PacketStreamDecoder();
      let registered = false;
      socket.on('connect', () => {
        // The observed registration, spaces and all.
        const token = this.options.tokenOverride ?? answer.pwd;
        this.writer?.write(
          encodeCameraJson(`{"code": 100, "uid": "${this.id}", "token": "${token}" ,"domain": "v720.naxclow.com"}`),
        );
      });
      socket.on('data', (chunk: Buffer) => {
        let packets: Packet[];
        try {
          packets = decoder.push(chunk);
        } catch (error) {
          this.emit('error', error as Error);
          socket.destroy();
          return;
        }
        for (const packet of packets) {
          if (!registered && packet.cmd === Cmd.Json) {
            const json = parseJsonObject(packet.payload);
            if (json.ok && optionalNumber(json.value, 'code') === 101) {
              registered = true;
              this.onRegistered();
              resolve();
              continue;
            }
          }
          this.onTcpPacket(packet);
        }
      });
      socket.on('error', (error) => {
        if (!registered) reject(error);
      });
      socket.on('close', () => {
        if (!registered) reject(new Error(`camera ${this.id}: connection closed before registration`));
        if (this.socket === socket) this.onDisconnected('connection closed');
      });
    });
  }

  private onRegistered(): void {
    this.connected = true;
    this.failures = 0;
    this.stats.registrations++;
    const heartbeatMs = this.options.heartbeatMs ?? 5000;
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), heartbeatMs);
    this.emit('registered');
  }

  private sendHeartbeat(): void {
    this.stats.heartbeatsSent++;
    this.pendingHeartbeats.push(performance.now());
    if (this.pendingHeartbeats.length > 100) this.pendingHeartbeats.shift();
    this.writer?.write(Buffer.from('0000000064000000000000000000000000000000', 'hex'));
  }

  private onDisconnected(reason: string): void {
    const wasConnected = this.connected;
    this.teardown(reason);
    if (wasConnected) this.emit('disconnected', reason);
    if (!this.stopped && this.options.reconnect !== false) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const min = this.options.reconnectMinMs ?? 1000;
    const max = this.options.reconnectMaxMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** Math.min(this.failures, 10)) * (0.75 + this.random() * 0.5);
    this.failures++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.connectOnce().catch(() => {
        if (!this.stopped) this.scheduleReconnect();
      });
    }, delay);
  }

  private teardown(reason: string): void {
    this.connected = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    this.stopStreaming();
    this.socket?.destroy();
    this.socket = undefined;
    this.udp?.close();
    this.udp = undefined;
    this.udpTarget = undefined;
    this.pendingHeartbeats = [];
    void reason;
  }

  private sendJson(value: unknown): void {
    this.writer?.write(encodeCameraJson(value));
  }

  private onTcpPacket(packet: Packet): void {
    if (packet.cmd === Cmd.Heartbeat) {
      const sentAt = this.pendingHeartbeats.shift();
      this.stats.heartbeatAcks++;
      if (sentAt !== undefined) {
        const latencies = this.stats.heartbeatLatenciesMs;
        if (latencies.length >= MAX_LATENCY_SAMPLES) latencies.shift();
        latencies.push(performance.now() - sentAt);
      }
      return;
    }
    if (packet.cmd !== Cmd.Json) return;
    const json = parseJsonObject(packet.payload);
    if (!json.ok) return;
    const message = json.value;
    switch (optionalNumber(message, 'code')) {
      case 11:
        this.onNatRequest(message);
        return;
      case 301:
        if (isObject(message['content'])) this.onForward(optionalString(message, 'target') ?? '', message['content']);
        return;
      default:
        return;
    }
  }

  private onNatRequest(message: Record<string, unknown>): void {
    const address = optionalString(message, 'cliNatIp') ?? this.options.host;
    const port = optionalNumber(message, 'cliNatPort');
    if (port === undefined) return;
    this.cliTarget = optionalString(message, 'cliTarget') ?? '';
    this.udp?.close();
    const udp = dgram.createSocket('udp4');
    this.udp = udp;
    this.udpTarget = { address, port };
    udp.on('message', (datagram) => this.onUdp(datagram));
    udp.on('error', () => undefined);
    udp.bind(0, this.options.localAddress ?? '127.0.0.1', () => {
      const local = udp.address();
      this.sendUdp(encodeCameraJson({ code: 20 }));
      this.sendJson({
        code: 12,
        status: 200,
        devIp: local.address,
        devPort: local.port,
        devNatIp: local.address,
        devNatPort: local.port,
        cliTarget: this.cliTarget,
        cliToken: optionalString(message, 'cliToken') ?? '',
      });
      this.sendUdp(encodeCameraJson({ code: 51, devTarget: this.id, status: 200 }));
    });
  }

  private sendUdp(datagram: Buffer): void {
    if (!this.udp || !this.udpTarget) return;
    this.stats.datagramsSent++;
    this.udp.send(datagram, this.udpTarget.port, this.udpTarget.address);
  }

  private onUdp(datagram: Buffer): void {
    const decoded = decodeDatagram(datagram);
    if (!decoded.ok) return;
    const packet = decoded.packet;
    if (packet.cmd === Cmd.RetransmitConfirm) {
      this.stats.confirmsReceived++;
      return;
    }
    if (packet.cmd !== Cmd.Json) return;
    const json = parseJsonObject(packet.payload);
    if (json.ok && optionalNumber(json.value, 'code') === 50) {
      this.sendUdp(encodeCameraJson({ code: 51, devTarget: this.id, status: 200 }));
    }
  }

  private reply(content: Record<string, unknown>): void {
    if (this.options.sloppyJson) {
      const inner = JSON.stringify(content).replace(/,/g, ' , ').replace(/:/g, ':  ');
      this.writer?.write(encodeCameraJson(`{"code": 301 , "target": "${this.cliTarget}", "content":  ${inner} }`));
    } else {
      this.sendJson({ code: 301, target: this.cliTarget, content });
    }
  }

  private onForward(_target: string, content: Record<string, unknown>): void {
    this.commands.push(content);
    this.emit('command', content);
    const code = optionalNumber(content, 'code');
    switch (code) {
      case 298:
        return;
      case 4:
        this.reply({ code: 4, ...this.baseInfo });
        return;
      case 3:
        this.reply({ code: 3 });
        this.startStreaming();
        return;
      case 0:
        this.reply({ code: 0 });
        this.stopStreaming();
        return;
      case 202:
      case 210:
      case 216: {
        const field = code === 202 ? 'IrLed' : code === 210 ? 'instLed' : 'mirrorFlip';
        const value = optionalNumber(content, field);
        if (value !== undefined) this.baseInfo[field] = value;
        this.reply({ code, [field]: this.baseInfo[field] });
        return;
      }
      case 299:
        this.reply({ code: 299, reboot: 1 });
        // A reboot: the connection drops shortly after the echo, then the camera comes back.
        setTimeout(() => this.socket?.destroy(), 50);
        return;
      default:
        return;
    }
  }

  private startStreaming(): void {
    const frames = this.options.frames ?? [];
    if (this.streamTimer || frames.length === 0) return;
    const fps = this.options.fps ?? 10;
    this.streamTimer = setInterval(() => this.sendFrame(frames), 1000 / fps);
    this.emit('streaming', true);
  }

  private stopStreaming(): void {
    if (!this.streamTimer) return;
    clearInterval(this.streamTimer);
    this.streamTimer = undefined;
    this.emit('streaming', false);
  }

  private sendFrame(frames: readonly Buffer[]): void {
    const index = this.frameIndex++;
    const jpeg = frames[index % frames.length] as Buffer;
    const { datagrams, nextPkgId } = encodeJpegFragments(jpeg, this.pkgId);
    this.pkgId = nextPkgId;
    const loss = this.options.packetLoss ?? 0;
    const reorder = this.options.reorder ?? 0;
    const outgoing = datagrams.filter(() => {
      if (loss > 0 && this.random() < loss) {
        this.stats.datagramsDropped++;
        return false;
      }
      return true;
    });
    if (reorder > 0) {
      for (let i = 0; i + 1 < outgoing.length; i++) {
        if (this.random() < reorder) [outgoing[i], outgoing[i + 1]] = [outgoing[i + 1] as Buffer, outgoing[i] as Buffer];
      }
    }
    for (const datagram of outgoing) this.sendUdp(datagram);
    this.stats.framesSent++;
    this.emit('frameSent', jpeg, index);
    const audio = this.options.audio;
    if (audio && audio.length > 0) {
      const bytes = Math.round(8000 / (this.options.fps ?? 10));
      const chunk = Buffer.alloc(bytes);
      for (let i = 0; i < bytes; i++) chunk[i] = audio[(this.audioOffset + i) % audio.length] as number;
      this.audioOffset = (this.audioOffset + bytes) % audio.length;
      this.sendUdp(encodeAudioPacket(chunk, this.pkgId++));
    }
  }
}
