/**
 * The composition root: builds the long-lived parts, connects them by events and owns
 * start-up and shutdown. Nothing here parses bytes or knows a topic name.
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
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
import { createWebServer } from './web/server.js';
import { MediaKey } from './web/media-key.js';
import { createStatsRouter } from './web/stats-routes.js';
import { MqttBridge, type MqttBridgeTiming } from './ha/bridge.js';
import { bindUdp, closeServer, listenTcp, StartupError } from './util/listen.js';
import { prepareDataDir, removeStaleTempFiles } from './util/atomic-file.js';
import { RateLimitedLog } from './util/rate-limited-log.js';
import type { Unsubscribe } from './util/listeners.js';

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
  private readonly store: RegistryStore;
  private readonly secrets: DeviceSecrets;
  private readonly bootstrapServer: http.Server;
  private readonly webServer: http.Server;
  private readonly config: Config;
  private readonly logger: Logger;
  private boundPorts: BoundPorts | undefined;
  private stopping: Promise<void> | undefined;
  private readonly expiryTimer: NodeJS.Timeout;
  /** The App's own registry subscriptions, ended on stop. */
  private readonly wiring: Unsubscribe[] = [];

  constructor(options: AppOptions) {
    const { config, logger } = options;
    this.config = config;
    this.logger = logger;
    const limits: AppLimits = { ...DEFAULT_LIMITS, ...options.limits };
    this.registry = new CameraRegistry(Date.now, config.maxCameras);
    options.cameraNames?.use((id) => this.registry.get(id)?.name);
    prepareDataDir(config.dataDir);
    const staleTemps = removeStaleTempFiles(config.dataDir);
    if (staleTemps.length > 0)
      logger.info({ files: staleTemps }, `removed ${staleTemps.length} half-written temporary file(s) from an interrupted save`);
    this.store = new RegistryStore(config.dataDir, this.registry, logger.child({ part: 'store' }));
    this.secrets = DeviceSecrets.load(config.dataDir, logger);
    const cameraLog = logger.child({ part: 'camera' });
    this.cameraFacing = new CameraFacing({
      address: options.cameraAddress,
      network: options.hostNetwork ?? { ports: {} },
      listening: () => this.ports,
    });
    this.media = new MediaHub({
      openStream: async (id, reason) => {
        if (reason === 'watchdog') this.sessions.resetHandshake(id);
        await this.sessions.openStream(id);
      },
      closeStream: (id) => this.sessions.closeStream(id),
      isOnline: (id) => this.sessions.isOnline(id),
      logger: logger.child({ part: 'media' }),
      ...options.media,
    });
    this.sessions = new SessionManager({
      registry: this.registry,
      logger: cameraLog,
      sink: this.media,
      timeouts: options.sessionTimeouts,
      natTarget: (localAddress) => ({ address: this.cameraFacing.address(localAddress).address, port: this.cameraFacing.udpPort() }),
      // Two missed heartbeats, or offline_after when that is shorter.
      moveAfterSilenceMs: Math.min(DEFAULT_MOVE_AFTER_SILENCE_MS, config.offlineAfterSeconds * 1000),
    });
    this.mediaChannel = new MediaChannel(this.sessions, cameraLog);
    this.sessions.setUdpLink(this.mediaChannel);
    this.controlServer = new ControlServer({
      registry: this.registry,
      sessions: this.sessions,
      secrets: this.secrets,
      logger: cameraLog,
      offlineAfterMs: config.offlineAfterSeconds * 1000,
      registrationLimits: limits.registration,
    });
    this.bootstrapServer = createBootstrapServer({
      registry: this.registry,
      secrets: this.secrets,
      logger: logger.child({ part: 'http' }),
      serverIpFor: (localAddress) => this.cameraFacing.address(localAddress).address,
      tcpPort: () => this.cameraFacing.tcpPort(),
      limits: limits.bootstrap,
    });
    const mediaKey = MediaKey.load(config.dataDir, logger);
    const lanHost = this.cameraFacing.address().address;
    const hostname = os.hostname().toLowerCase();
    this.webServer = createWebServer({
      lanMedia: config.lanMedia,
      mediaKey,
      ownNames: [...new Set([config.serverIp, lanHost, hostname, `${hostname}.local`, 'homeassistant', 'homeassistant.local'])].filter(
        (name): name is string => typeof name === 'string' && name !== '',
      ),
      logger: logger.child({ part: 'web' }),
      routers: [
        createApiRouter({
          registry: this.registry,
          control: this.sessions,
          frames: this.media,
          logger: logger.child({ part: 'api' }),
          version: ADDON_VERSION,
          lan: {
            host: this.cameraFacing.address().address,
            webPort: () => this.cameraFacing.webPort() ?? this.ports.web,
            lanMedia: config.lanMedia,
            mediaKey: mediaKey.value,
          },
        }),
        createMediaRouter({
          registry: this.registry,
          media: this.media,
          snapshotTimeoutMs: config.snapshotTimeoutSeconds * 1000,
          logger: logger.child({ part: 'web' }),
        }),
        createMotionRouter({ registry: this.registry, logger: logger.child({ part: 'api' }) }),
        createStatsRouter(() => this.stats()),
      ],
    });
    this.mqtt = new MqttBridge({
      config,
      registry: this.registry,
      control: this.sessions,
      snapshots: { snapshot: (id, timeoutMs) => this.snapshot(id, timeoutMs) },
      logger: logger.child({ part: 'mqtt' }),
      addonVersion: ADDON_VERSION,
      dashboardUrl: options.dashboardUrl ?? `http://${this.cameraFacing.address().address}:${config.webPort}/`,
      supervisor: options.supervisor,
      timing: options.mqttTiming,
    });
    this.motion = new MotionMonitor({
      registry: this.registry,
      media: this.media,
      logger: logger.child({ part: 'motion' }),
      ...options.motion,
    });
    // The frame motion started in becomes the camera's image before HA hears "motion on".
    this.motion.on('start', (id, jpeg) => this.mqtt.publishImage(id, jpeg));
    // A camera that went away ends its viewers (its connection-side state went with its session).
    this.wiring.push(this.registry.on('offline', (camera) => this.media.cameraOffline(camera.id)));
    this.wiring.push(
      this.registry.on('removed', (id) => {
        this.sessions.get(id)?.disconnect('forgotten by the user');
        this.media.forget(id);
      }),
    );
    // One clear line when the limit first refuses a camera, then at most one an hour.
    const fullLog = new RateLimitedLog(3_600_000);
    this.wiring.push(
      this.registry.on('full', (id, max) =>
        fullLog.maybe('full', (suppressed) =>
          logger.warn(
            { camera: id, maxCameras: max, suppressed },
            `camera limit reached: ${max} cameras are registered (option max_cameras), so new camera ${id} was refused; forget unused cameras in the dashboard or raise max_cameras${suppressed ? ` (${suppressed} more refused since the last such line)` : ''}`,
          ),
        ),
      ),
    );
    // Ids named only in HTTP requests are kept just long enough for a real camera to register.
    this.expiryTimer = setInterval(
      () => {
        const expired = this.registry.expireUnregistered(limits.unregisteredTtlMs);
        if (expired.length > 0)
          logger.debug({ count: expired.length }, `forgot ${expired.length} camera id(s) that bootstrapped but never registered`);
      },
      Math.max(1000, Math.min(60_000, limits.unregisteredTtlMs / 4)),
    );
    this.expiryTimer.unref();
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

  async start(): Promise<BoundPorts> {
    const { config, logger } = this;
    const restored = this.store.start();
    if (restored > 0) logger.info(`restored ${restored} known camera(s) from ${config.dataDir} (offline until they reconnect)`);
    const host = config.listenHost;
    // TCP and UDP share one port number; with port 0 (tests) UDP follows what TCP got.
    const tcp = await listenTcp(this.controlServer.server, config.tcpPort, host, 'TCP control', 'tcp_port');
    await bindUdp(this.mediaChannel.socket, tcp, host, 'UDP media', 'tcp_port');
    const httpPort = await listenTcp(this.bootstrapServer, config.httpPort, host, 'HTTP bootstrap', 'http_port');
    const web = await listenTcp(this.webServer, config.webPort, host, 'web (dashboard)', 'web_port');
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
    await this.mqtt.start();
    this.motion.start();
    return this.boundPorts;
  }

  /** Clean shutdown: offline to MQTT first, then close every listener and session. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.motion.stop();
      clearInterval(this.expiryTimer);
      for (const unsubscribe of this.wiring.splice(0)) unsubscribe();
      await this.mqtt.stop().catch((error: Error) => this.logger.warn(`MQTT shutdown: ${error.message}`));
      this.media.close();
      this.controlServer.destroyAll();
      this.sessions.closeAll('server shutting down');
      await Promise.all([closeServer(this.controlServer.server), closeServer(this.bootstrapServer), closeServer(this.webServer)]);
      await new Promise<void>((resolve) => {
        try {
          this.mediaChannel.socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
      this.store.stop();
    })();
    return this.stopping;
  }
}

export { StartupError };
