/**
 * The composition root: builds the long-lived parts, connects them by events and owns
 * start-up and shutdown. Nothing here parses bytes or knows a topic name.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { CameraRegistry } from './camera/registry.js';
import { RegistryStore } from './camera/registry-store.js';
import { DeviceSecrets } from './camera/device-secrets.js';
import { DEFAULT_MOVE_AFTER_SILENCE_MS, SessionManager } from './camera/session-manager.js';
import { ControlServer } from './camera/control-server.js';
import { MediaChannel } from './camera/media-channel.js';
import { createBootstrapServer, DEFAULT_BOOTSTRAP_LIMITS } from './camera/bootstrap-server.js';
import { DEFAULT_REGISTRATION_LIMITS } from './camera/control-server.js';
import type { TokenBucketLimits } from './util/token-bucket.js';
import type { SessionTimeouts } from './camera/camera-session.js';
import { CameraFacing, type CameraAddress, type HostNetwork } from './camera/camera-facing.js';
import type { Config } from './config.js';
import type { CameraNames, Logger } from './log.js';
import { MediaHub } from './media/media-hub.js';
import { MotionMonitor } from './media/motion/motion-monitor.js';
import { createApiRouter } from './web/api-routes.js';
import { createMediaRouter } from './web/media-routes.js';
import { createMotionRouter } from './web/motion-routes.js';
import { createPairingRouter, loadPairingHelperTemplate } from './web/pairing-routes.js';
import { createWebServer } from './web/server.js';
import { MediaKey } from './web/media-key.js';
import { createStatsRouter } from './web/stats-routes.js';
import { MqttBridge, type MqttBridgeTiming } from './ha/bridge.js';
import { LiveEntities } from './ha/live-entities.js';
import { createLiveEntityRouter, NOT_SUPERVISED } from './web/live-entity-routes.js';
import { ListeningServer } from './util/listen.js';
import { repeating, StartedParts, subscriptions, type Lifecycle } from './util/lifecycle.js';
import { prepareDataDir, removeStaleTempFiles } from './util/atomic-file.js';
import { RateLimitedLog } from './util/rate-limited-log.js';
import type { Unsubscribe } from './util/listeners.js';
import { JourneyBook } from './camera/setup/journey.js';
import { SetupMonitor, type SetupMonitorTiming } from './camera/setup/setup-monitor.js';
import { createResolver, type DnsResolver } from './camera/setup/dns-check.js';
import type { PortsInput } from './camera/setup/diagnosis.js';
import { createSetupRouter } from './web/setup-routes.js';
import { localAddresses } from './util/net.js';

export const ADDON_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export interface AppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The logger's name lookup: log lines about a named camera carry its name. */
  readonly cameraNames?: CameraNames;
  /** Test hooks: shorter handshake timeouts, media hub timings. */
  readonly sessionTimeouts?: SessionTimeouts;
  readonly media?: { lingerMs?: number; watchdogMs?: number; freshFrameMs?: number };
  /** Test hook: motion hold time and analysis rate. */
  readonly motion?: { holdMs?: number; maxFps?: number };
  /** Supervisor API for the MQTT broker lookup (defaults to the env of the add-on). */
  readonly supervisor?: { url: string; token: string };
  /** Test hook: faster MQTT reconnects and birth handling. */
  readonly mqttTiming?: Partial<MqttBridgeTiming>;
  /** Link on every HA device page; main resolves the ingress link from the Supervisor. */
  readonly dashboardUrl?: string;
  /** The host-side port mapping, from the Supervisor (add-on mode). */
  readonly hostNetwork?: HostNetwork;
  /** The address cameras are sent to, resolved once (config.ts `resolveCameraAddress`). */
  readonly cameraAddress: CameraAddress;
  /** Test hook: per-source rate limits and how long an unregistered camera is kept. */
  readonly limits?: Partial<AppLimits>;
  /** Test hook: the live entities' retry delay and Core call timeout. */
  readonly liveEntities?: { retryMs?: number; coreTimeoutMs?: number };
  /** Test hook: the address a web connection stands for (web/access.ts). */
  readonly peerAddress?: (socketAddress: string | undefined) => string | undefined;
  /** Every address of this host, from the Supervisor's /network/info (the setup view's DNS check). */
  readonly hostAddresses?: readonly string[];
  /** Test hook: the DNS resolver of the setup check (default: the system's, or config.dnsServers). */
  readonly dnsResolver?: DnsResolver;
  /** Test hook: the setup check's grace periods and intervals. */
  readonly setupTiming?: Partial<SetupMonitorTiming>;
}

export interface AppLimits {
  readonly bootstrap: TokenBucketLimits;
  readonly registration: TokenBucketLimits;
  /** A camera that only bootstrapped is forgotten after this long without registering. */
  readonly unregisteredTtlMs: number;
}

export const DEFAULT_LIMITS: AppLimits = {
  bootstrap: DEFAULT_BOOTSTRAP_LIMITS,
  registration: DEFAULT_REGISTRATION_LIMITS,
  unregisteredTtlMs: 10 * 60_000,
};

export interface BoundPorts {
  http: number;
  tcp: number;
  web: number;
}

export class App {
  readonly registry: CameraRegistry;
  readonly sessions: SessionManager;
  readonly media: MediaHub;
  readonly mediaChannel: MediaChannel;
  readonly controlServer: ControlServer;
  readonly mqtt: MqttBridge;
  /** The address and ports cameras are sent to. */
  readonly cameraFacing: CameraFacing;
  readonly motion: MotionMonitor;
  /** HA's MJPEG IP Camera entries, one per camera (only under the Supervisor). */
  readonly liveEntities: LiveEntities | undefined;
  /** Each camera's way in (bootstrap → registration → UDP → first frame), for the setup view. */
  readonly journeys: JourneyBook;
  /** The setup diagnosis: DNS, ports, journeys → problems (panel, log, HA problem sensor). */
  readonly setup: SetupMonitor;
  private readonly store: RegistryStore;
  private readonly secrets: DeviceSecrets;
  private readonly bootstrapServer: ListeningServer;
  private readonly webServer: ListeningServer;
  /** The App's own links between parts: registry events, motion images, the media sink. */
  private readonly wiring: Lifecycle;
  /** Forgets ids that were only named in HTTP requests, once a real camera had time to register. */
  private readonly unregisteredExpiry: Lifecycle;
  private readonly config: Config;
  private readonly logger: Logger;
  private boundPorts: BoundPorts | undefined;
  /** What start() has started, in order; stop() stops it in reverse. */
  private readonly parts: StartedParts;

  /**
   * Builds every part, each after the parts it calls, so that nothing can reach a part that
   * does not exist yet. Nothing listens or subscribes until start().
   */
  constructor(options: AppOptions) {
    const { config, logger } = options;
    this.config = config;
    this.logger = logger;
    this.parts = new StartedParts((name, error) => logger.warn({ part: name, err: error.message }, `${name} shutdown: ${error.message}`));
    const limits: AppLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const registry = new CameraRegistry(Date.now, config.maxCameras);
    this.registry = registry;
    options.cameraNames?.use((id) => registry.get(id)?.name);
    prepareDataDir(config.dataDir);
    const staleTemps = removeStaleTempFiles(config.dataDir);
    if (staleTemps.length > 0)
      logger.info({ files: staleTemps }, `removed ${staleTemps.length} half-written temporary file(s) from an interrupted save`);
    this.store = new RegistryStore(config.dataDir, registry, logger.child({ part: 'store' }));
    this.secrets = DeviceSecrets.load(config.dataDir, logger);
    const cameraLog = logger.child({ part: 'camera' });
    const cameraFacing = new CameraFacing({
      address: options.cameraAddress,
      network: options.hostNetwork ?? { ports: {} },
      // Bound ports are a fact of start(), not a part: before it this throws 'app not started'.
      listening: () => this.ports,
    });
    this.cameraFacing = cameraFacing;
    const journeys = new JourneyBook(registry);
    this.journeys = journeys;

    // The camera side: sessions, then the two listeners that feed them.
    const sessions = new SessionManager({
      registry,
      logger: cameraLog,
      timeouts: options.sessionTimeouts,
      natTarget: (localAddress) => ({ address: cameraFacing.address(localAddress).address, port: cameraFacing.udpPort() }),
      // Two missed heartbeats, or offline_after when that is shorter.
      moveAfterSilenceMs: Math.min(DEFAULT_MOVE_AFTER_SILENCE_MS, config.offlineAfterSeconds * 1000),
    });
    this.sessions = sessions;
    const host = config.listenHost;
    const controlServer = new ControlServer({
      registry,
      sessions,
      secrets: this.secrets,
      logger: cameraLog,
      offlineAfterMs: config.offlineAfterSeconds * 1000,
      registrationLimits: limits.registration,
      listen: { port: config.tcpPort, host },
    });
    this.controlServer = controlServer;
    // TCP and UDP share one port number; with port 0 (tests) UDP follows what TCP got.
    this.mediaChannel = new MediaChannel(sessions, cameraLog, { port: () => controlServer.port, host });
    sessions.setUdpLink(this.mediaChannel);
    this.bootstrapServer = new ListeningServer(
      createBootstrapServer({
        registry,
        secrets: this.secrets,
        logger: logger.child({ part: 'http' }),
        serverIpFor: (localAddress) => cameraFacing.address(localAddress).address,
        tcpPort: () => cameraFacing.tcpPort(),
        limits: limits.bootstrap,
        observer: journeys,
      }),
      { port: config.httpPort, host, what: 'HTTP bootstrap', option: 'http_port' },
    );

    // Media: demand flows to the sessions, frames flow back through the sink attached on start.
    const media = new MediaHub({
      openStream: async (id, reason) => {
        if (reason === 'watchdog') sessions.resetHandshake(id);
        await sessions.openStream(id);
      },
      closeStream: (id) => sessions.closeStream(id),
      // The registry is the one owner of "online" (it changes together with the session here).
      isOnline: (id) => registry.get(id)?.online === true,
      logger: logger.child({ part: 'media' }),
      ...options.media,
    });
    this.media = media;
    this.motion = new MotionMonitor({
      registry,
      media,
      logger: logger.child({ part: 'motion' }),
      ...options.motion,
    });

    const hostNetwork = options.hostNetwork ?? { ports: {} };
    const ports = (): PortsInput =>
      config.inAddon
        ? { mode: 'addon', mapping: hostNetwork.ports, mappingUnknown: hostNetwork.portsUnknown === true }
        : { mode: 'standalone', bound: this.boundPorts ?? { http: config.httpPort, tcp: config.tcpPort, web: config.webPort } };
    this.setup = new SetupMonitor({
      registry,
      journeys,
      resolver: options.dnsResolver ?? createResolver(config.dnsServers),
      logger: logger.child({ part: 'setup' }),
      // In the add-on the container's own interfaces are not where cameras can go: only the host's.
      thisHost: () => [
        ...(options.hostAddresses ?? []),
        ...(config.serverIp ? [config.serverIp] : []),
        ...(config.inAddon ? [] : localAddresses()),
      ],
      cameraAddress: () => cameraFacing.address().address,
      ports,
      timing: options.setupTiming,
    });

    // Home Assistant and the dashboard use all of the above.
    this.mqtt = new MqttBridge({
      config,
      registry,
      control: sessions,
      snapshots: { snapshot: (id, timeoutMs) => this.snapshot(id, timeoutMs) },
      logger: logger.child({ part: 'mqtt' }),
      addonVersion: ADDON_VERSION,
      dashboardUrl: options.dashboardUrl ?? `http://${cameraFacing.address().address}:${config.webPort}/`,
      supervisor: options.supervisor,
      timing: options.mqttTiming,
      setup: this.setup,
    });
    const mediaKey = MediaKey.load(config.dataDir, logger);
    this.liveEntities = options.supervisor
      ? new LiveEntities({
          supervisor: options.supervisor,
          registry,
          dataDir: config.dataDir,
          maxCameras: config.maxCameras,
          automatic: config.liveEntities,
          mediaKey: mediaKey.value,
          // The container port: HA Core reaches the add-on on the Supervisor network, not via the LAN mapping.
          webPort: () => this.ports.web,
          logger: logger.child({ part: 'live' }),
          ...options.liveEntities,
        })
      : undefined;
    const liveEntities = this.liveEntities;
    const lanHost = cameraFacing.address().address;
    const hostname = os.hostname().toLowerCase();
    this.webServer = new ListeningServer(
      createWebServer({
        lanMedia: config.lanMedia,
        mediaKey,
        ownNames: [...new Set([config.serverIp, lanHost, hostname, `${hostname}.local`, 'homeassistant', 'homeassistant.local'])].filter(
          (name): name is string => typeof name === 'string' && name !== '',
        ),
        logger: logger.child({ part: 'web' }),
        ...(options.peerAddress ? { peerAddress: options.peerAddress } : {}),
        routers: [
          createApiRouter({
            registry,
            control: sessions,
            frames: media,
            logger: logger.child({ part: 'api' }),
            version: ADDON_VERSION,
            lan: {
              host: lanHost,
              webPort: () => cameraFacing.webPort() ?? this.ports.web,
              lanMedia: config.lanMedia,
              mediaKey: mediaKey.value,
            },
          }),
          createMediaRouter({
            registry,
            media,
            snapshotTimeoutMs: config.snapshotTimeoutSeconds * 1000,
            logger: logger.child({ part: 'web' }),
          }),
          createMotionRouter({ registry, logger: logger.child({ part: 'api' }) }),
          createLiveEntityRouter({
            registry,
            control: liveEntities ? { view: (id) => liveEntities.view(id), create: (id) => liveEntities.request(id) } : NOT_SUPERVISED,
            logger: logger.child({ part: 'api' }),
          }),
          createSetupRouter(this.setup),
          createStatsRouter(() => this.stats()),
          createPairingRouter({ template: loadPairingHelperTemplate(), logger: logger.child({ part: 'api' }) }),
        ],
      }),
      { port: config.webPort, host, what: 'web (dashboard)', option: 'web_port' },
    );

    this.wiring = subscriptions(() => this.wire(logger));
    // Ids named only in HTTP requests are kept just long enough for a real camera to register.
    this.unregisteredExpiry = repeating(Math.max(1000, Math.min(60_000, limits.unregisteredTtlMs / 4)), () => {
      const expired = registry.expireUnregistered(limits.unregisteredTtlMs);
      if (expired.length > 0)
        logger.debug({ count: expired.length }, `forgot ${expired.length} camera id(s) that bootstrapped but never registered`);
    });
  }

  /** The links between parts that are events, each returning its undo. */
  private wire(logger: Logger): Unsubscribe[] {
    const { registry, media, sessions, motion, mqtt, journeys } = this;
    // One clear line when the limit first refuses a camera, then at most one an hour.
    const fullLog = new RateLimitedLog(logger, { intervalMs: 3_600_000 });
    return [
      journeys.follow(),
      // Frames pass the journeys on their way to the hub: a camera's first frame ends its journey.
      sessions.attachSink({
        pushFrame: (id, jpeg) => {
          journeys.frame(id);
          media.pushFrame(id, jpeg);
        },
        pushAudio: (id, payload, format) => media.pushAudio(id, payload, format),
      }),
      // The frame motion started in becomes the camera's image before HA hears "motion on".
      motion.on('start', (id, jpeg) => mqtt.publishImage(id, jpeg)),
      // A camera that went away ends its viewers (its connection-side state went with its session).
      registry.on('offline', (camera) => media.cameraOffline(camera.id)),
      registry.on('removed', (id) => {
        sessions.get(id)?.disconnect('forgotten by the user');
        media.forget(id);
      }),
      registry.on('full', (id, max) =>
        fullLog.warn(
          'full',
          { camera: id, maxCameras: max },
          `camera limit reached: ${max} cameras are registered (option max_cameras), so this new camera was refused; forget unused cameras in the dashboard or raise max_cameras`,
        ),
      ),
    ];
  }

  get ports(): BoundPorts {
    if (!this.boundPorts) throw new Error('app not started');
    return this.boundPorts;
  }

  /** The snapshot path the MQTT bridge and the web API share. */
  snapshot(cameraId: string, timeoutMs = this.config.snapshotTimeoutSeconds * 1000): Promise<Buffer> {
    return this.media.snapshot(cameraId, timeoutMs);
  }

  /** Counters for /api/stats: what a user attaches to a bug report, what benchmarks read. */
  stats(): Record<string, unknown> {
    const memory = process.memoryUsage();
    const cameras: Record<string, unknown> = {};
    for (const [id, receive] of this.sessions.mediaStats()) {
      const motion = this.motion.stats(id);
      cameras[id] = { ...receive, hub: this.media.stats(id), ...(motion ? { motion } : {}) };
    }
    return {
      version: ADDON_VERSION,
      uptimeSeconds: Math.round(process.uptime()),
      cameras: this.registry.size,
      online: this.registry.onlineCount,
      sessions: this.sessions.size,
      tcpConnections: this.controlServer.connectionCount,
      udp: this.mediaChannel.stats,
      frameDeliveryMs: {
        samples: this.sessions.deliveryLatency.count,
        p50: this.sessions.deliveryLatency.percentile(50),
        p99: this.sessions.deliveryLatency.percentile(99),
      },
      memory: { rss: memory.rss, heapUsed: memory.heapUsed },
      media: cameras,
    };
  }

  /**
   * Starts the parts in order; if one fails, the ones already started are stopped in reverse and
   * the StartupError (one clear line: which part, what to change) is thrown. The order is chosen
   * for the reverse one at shutdown: MQTT says offline first, viewers end cleanly (the hub before
   * the web server), cameras go offline ('server shutting down') before their connections are
   * cut, the listeners close, and the store writes the final state last.
   */
  async start(): Promise<BoundPorts> {
    const { config, logger, parts } = this;
    await parts.start('store', this.store);
    await parts.start('wiring', this.wiring);
    await parts.start('web (dashboard)', this.webServer);
    await parts.start('HTTP bootstrap', this.bootstrapServer);
    await parts.start('TCP control', this.controlServer);
    await parts.start('UDP media', this.mediaChannel);
    await parts.start('camera sessions', this.sessions);
    await parts.start('media hub', this.media);
    const host = config.listenHost;
    const tcp = this.controlServer.port;
    const httpPort = this.bootstrapServer.port;
    const web = this.webServer.port;
    this.boundPorts = { http: httpPort, tcp, web };
    const facing = this.cameraFacing;
    const { address: advertised, source } = facing.address();
    const why = {
      server_ip: 'the server_ip option',
      supervisor: 'the host address from the Supervisor',
      connection: 'per connection',
      detected: 'or the address each camera reached us on',
    }[source];
    logger.info(
      { ports: this.boundPorts, host, serverIp: advertised, cameraPorts: { tcp: facing.tcpPort(), udp: facing.udpPort() } },
      `A9 V720 server ${ADDON_VERSION} listening on ${host}: HTTP bootstrap ${httpPort}, TCP+UDP ${tcp}, dashboard ${web}; cameras are sent to ${advertised} (${why}), TCP ${facing.tcpPort()}, UDP ${facing.udpPort()}`,
    );
    const disabled = facing.disabledCameraPorts();
    if (disabled.length > 0) {
      logger.warn(
        { ports: disabled },
        `port(s) ${disabled.join(', ')} are disabled in the add-on's Network settings: cameras cannot reach the add-on until they are mapped again`,
      );
    }
    await parts.start('setup check', this.setup);
    await parts.start('MQTT', this.mqtt);
    await parts.start('motion detection', this.motion);
    await parts.start('unregistered camera expiry', this.unregisteredExpiry);
    if (this.liveEntities) await parts.start('live camera entities', this.liveEntities);
    return this.boundPorts;
  }

  /**
   * Clean shutdown: every started part in reverse order of start. A part that fails to stop is
   * logged once and the others still stop. Idempotent.
   */
  stop(): Promise<void> {
    return this.parts.stop();
  }
}
