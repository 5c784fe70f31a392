/**
 * The broker connection: mqtt.js with auto-reconnect, a retained LWT and a quiet log (one line
 * when the connection is lost, one when it is back — not one per retry). A broker that is down
 * never throws into the caller: publishing while disconnected simply returns false, and the
 * bridge re-publishes everything on the next `connect`.
 */
import { EventEmitter } from 'node:events';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { withTimeout } from '../util/timeout.js';
import type { Publisher, PublishOptions } from './state-publisher.js';

export interface BrokerSettings {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** 4 = MQTT 3.1.1, 5 = MQTT 5. */
  readonly protocolVersion: 4 | 5;
  /** Where the settings came from (for the log). */
  readonly source: 'options' | 'supervisor';
}

export interface ConnectionOptions {
  readonly clientId: string;
  readonly will: { readonly topic: string; readonly payload: string };
  readonly reconnectPeriodMs: number;
  readonly connectTimeoutMs: number;
  readonly keepaliveSeconds: number;
}

export interface ConnectionEvents {
  /** Connected (first time and after every reconnect). */
  connect: [];
  disconnect: [];
  message: [topic: string, payload: Buffer, retained: boolean];
}

/** The URL without credentials, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

export class MqttConnection extends EventEmitter<ConnectionEvents> implements Publisher {
  private client: MqttClient | undefined;
  /** Set by stop(), cleared by start(): a stop while mqtt.js is still loading wins. */
  private stopRequested = false;
  private wasConnected = false;
  private problemLogged = false;

  constructor(
    private readonly settings: BrokerSettings,
    private readonly options: ConnectionOptions,
    private readonly logger: Logger,
  ) {
    super();
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  get brokerUrl(): string {
    return redactUrl(this.settings.url);
  }

  /**
   * Loads mqtt.js and starts connecting; resolves once connecting has begun. mqtt.js (about a
   * hundred modules) is loaded only here, once a broker is known, so an add-on without MQTT never
   * holds it (idle RSS, issue 22: bench/memory.ts).
   */
  async start(): Promise<void> {
    if (this.client) return;
    this.stopRequested = false;
    const { connect } = await import('mqtt');
    if (this.client || this.stopRequested) return;
    const clientOptions: IClientOptions = {
      clientId: this.options.clientId,
      protocolVersion: this.settings.protocolVersion,
      clean: true, // commands sent while we were away must not be replayed
      keepalive: this.options.keepaliveSeconds,
      reconnectPeriod: this.options.reconnectPeriodMs,
      connectTimeout: this.options.connectTimeoutMs,
      queueQoSZero: false,
      resubscribe: false, // the bridge subscribes on every connect itself
      will: { topic: this.options.will.topic, payload: Buffer.from(this.options.will.payload), qos: 1, retain: true },
      ...(this.settings.username !== undefined ? { username: this.settings.username } : {}),
      ...(this.settings.password !== undefined ? { password: this.settings.password } : {}),
    };
    const client = connect(this.settings.url, clientOptions);
    this.client = client;
    client.on('connect', () => {
      this.logger.info({ broker: this.brokerUrl, source: this.settings.source }, `MQTT connected to ${this.brokerUrl}`);
      this.wasConnected = true;
      this.problemLogged = false;
      this.emit('connect');
    });
    client.on('close', () => {
      if (this.wasConnected) {
        this.wasConnected = false;
        this.logger.warn(
          { broker: this.brokerUrl },
          `MQTT connection to ${this.brokerUrl} lost; reconnecting every ${this.options.reconnectPeriodMs} ms`,
        );
        this.problemLogged = true;
        this.emit('disconnect');
      }
    });
    client.on('error', (error) => {
      // ECONNREFUSED, auth failures…: log the first of an outage, the rest at debug.
      const fields = { broker: this.brokerUrl, err: error.message };
      if (this.problemLogged) this.logger.debug(fields, `MQTT: ${error.message}`);
      else {
        this.problemLogged = true;
        this.logger.warn(
          fields,
          `MQTT broker ${this.brokerUrl} not reachable (${error.message}); retrying every ${this.options.reconnectPeriodMs} ms`,
        );
      }
    });
    client.on('message', (topic, payload, packet) => this.emit('message', topic, payload, packet.retain));
  }

  publish(topic: string, payload: string | Buffer, options: PublishOptions): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topic, payload, { qos: options.qos, retain: options.retain }, (error) => {
      if (error) this.logger.debug({ topic, err: error.message }, `MQTT publish to ${topic} failed: ${error.message}`);
    });
    return true;
  }

  /** Publishes and waits for the broker's ack (or `timeoutMs`). Resolves false when not sent. */
  async publishAndWait(topic: string, payload: string, options: PublishOptions, timeoutMs: number): Promise<boolean> {
    const client = this.client;
    if (!client?.connected) return false;
    return withTimeout(
      client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain }).then(
        () => true,
        () => false,
      ),
      timeoutMs,
      () => false,
    );
  }

  subscribe(topics: readonly string[]): void {
    this.client?.subscribe([...topics], { qos: 1 }, (error) => {
      if (error) this.logger.warn({ topics, err: error.message }, `MQTT subscribe failed: ${error.message}`);
    });
  }

  /** Disconnects cleanly if possible, forcibly after `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopRequested = true;
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    client.removeAllListeners('close');
    client.on('error', () => {});
    const clean = await withTimeout(
      client.endAsync(false).then(
        () => true,
        () => false,
      ),
      timeoutMs,
      () => false,
    );
    if (!clean)
      await withTimeout(
        client.endAsync(true).then(
          () => true,
          () => true,
        ),
        500,
        () => false,
      );
  }
}
