/**
 * A simulated camera in access-point mode (docs/protocol.md §9): it listens on a TCP port as a
 * reset camera does on 192.168.169.1:6123 (here any host/port, 127.0.0.1 and port 0 in tests),
 * answers the pairing exchange (ap-exchange.ts), and once a client sets a Wi-Fi network the
 * simulated world knows, it "restarts": the access point closes and the camera boots on that
 * network as a normal SimulatedCamera, with the HTTP bootstrap against the network's server.
 *
 * Misbehaviours on request: slow answers (`answerDelayMs`), heartbeats of its own during the
 * exchange, answers split or coalesced on the wire (`writeMode`), and a refusal for a network it
 * cannot use (unknown name, wrong password, or outside the camera's limits).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { CAMERA_FORWARD_ID, Cmd, encodePacket } from '../protocol/header.js';
import { PacketStreamDecoder } from '../protocol/stream-decoder.js';
import { reactToApPacket, type WifiCredentials } from './ap-exchange.js';
import { ChunkedWriter, type WriteMode } from './chunked-writer.js';
import { seededRandom, seedFromText } from './seeded-random.js';
import { SimulatedCamera, type SimulatedCameraOptions } from './simulated-camera.js';

/** A Wi-Fi network of the simulated world and the add-on its DNS leads the camera to. */
export interface HomeNetwork extends WifiCredentials {
  /** Where the camera's bootstrap lands on this network (the add-on's HTTP port). */
  readonly server: { readonly host: string; readonly httpPort: number };
}

export interface ApCameraOptions {
  readonly id: string;
  /** Where the access point's TCP service listens; default 127.0.0.1, port 0 (ephemeral). */
  readonly listenHost?: string;
  readonly listenPort?: number;
  /** The networks in range; a 204 naming another one, or with another password, is refused. */
  readonly networks: readonly HomeNetwork[];
  /** Each answer goes out this late (a busy camera); default 0. */
  readonly answerDelayMs?: number;
  /** The camera's own heartbeats on the AP connection, this often; default none. */
  readonly heartbeatMs?: number;
  readonly writeMode?: WriteMode;
  /**
   * How long after answering an accepted 204 the camera restarts by itself; default 3 s. A client's
   * 299 (or its closing the connection) restarts it at once: the answer has arrived by then, whereas
   * a timer could cut off an answer still trickling out in `split` write mode.
   */
  readonly restartAfterMs?: number;
  /** Options of the camera once it runs on the home network (frames, heartbeat, …). */
  readonly station?: Partial<SimulatedCameraOptions>;
  /** At most this many AP clients at once; more are closed at once. Default 4. */
  readonly maxClients?: number;
}

export interface ApCameraEvents {
  listening: [port: number];
  /** A packet and what the camera made of it (tests and the CLI print these). */
  exchange: [outcome: ReturnType<typeof reactToApPacket>['outcome']];
  accepted: [wifi: WifiCredentials];
  refused: [reason: string];
  /** The access point closed; the camera boots on `wifi`. */
  restarting: [wifi: WifiCredentials];
  /** The camera registered with the add-on on its new network. */
  registered: [camera: SimulatedCamera];
  /** A client broke the framing, or the camera on the home network failed (not an 'error': nothing must crash). */
  fault: [error: Error];
}

export class ApCamera extends EventEmitter<ApCameraEvents> {
  private server: net.Server | undefined;
  private readonly clients = new Set<net.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private accepted: HomeNetwork | undefined;
  private stationCamera: SimulatedCamera | undefined;
  private stopped = false;

  constructor(private readonly options: ApCameraOptions) {
    super();
  }

  get id(): string {
    return this.options.id;
  }

  /** The camera on the home network, once it restarted onto it. */
  get station(): SimulatedCamera | undefined {
    return this.stationCamera;
  }

  /** Opens the access point's TCP service; resolves with its port. */
  async start(): Promise<number> {
    const server = net.createServer((socket) => this.onClient(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort ?? 0, this.options.listenHost ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    this.emit('listening', port);
    return port;
  }

  stop(): void {
    this.stopped = true;
    this.closeAccessPoint();
    this.stationCamera?.stop();
  }

  private later(ms: number, action: () => void): void {
    if (ms <= 0) {
      action();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private onClient(socket: net.Socket): void {
    if (this.accepted || this.clients.size >= (this.options.maxClients ?? 4)) {
      socket.destroy();
      return;
    }
    this.clients.add(socket);
    socket.setNoDelay(true);
    const writer = new ChunkedWriter(socket, this.options.writeMode ?? 'whole', seededRandom(seedFromText(this.options.id)));
    const decoder = new PacketStreamDecoder();
    let heartbeat: NodeJS.Timeout | undefined;
    if (this.options.heartbeatMs !== undefined) {
      heartbeat = setInterval(
        () => writer.write(encodePacket({ cmd: Cmd.Heartbeat, forwardId: CAMERA_FORWARD_ID })),
        this.options.heartbeatMs,
      );
    }
    socket.on('close', () => {
      if (heartbeat) clearInterval(heartbeat);
      this.clients.delete(socket);
      // The client has what it needed (or gave up): an accepted camera need not wait any longer.
      if (this.accepted && !this.stopped) this.later(50, () => this.restart());
    });
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let packets;
      try {
        packets = decoder.push(chunk);
      } catch (error) {
        this.emit('fault', error as Error);
        socket.destroy();
        return;
      }
      for (const packet of packets) {
        const reaction = reactToApPacket(packet, (wifi) => this.joinProblem(wifi));
        this.emit('exchange', reaction.outcome);
        this.later(this.options.answerDelayMs ?? 0, () => {
          for (const reply of reaction.replies) writer.write(reply);
        });
        this.apply(reaction.outcome);
      }
    });
  }

  /** Why the camera could not join `wifi` in the simulated world, or undefined when it can. */
  private joinProblem(wifi: WifiCredentials): string | undefined {
    const network = this.options.networks.find((candidate) => candidate.ssid === wifi.ssid);
    if (!network) return `no network named ${JSON.stringify(wifi.ssid)} in range`;
    if (network.password !== wifi.password) return `wrong password for ${JSON.stringify(wifi.ssid)}`;
    return undefined;
  }

  private apply(outcome: ReturnType<typeof reactToApPacket>['outcome']): void {
    if (outcome.kind === 'refused') this.emit('refused', outcome.reason);
    if (outcome.kind === 'accepted' && !this.accepted) {
      this.accepted = this.options.networks.find((network) => network.ssid === outcome.wifi.ssid);
      this.emit('accepted', outcome.wifi);
      // The answer goes out first (it may be delayed), then the camera restarts.
      this.later((this.options.answerDelayMs ?? 0) + (this.options.restartAfterMs ?? 3000), () => this.restart());
    }
    if (outcome.kind === 'reboot' && this.accepted) this.later(50, () => this.restart());
  }

  private closeAccessPoint(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.clients) socket.destroy();
    this.clients.clear();
    this.server?.close();
    this.server = undefined;
  }

  /** The access point goes away and the camera boots on the accepted network. */
  private restart(): void {
    const network = this.accepted;
    if (!network || this.stationCamera || this.stopped) return;
    this.closeAccessPoint();
    this.emit('restarting', { ssid: network.ssid, password: network.password });
    const camera = new SimulatedCamera({
      id: this.options.id,
      host: network.server.host,
      httpPort: network.server.httpPort,
      ...this.options.station,
      baseInfo: { wifiName: network.ssid, ...this.options.station?.baseInfo },
    });
    this.stationCamera = camera;
    camera.on('registered', () => this.emit('registered', camera));
    camera.on('error', (error) => this.emit('fault', error));
    // Like a real camera, it keeps trying in the background until the server answers.
    camera.start().catch(() => undefined);
  }
}
