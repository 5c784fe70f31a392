/**
 * A simulated A9/V720 camera speaking the real protocol over real sockets: HTTP bootstrap,
 * TCP registration and heartbeats, the NAT/probe handshake, base info and setting echoes,
 * and JPEG/A-law/PCM media over UDP. Used by tests, benchmarks and the demo mode.
 *
 * By default it is an ideal camera. On request it misbehaves the way real firmware and home
 * Wi-Fi do (docs/protocol.md §5, §8): datagram loss, neighbour swaps, delays and duplicates; resends of
 * packets the server's 605 confirms did not list; audio on its own pkg_id counter; PCM audio as
 * cmd 6; fragments without 250/251/252 flags; first-boot and getDevInfo-only bootstrap; requests
 * left unanswered. All randomness comes from a seeded PRNG (`seed`, else derived from the id), so
 * a run is reproducible. Named bundles of these live in profiles.ts.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Cmd, decodeDatagram, type Packet } from '../protocol/header.js';
import { isObject, optionalNumber, optionalString, parseJsonObject } from '../protocol/json.js';
import { encodeCameraJson } from '../protocol/messages.js';
import { REBOOT_CODE, settingByCode } from '../protocol/settings.js';
import type { AudioFormat } from '../protocol/reassembly.js';
import { PacketStreamDecoder } from '../protocol/stream-decoder.js';
import { bootstrap, firstBootRegistration, getDevInfo } from './bootstrap-client.js';
import { ChunkedWriter, type WriteMode } from './chunked-writer.js';
import { impairBurst, isImpaired, newImpairmentCounters, type ImpairmentCounters, type ImpairmentOptions } from './impairments.js';
import { encodeAudioPacket, encodeJpegFragments, encodePcmPacket, FRAME_TAIL_BYTES } from './media-encoder.js';
import { ResendBuffer, type ResendCounters, type ResendOptions } from './resend-buffer.js';
import { seededRandom, seedFromText, type Random } from './seeded-random.js';

/**
 * How the camera finds its server: the captured flow, first boot, getDevInfo-only firmware, or
 * `bootstrap-only`: asks getA9ConfCheck and never gets through to TCP (6123/tcp not reaching us).
 */
export type BootstrapFlow = 'conf-check' | 'first-boot' | 'mqtt-only' | 'bootstrap-only';

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
  /** Audio samples to loop (A-law bytes, or s16le bytes for `pcm16`); empty = no audio. */
  readonly audio?: Buffer;
  /** cmd 4 A-law (default) or cmd 6 PCM s16le 8 kHz mono (firmware 202312111512). */
  readonly audioFormat?: AudioFormat;
  /** Audio packets per second, interleaved with the JPEG fragments. Default 20. */
  readonly audioPacketsPerSecond?: number;
  /** 'shared' (default): one pkg_id counter for video and audio; 'separate': audio has its own. */
  readonly audioCounter?: 'shared' | 'separate';
  /** First pkg_id of a separate audio counter; default 100 000 ahead of the video ids (see below). */
  readonly audioFirstPkgId?: number;
  /** Probability that a media datagram is lost (shorthand for impairments.loss). */
  readonly packetLoss?: number;
  /** Probability that a media datagram is swapped with the next one (shorthand for impairments.swap). */
  readonly reorder?: number;
  /** What the network does to media datagrams; merged over packetLoss / reorder. */
  readonly impairments?: ImpairmentOptions;
  /** Resend media packets the 605 confirms did not list, like real firmware. Default: off. */
  readonly resend?: ResendOptions | boolean;
  /** Bytes after the JPEG in a frame's last fragment: (n-4) unknown + u32 size. Default 5, as measured. */
  readonly frameTailBytes?: number;
  /** false: fragments carry msg_flag 0 instead of 250/251/252 (firmware that ignores 298). */
  readonly fragmentFlags?: boolean;
  /** Seed of the PRNG behind every misbehaviour; default derived from the id. */
  readonly seed?: number;
  /** Overrides the seeded PRNG (tests that share one PRNG between several cameras). */
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
  /** Default 'conf-check'. 'mqtt-only' calls getDevInfo and never opens TCP (firmware 202411152039). */
  readonly bootstrapFlow?: BootstrapFlow;
  /** Probability that a request (a 301 command, a UDP 50 probe request) gets no answer; the command still acts. */
  readonly skipAnswers?: number;
  /** false: the camera never sends heartbeats (the server must not rely on them). Default true. */
  readonly heartbeats?: boolean;
  /** Every UDP datagram the camera sends is lost on the way (6123/udp not mapped or firewalled). */
  readonly udpBlocked?: boolean;
}

export interface SimulatedCameraStats {
  registrations: number;
  heartbeatsSent: number;
  heartbeatAcks: number;
  framesSent: number;
  datagramsSent: number;
  datagramsDropped: number;
  confirmsReceived: number;
  /** Audio packets generated (before the network had its way with them). */
  audioPacketsSent: number;
  /** Frames whose every fragment left the camera at least once (not lost on every try). */
  framesOnWire: number;
  /** Requests deliberately left unanswered (skipAnswers). */
  answersSkipped: number;
  impairments: ImpairmentCounters;
  resends: ResendCounters;
  /** Latency of each heartbeat answer in ms (bounded ring, for benchmarks). */
  heartbeatLatenciesMs: number[];
}

export interface SimulatedCameraEvents {
  registered: [];
  disconnected: [reason: string];
  /** A 301 content object received from the server. */
  command: [content: Record<string, unknown>];
  streaming: [on: boolean];
  /** Frame `index` went out (its first send); `videoIds` are its fragments' pkg_ids. */
  frameSent: [jpeg: Buffer, index: number, videoIds: readonly number[]];
  /** Every fragment of frame `index` has now left the camera at least once; `at` = performance.now(). */
  frameOnWire: [index: number, at: number];
  error: [error: Error];
  /** Diagnostics (benchmarks): what became of each media datagram offered to the network. */
  mediaDatagram: [trace: MediaDatagramTrace];
  /** Diagnostics (benchmarks): a 605 confirm arrived listing `pkgIds`. */
  confirmReceived: [pkgIds: readonly number[], at: number];
}

export interface MediaDatagramTrace {
  readonly pkgId: number;
  readonly cmd: number;
  /** A resend of a packet a confirm did not list (not its first send). */
  readonly resend: boolean;
  /** `wire`: left the camera now (also a held-back one, when it finally goes); `lost`: the network ate it. */
  readonly fate: 'wire' | 'lost';
  /** performance.now() */
  readonly at: number;
}

const MAX_LATENCY_SAMPLES = 10_000;
/** Frames whose fragments are tracked until all went out; older ones are forgotten (bounded memory). */
const MAX_TRACKED_FRAMES = 64;
/** First video pkg_id of a simulated camera. */
const FIRST_VIDEO_PKG_ID = 1000;
/**
 * Default start of a separate audio counter: ahead of the video counter, as after a video restart
 * while the audio counter kept running. Audio ids then look like far-future video ids, the case
 * that breaks an assembler treating all media ids as one sequence (issue 10: 0.1 fps).
 */
const SEPARATE_AUDIO_FIRST_PKG_ID = FIRST_VIDEO_PKG_ID + 100_000;

interface TrackedFrame {
  readonly index: number;
  readonly missing: Set<number>;
}

export class SimulatedCamera extends EventEmitter<SimulatedCameraEvents> {
  readonly stats: SimulatedCameraStats = {
    registrations: 0,
    heartbeatsSent: 0,
    heartbeatAcks: 0,
    framesSent: 0,
    datagramsSent: 0,
    datagramsDropped: 0,
    confirmsReceived: 0,
    audioPacketsSent: 0,
    framesOnWire: 0,
    answersSkipped: 0,
    impairments: newImpairmentCounters(),
    resends: { resent: 0, confirmed: 0, abandoned: 0 },
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
  private pkgId = FIRST_VIDEO_PKG_ID;
  private audioPkgId: number;
  private frameIndex = 0;
  private audioOffset = 0;
  /** Fractional audio packets owed to the next frame (packets per second / fps is rarely whole). */
  private audioDue = 0;
  private stopped = true;
  private connected = false;
  private failures = 0;
  private currentId: string;
  private readonly random: Random;
  /** A separate PRNG for the network, so TCP write splits or reconnect jitter do not shift losses. */
  private readonly networkRandom: Random;
  private readonly impairments: ImpairmentOptions;
  /** Sent media packets kept for resending: one buffer per pkg_id counter (video, and audio if separate). */
  private readonly resendBuffers: { readonly video: ResendBuffer<Buffer>; readonly audio: ResendBuffer<Buffer> } | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  private readonly delayedSends = new Set<NodeJS.Timeout>();
  /** pkg_id of a video fragment → its frame, until every fragment went out once. */
  private readonly trackedFrames = new Map<number, TrackedFrame>();

  constructor(private readonly options: SimulatedCameraOptions) {
    super();
    this.currentId = options.id;
    this.audioPkgId = (options.audioFirstPkgId ?? SEPARATE_AUDIO_FIRST_PKG_ID) >>> 0;
    const seed = options.seed ?? seedFromText(options.id);
    this.random = options.random ?? seededRandom(seed);
    this.networkRandom = options.random ?? seededRandom(seed ^ 0x5eed);
    this.impairments = { loss: options.packetLoss, swap: options.reorder, ...options.impairments };
    const resend = options.resend ?? false;
    if (resend !== false) {
      const resendOptions = resend === true ? {} : resend;
      const video = new ResendBuffer<Buffer>(resendOptions, this.stats.resends);
      const audio = options.audioCounter === 'separate' ? new ResendBuffer<Buffer>(resendOptions, this.stats.resends) : video;
      this.resendBuffers = { video, audio };
    }
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

  /** The device id; a first-boot camera adopts the one registerDevices hands out. */
  get id(): string {
    return this.currentId;
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

  /** A raw datagram from the camera's own UDP socket (tests: half frames, odd packets). */
  sendUdpRaw(datagram: Buffer): void {
    this.sendUdp(datagram);
  }

  /** The camera's UDP source address, once its data channel is open. */
  get udpAddress(): { address: string; port: number } | undefined {
    const local = this.udp?.address();
    return local ? { address: local.address, port: local.port } : undefined;
  }

  private async connectOnce(): Promise<void> {
    const firmware = this.options.firmware ?? '202212011602';
    const { host, httpPort, localAddress } = this.options;
    const flow = this.options.bootstrapFlow ?? 'conf-check';
    if (flow === 'mqtt-only') {
      // Firmware 202411152039: asks getDevInfo two or three times, then only talks MQTT (not simulated).
      for (let i = 0; i < 3; i++) await getDevInfo(host, httpPort, this.id, firmware, localAddress);
      return;
    }
    if (flow === 'bootstrap-only') {
      // Asks for its server, then its TCP connection never arrives (not simulated: nothing is sent).
      await bootstrap(host, httpPort, this.id, firmware, localAddress);
      return;
    }
    if (flow === 'first-boot' && this.stats.registrations === 0) {
      this.currentId = await firstBootRegistration(host, httpPort, this.id, firmware, localAddress);
    }
    const answer = await bootstrap(host, httpPort, this.id, firmware, localAddress);
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
        this.writer?.write(encodeCameraJson(`{"code": 100, "uid": "${this.id}", "token": "${token}" ,"domain": "v720.naxclow.com"}`));
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
    if (this.options.heartbeats !== false) this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), heartbeatMs);
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
    if (this.options.udpBlocked) {
      this.stats.datagramsDropped++;
      return;
    }
    this.stats.datagramsSent++;
    this.udp.send(datagram, this.udpTarget.port, this.udpTarget.address);
  }

  /**
   * Media datagrams go through the simulated network: lost, swapped, delayed or duplicated as
   * configured. What actually leaves the camera is counted towards "frame on wire".
   */
  private transmit(burst: Buffer[], resend = false): void {
    if (!isImpaired(this.impairments)) {
      for (const datagram of burst) this.putOnWire(datagram, resend);
      return;
    }
    const before = this.stats.impairments.lost;
    const { now, later } = impairBurst(burst, this.impairments, this.networkRandom, this.stats.impairments);
    this.stats.datagramsDropped += this.stats.impairments.lost - before;
    if (this.stats.impairments.lost > before && this.listenerCount('mediaDatagram') > 0) this.traceLost(burst, now, later, resend);
    for (const datagram of now) this.putOnWire(datagram, resend);
    for (const { item, afterMs } of later) {
      const timer = setTimeout(() => {
        this.delayedSends.delete(timer);
        this.putOnWire(item, resend);
      }, afterMs);
      this.delayedSends.add(timer);
    }
  }

  /** The datagrams of `burst` that the network lost (neither sent now nor held back). */
  private traceLost(burst: readonly Buffer[], now: readonly Buffer[], later: readonly { item: Buffer }[], resend: boolean): void {
    const kept = new Set<Buffer>(now);
    for (const { item } of later) kept.add(item);
    const at = performance.now();
    for (const datagram of burst) {
      if (kept.has(datagram)) continue;
      this.emit('mediaDatagram', { pkgId: datagram.readUInt32LE(16), cmd: datagram.readUInt16LE(4), resend, fate: 'lost', at });
    }
  }

  private putOnWire(datagram: Buffer, resend: boolean): void {
    if (!this.udp) return;
    this.sendUdp(datagram);
    if (this.listenerCount('mediaDatagram') > 0) {
      this.emit('mediaDatagram', {
        pkgId: datagram.readUInt32LE(16),
        cmd: datagram.readUInt16LE(4),
        resend,
        fate: 'wire',
        at: performance.now(),
      });
    }
    if (datagram.readUInt16LE(4) !== Cmd.JpegFragment) return;
    const pkgId = datagram.readUInt32LE(16);
    const frame = this.trackedFrames.get(pkgId);
    if (!frame) return;
    this.trackedFrames.delete(pkgId);
    frame.missing.delete(pkgId);
    if (frame.missing.size === 0) {
      this.stats.framesOnWire++;
      this.emit('frameOnWire', frame.index, performance.now());
    }
  }

  private trackFrame(index: number, pkgIds: readonly number[]): void {
    const frame: TrackedFrame = { index, missing: new Set(pkgIds) };
    for (const id of pkgIds) this.trackedFrames.set(id, frame);
    // Bounded: forget the oldest frames' fragments (they will never complete anyway).
    while (this.trackedFrames.size > MAX_TRACKED_FRAMES * 64) {
      const oldest = this.trackedFrames.keys().next();
      if (oldest.done) break;
      this.trackedFrames.delete(oldest.value);
    }
  }

  private onUdp(datagram: Buffer): void {
    const decoded = decodeDatagram(datagram);
    if (!decoded.ok) return;
    const packet = decoded.packet;
    if (packet.cmd === Cmd.RetransmitConfirm) {
      this.stats.confirmsReceived++;
      this.onConfirm(packet.payload);
      return;
    }
    if (packet.cmd !== Cmd.Json) return;
    const json = parseJsonObject(packet.payload);
    if (json.ok && optionalNumber(json.value, 'code') === 50 && !this.skipThisAnswer()) {
      this.sendUdp(encodeCameraJson({ code: 51, devTarget: this.id, status: 200 }));
    }
  }

  /** A 605 lists the pkg_ids the server received; what it did not list is resent shortly after. */
  private onConfirm(payload: Buffer): void {
    const buffers = this.resendBuffers;
    if (!buffers) return;
    const ids: number[] = [];
    for (let offset = 0; offset + 4 <= payload.length; offset += 4) ids.push(payload.readUInt32LE(offset));
    if (this.listenerCount('confirmReceived') > 0) this.emit('confirmReceived', ids, performance.now());
    // A confirm does not say which counter an id belongs to: with separate counters, both buffers
    // take it (the same ambiguity the firmware has).
    const distinct = buffers.audio === buffers.video ? [buffers.video] : [buffers.video, buffers.audio];
    for (const buffer of distinct) buffer.confirm(ids, performance.now());
    if (!this.resendTimer) this.scheduleResends(distinct, buffers.video.resendDelayMs + 1);
  }

  /**
   * One timer sends what is due. A packet that a later confirm showed missing may not be due yet
   * when the timer fires: the timer is then set again for it, so every missed packet goes out
   * resendDelayMs after the confirm that missed it (not only with the next confirm's timer).
   */
  private scheduleResends(buffers: readonly ResendBuffer<Buffer>[], afterMs: number): void {
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      const now = performance.now();
      const due = buffers.flatMap((buffer) => buffer.due(now));
      if (due.length > 0 && this.isStreaming)
        this.transmit(
          due.map((packet) => packet.item),
          true,
        );
      const next = Math.min(...buffers.map((buffer) => buffer.nextDueAt() ?? Number.POSITIVE_INFINITY));
      if (Number.isFinite(next) && this.isStreaming) this.scheduleResends(buffers, Math.max(1, next - now + 1));
    }, afterMs);
  }

  private skipThisAnswer(): boolean {
    const rate = this.options.skipAnswers ?? 0;
    if (rate <= 0 || this.random() >= rate) return false;
    this.stats.answersSkipped++;
    return true;
  }

  private reply(content: Record<string, unknown>): void {
    if (this.skipThisAnswer()) return;
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
      case REBOOT_CODE:
        this.reply({ code: REBOOT_CODE, reboot: 1 });
        // A reboot: the connection drops shortly after the echo, then the camera comes back.
        setTimeout(() => this.socket?.destroy(), 50);
        return;
      default:
        this.echoSetting(code, content);
        return;
    }
  }

  /** A setting from the table: store the value the command carries and echo the current one, as cameras do. */
  private echoSetting(code: number | undefined, content: Record<string, unknown>): void {
    const spec = code === undefined ? undefined : settingByCode(code);
    if (!spec?.reported) return;
    const value = optionalNumber(content, spec.field);
    if (value !== undefined) this.baseInfo[spec.field] = value;
    this.reply({ code: spec.code, [spec.field]: this.baseInfo[spec.field] });
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
    if (this.resendTimer) clearTimeout(this.resendTimer);
    this.resendTimer = undefined;
    for (const timer of this.delayedSends) clearTimeout(timer);
    this.delayedSends.clear();
    this.resendBuffers?.video.clear();
    this.resendBuffers?.audio.clear();
    this.trackedFrames.clear();
    this.emit('streaming', false);
  }

  private sendFrame(frames: readonly Buffer[]): void {
    const index = this.frameIndex++;
    const jpeg = frames[index % frames.length] as Buffer;
    const fps = this.options.fps ?? 10;
    const { datagrams } = encodeJpegFragments(jpeg, 0, {
      tailBytes: this.options.frameTailBytes ?? FRAME_TAIL_BYTES,
      fragmentFlags: this.options.fragmentFlags,
    });
    // The audio recorded during this frame interval goes out between the fragments, as real
    // firmware interleaves them (docs/protocol.md §5); positions come from the seeded PRNG.
    const audio = this.audioPackets(fps);
    const slots = datagrams.map(() => [] as Buffer[]);
    for (const chunk of audio) slots[Math.floor(this.random() * slots.length)]?.push(chunk);
    const burst: Buffer[] = [];
    const videoIds: number[] = [];
    const separate = this.options.audioCounter === 'separate';
    const pcm = this.options.audioFormat === 'pcm16';
    datagrams.forEach((fragment, i) => {
      for (const samples of slots[i] ?? []) {
        const id = separate ? this.audioPkgId++ : this.pkgId++;
        this.audioPkgId >>>= 0;
        this.pkgId >>>= 0;
        burst.push(pcm ? encodePcmPacket(samples, id) : encodeAudioPacket(samples, id));
      }
      const id = this.pkgId;
      this.pkgId = (this.pkgId + 1) >>> 0;
      fragment.writeUInt32LE(id, 16);
      videoIds.push(id);
      burst.push(fragment);
    });
    this.trackFrame(index, videoIds);
    if (this.resendBuffers) {
      const now = performance.now();
      for (const datagram of burst) {
        const buffer = datagram.readUInt16LE(4) === Cmd.JpegFragment ? this.resendBuffers.video : this.resendBuffers.audio;
        buffer.sent(datagram.readUInt32LE(16), datagram, now);
      }
    }
    this.transmit(burst);
    this.stats.framesSent++;
    this.emit('frameSent', jpeg, index, videoIds);
  }

  /** The audio packets of one frame interval: 8000 Hz × 1/pps s each, A-law 1 byte or PCM 2 bytes per sample. */
  private audioPackets(fps: number): Buffer[] {
    const audio = this.options.audio;
    if (!audio || audio.length === 0) return [];
    const perSecond = this.options.audioPacketsPerSecond ?? 20;
    this.audioDue += perSecond / fps;
    const count = Math.floor(this.audioDue);
    this.audioDue -= count;
    const bytes = Math.round(8000 / perSecond) * (this.options.audioFormat === 'pcm16' ? 2 : 1);
    const out: Buffer[] = [];
    for (let n = 0; n < count; n++) {
      const chunk = Buffer.allocUnsafe(bytes);
      for (let i = 0; i < bytes; i++) chunk[i] = audio[(this.audioOffset + i) % audio.length] as number;
      this.audioOffset = (this.audioOffset + bytes) % audio.length;
      out.push(chunk);
    }
    this.stats.audioPacketsSent += out.length;
    return out;
  }
}
