/**
 * The Home Assistant extension: observes the CameraRegistry and mirrors it to MQTT (discovery,
 * availability, states, images), and turns HA commands into CameraControl calls. It only talks
 * to the rest of the add-on through the registry's events and the control/snapshot interfaces.
 */
import type { CameraControl, SnapshotSource } from '../camera/control.js';
import type { CameraRecord, CameraRegistry } from '../camera/registry.js';
import type { SetupStatus } from '../camera/setup/setup-monitor.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Unsubscribe } from '../util/listeners.js';
import { CommandHandler } from './command-handler.js';
import { buildBridgeDiscovery, buildCameraDiscovery, type DiscoveryContext } from './discovery.js';
import { BRIDGE_ENTITIES, CAMERA_ENTITIES, type BridgeStatus } from './entities.js';
import { MqttConnection, type BrokerSettings } from './mqtt-connection.js';
import { IMAGE_KEY, SnapshotPublisher } from './snapshot-publisher.js';
import { allStateTopics, RetainedPublisher, statesOf, type Publisher, type PublishOptions } from './state-publisher.js';
import { resolveBrokerSettings, type SupervisorEndpoint } from './supervisor.js';
import { bridgeTopics, cameraTopics, HaTopics } from './topics.js';
import { errorMessage } from '../util/error-message.js';

export interface MqttBridgeTiming {
  readonly reconnectPeriodMs: number;
  readonly connectTimeoutMs: number;
  readonly keepaliveSeconds: number;
  /** Random delay before re-publishing after HA's birth message: [min, max]. */
  readonly birthDelayMs: readonly [number, number];
  /**
   * At most one birth re-publish this often: `homeassistant/status` is writable by anyone on the
   * broker, and every re-publish sends all discovery and states again. Discovery is retained, so
   * HA restarting twice within the interval still finds everything.
   */
  readonly birthMinIntervalMs: number;
  /** How often last-seen (which changes without registry events) is refreshed. */
  readonly lastSeenRefreshMs: number;
  /** Upper bound for stop(): offline message + disconnect. */
  readonly stopTimeoutMs: number;
  readonly supervisorTimeoutMs: number;
  /** Overrides config.snapshotIntervalSeconds (0 = off); for tests. */
  readonly snapshotIntervalMs?: number;
}

export const DEFAULT_TIMING: MqttBridgeTiming = {
  reconnectPeriodMs: 5_000,
  connectTimeoutMs: 10_000,
  keepaliveSeconds: 30,
  birthDelayMs: [500, 3_000],
  birthMinIntervalMs: 30_000,
  lastSeenRefreshMs: 60_000,
  stopTimeoutMs: 2_000,
  supervisorTimeoutMs: 5_000,
};

export type MqttBridgeConfig = Pick<
  Config,
  'mqtt' | 'discoveryPrefix' | 'baseTopic' | 'snapshotIntervalSeconds' | 'snapshotTimeoutSeconds'
>;

export interface MqttBridgeDeps {
  readonly config: MqttBridgeConfig;
  readonly registry: CameraRegistry;
  readonly control: CameraControl;
  readonly snapshots: SnapshotSource;
  readonly logger: Logger;
  readonly addonVersion: string;
  /** Link on every device page: `homeassistant://hassio/ingress/<slug>` or `http://host:port/`. */
  readonly dashboardUrl: string;
  /** Where to ask for a broker when no mqtt_url option is set (see supervisorFromEnv()). */
  readonly supervisor?: SupervisorEndpoint;
  readonly supportUrl?: string;
  readonly clientId?: string;
  readonly timing?: Partial<MqttBridgeTiming>;
  /** The setup diagnosis behind the bridge's problem sensor (absent: no such sensor). */
  readonly setup?: SetupFeed;
}

/** What the bridge needs of the setup monitor. */
export interface SetupFeed {
  status(): SetupStatus;
  on(event: 'changed', listener: (status: SetupStatus) => void): Unsubscribe;
}

export type MqttBridgeMode = 'idle' | 'disabled' | 'connecting' | 'connected' | 'stopped';

export interface MqttBridgeStatus {
  readonly mode: MqttBridgeMode;
  /** Broker URL without credentials. */
  readonly broker?: string;
  readonly source?: BrokerSettings['source'];
}

/** Drops everything while the bridge has no connection (before start, MQTT disabled). */
class LazyPublisher implements Publisher {
  target: MqttConnection | undefined;
  get connected(): boolean {
    return this.target?.connected === true;
  }
  publish(topic: string, payload: string | Buffer, options: PublishOptions): boolean {
    return this.target?.publish(topic, payload, options) ?? false;
  }
}

export class MqttBridge {
  private readonly topics: HaTopics;
  private readonly timing: MqttBridgeTiming;
  private readonly out = new LazyPublisher();
  private readonly retained = new RetainedPublisher(this.out);
  private readonly images: SnapshotPublisher;
  private readonly commands: CommandHandler;
  private readonly ctx: DiscoveryContext;
  /** Entity keys last announced per camera (to send removal stubs when one disappears). */
  private readonly announced = new Map<string, readonly string[]>();
  private connection: MqttConnection | undefined;
  private settings: BrokerSettings | undefined;
  private mode: MqttBridgeMode = 'idle';
  private birthTimer: NodeJS.Timeout | undefined;
  private lastBirthAt = Number.NEGATIVE_INFINITY;
  private lastSeenTimer: NodeJS.Timeout | undefined;
  /** The registry subscriptions made by start(), ended by stop(). */
  private readonly unsubscribes: Unsubscribe[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  /** Cameras forgotten while disconnected: their retained topics are cleared on reconnect. */
  private readonly toClear = new Set<string>();

  private readonly onChanged = (camera: CameraRecord): void => {
    this.publishCamera(camera, false);
  };
  private readonly onOnlineOrOffline = (camera: CameraRecord): void => {
    this.publishCamera(camera, false);
    this.publishBridgeStates(false);
  };
  private readonly onRemoved = (id: string, camera: CameraRecord): void => {
    // An id that never registered was never announced: nothing to clear (a flood of made-up
    // ids expiring must not turn into a flood of empty retained messages).
    if (camera.registered || this.announced.has(id)) this.clearCamera(id);
    this.publishBridgeStates(false);
  };

  constructor(private readonly deps: MqttBridgeDeps) {
    this.topics = new HaTopics(deps.config.baseTopic, deps.config.discoveryPrefix);
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.ctx = {
      topics: this.topics,
      addonVersion: deps.addonVersion,
      dashboardUrl: deps.dashboardUrl,
      ...(deps.supportUrl ? { supportUrl: deps.supportUrl } : {}),
    };
    this.images = new SnapshotPublisher({
      source: deps.snapshots,
      registry: deps.registry,
      out: this.out,
      topics: this.topics,
      logger: deps.logger,
      timeoutMs: deps.config.snapshotTimeoutSeconds * 1000,
    });
    this.commands = new CommandHandler({
      registry: deps.registry,
      control: deps.control,
      snapshots: this.images,
      topics: this.topics,
      logger: deps.logger,
    });
  }

  get connected(): boolean {
    return this.connection?.connected === true;
  }

  get status(): MqttBridgeStatus {
    return {
      mode: this.mode,
      ...(this.connection ? { broker: this.connection.brokerUrl } : {}),
      ...(this.settings ? { source: this.settings.source } : {}),
    };
  }

  /** The topic scheme in use (for the dashboard and tests). */
  get topicScheme(): HaTopics {
    return this.topics;
  }

  /**
   * Finds the broker and starts connecting. Resolves once connecting has begun (not when
   * connected); never rejects because of the broker or the Supervisor.
   */
  async start(): Promise<void> {
    if (this.mode !== 'idle') return;
    const { logger, config } = this.deps;
    const settings = await resolveBrokerSettings({
      options: config.mqtt,
      ...(this.deps.supervisor ? { supervisor: this.deps.supervisor } : {}),
      logger,
      timeoutMs: this.timing.supervisorTimeoutMs,
    });
    if (this.mode !== 'idle') return; // stopped while we asked the Supervisor
    if (!settings) {
      this.mode = 'disabled';
      logger.info(
        'MQTT disabled: no mqtt_url option and no MQTT service from the Supervisor; Home Assistant entities are not published (everything else keeps working)',
      );
      return;
    }
    this.settings = settings;
    const connection = new MqttConnection(
      settings,
      {
        clientId:
          this.deps.clientId ?? `a9v720_${config.baseTopic.replace(/[^A-Za-z0-9]/g, '_')}_${Math.random().toString(16).slice(2, 10)}`,
        will: { topic: this.topics.bridgeState, payload: 'offline' },
        reconnectPeriodMs: this.timing.reconnectPeriodMs,
        connectTimeoutMs: this.timing.connectTimeoutMs,
        keepaliveSeconds: this.timing.keepaliveSeconds,
      },
      logger,
    );
    this.connection = connection;
    this.out.target = connection;
    this.mode = 'connecting';
    connection.on('connect', () => this.onConnect());
    connection.on('disconnect', () => {
      this.mode = 'connecting';
      // The broker may come back empty (no persistence): forget what we think it holds.
      this.retained.reset();
    });
    connection.on('message', (topic, payload, retained) => this.onMessage(topic, payload, retained));

    const { registry } = this.deps;
    this.unsubscribes.push(
      registry.onEach(['online', 'offline'], this.onOnlineOrOffline),
      // HA mirrors the whole record (states, and discovery: device name, firmware, backed entities).
      registry.onEach(['state', 'settings', 'name', 'motion-settings', 'motion'], this.onChanged),
      registry.on('removed', this.onRemoved),
    );
    if (this.deps.setup) this.unsubscribes.push(this.deps.setup.on('changed', () => this.publishBridgeStates(false)));

    const intervalMs = this.timing.snapshotIntervalMs ?? config.snapshotIntervalSeconds * 1000;
    if (intervalMs > 0) this.images.startInterval(intervalMs);
    this.lastSeenTimer = setInterval(() => {
      for (const camera of registry.list()) this.publishCamera(camera, false);
    }, this.timing.lastSeenRefreshMs);
    this.lastSeenTimer.unref();

    logger.info(
      { broker: connection.brokerUrl, source: settings.source },
      `MQTT: connecting to ${connection.brokerUrl} (broker from ${settings.source})`,
    );
    await connection.start();
  }

  /** Publishes `offline` on the bridge and every online camera's topic and disconnects, within timing.stopTimeoutMs. */
  async stop(): Promise<void> {
    if (this.mode === 'stopped') return;
    const wasRunning = this.mode === 'connecting' || this.mode === 'connected';
    this.mode = 'stopped';
    const { registry } = this.deps;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    if (this.birthTimer) clearTimeout(this.birthTimer);
    if (this.lastSeenTimer) clearInterval(this.lastSeenTimer);
    this.images.stopInterval();
    const connection = this.connection;
    if (!connection || !wasRunning) return;
    const started = Date.now();
    const budget = this.timing.stopTimeoutMs;
    // Every camera's own availability too: it doubles as the connectivity state, and a retained
    // "online" would outlive the add-on (the bridge's last will covers only the bridge topic).
    const offline = { retain: true, qos: 1 } as const;
    const cameras = registry.list().filter((camera) => camera.online);
    const results = await Promise.all([
      ...cameras.map((camera) =>
        connection.publishAndWait(this.topics.cameraAvailability(camera.id), 'offline', offline, Math.round(budget / 2)),
      ),
      connection.publishAndWait(this.topics.bridgeState, 'offline', offline, Math.round(budget / 2)),
    ]);
    const sent = results.every(Boolean);
    await connection.stop(Math.max(100, budget - (Date.now() - started)));
    this.out.target = undefined;
    this.deps.logger.info(`MQTT: ${sent ? 'published offline and ' : ''}disconnected`);
  }

  /** Publishes this frame as the camera's image (motion start); false if not connected. */
  publishImage(cameraId: string, jpeg: Buffer): boolean {
    if (this.mode !== 'connected') return false;
    return this.images.publishFrame(cameraId, jpeg);
  }

  /** Resolves when the HA commands received so far have been handled (for tests). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private onConnect(): void {
    if (this.mode === 'stopped') return;
    this.mode = 'connected';
    this.connection?.subscribe([this.topics.commandWildcard, ...this.topics.haStatusTopics]);
    this.retained.set(this.topics.bridgeState, 'online', true);
    for (const id of this.toClear) if (!this.deps.registry.has(id)) this.clearCamera(id);
    this.toClear.clear();
    // After a (re)connect the broker may have lost its retained messages: send everything.
    this.publishAll();
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.mode === 'stopped') return;
    if (this.topics.haStatusTopics.includes(topic)) {
      if (payload.toString('utf8').trim() === 'online') this.scheduleBirthRepublish();
      return;
    }
    const work = this.commands.handle(topic, payload, retained).catch((error: unknown) => {
      this.deps.logger.error({ topic, err: errorMessage(error) }, `MQTT: command on ${topic} failed unexpectedly`);
    });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** HA restarted: give it a moment to subscribe, then send discovery and states again. */
  private scheduleBirthRepublish(): void {
    const now = performance.now();
    // One re-publish for a burst of births (repeated or spoofed): a pending one covers it, and
    // none again within birthMinIntervalMs. The pending timer is never pushed back, so a stream
    // of births cannot postpone it for ever either.
    if (this.birthTimer || now - this.lastBirthAt < this.timing.birthMinIntervalMs) {
      this.deps.logger.debug('MQTT: Home Assistant birth ignored (a re-publish just ran or is pending)');
      return;
    }
    this.lastBirthAt = now;
    const [min, max] = this.timing.birthDelayMs;
    const delay = min + Math.random() * Math.max(0, max - min);
    this.deps.logger.info(`MQTT: Home Assistant is online; re-publishing discovery in ${Math.round(delay)} ms`);
    this.birthTimer = setTimeout(() => {
      this.birthTimer = undefined;
      if (this.mode === 'connected') this.publishAll();
    }, delay);
    this.birthTimer.unref();
  }

  /** All discovery first, then all states (HA needs the entities before their states). */
  private publishAll(): void {
    const cameras = this.deps.registry.list().filter((camera) => camera.registered);
    this.publishBridgeDiscovery(true);
    for (const camera of cameras) this.publishCameraDiscovery(camera, true);
    this.publishBridgeStates(true);
    for (const camera of cameras) {
      this.publishCameraStates(camera, true);
      this.images.republish(camera.id);
    }
  }

  private bridgeStatus(): BridgeStatus {
    const setup = this.deps.setup?.status();
    return { camerasOnline: this.deps.registry.onlineCount, version: this.deps.addonVersion, ...(setup ? { setup } : {}) };
  }

  private publishBridgeDiscovery(force: boolean): void {
    const discovery = buildBridgeDiscovery(this.bridgeStatus(), this.ctx);
    this.retained.set(discovery.topic, JSON.stringify(discovery.payload), force);
  }

  private publishBridgeStates(force: boolean): void {
    for (const { topic, payload } of statesOf(BRIDGE_ENTITIES, this.bridgeStatus(), bridgeTopics(this.topics))) {
      this.retained.set(topic, payload, force);
    }
  }

  private publishCamera(camera: CameraRecord, force: boolean): void {
    // Only a camera that registered over TCP is a device: an HTTP request naming an id is not.
    if (this.mode !== 'connected' || !camera.registered) return;
    this.publishCameraDiscovery(camera, force);
    this.publishCameraStates(camera, force);
  }

  private publishCameraDiscovery(camera: CameraRecord, force: boolean): void {
    const discovery = buildCameraDiscovery(camera, this.ctx, this.announced.get(camera.id) ?? []);
    const json = JSON.stringify(discovery.payload);
    this.retained.set(discovery.topic, json, force);
    if (this.retained.last(discovery.topic) === json) this.announced.set(camera.id, discovery.keys);
  }

  private publishCameraStates(camera: CameraRecord, force: boolean): void {
    for (const { topic, payload } of statesOf(CAMERA_ENTITIES, camera, cameraTopics(this.topics, camera.id))) {
      this.retained.set(topic, payload, force);
    }
  }

  /** A forgotten camera: empty retained payloads on its discovery and every state topic. */
  private clearCamera(id: string): void {
    this.announced.delete(id);
    this.images.forget(id);
    if (this.mode !== 'connected') {
      this.toClear.add(id);
      return;
    }
    this.retained.clear(this.topics.cameraDiscovery(id));
    const topics = allStateTopics(CAMERA_ENTITIES, cameraTopics(this.topics, id));
    for (const topic of topics) this.retained.clear(topic);
    if (!topics.includes(this.topics.cameraEntity(id, IMAGE_KEY))) this.retained.clear(this.topics.cameraEntity(id, IMAGE_KEY));
    this.deps.logger.info({ camera: id }, 'MQTT: removed from Home Assistant');
  }
}
