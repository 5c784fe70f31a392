/**
 * An MQTT 5 client that records everything it receives with the retain flag *as published*
 * (retain-as-published), so tests can assert topics, payloads and retain flags exactly.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { connectAsync, type IClientPublishOptions, type MqttClient } from 'mqtt';

export interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly text: string;
  readonly retain: boolean;
  /** Index in arrival order. */
  readonly seq: number;
  /** performance.now() at arrival. */
  readonly at: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export class MqttRecorder {
  readonly messages: Received[] = [];

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({
        topic,
        payload,
        text: payload.toString('utf8'),
        retain: packet.retain,
        seq: this.messages.length,
        at: performance.now(),
      });
    });
  }

  static async connect(url: string, filters: readonly string[] = ['#']): Promise<MqttRecorder> {
    const client = await connectAsync(url, { protocolVersion: 5, clientId: `recorder_${randomUUID().slice(0, 8)}`, reconnectPeriod: 200 });
    const recorder = new MqttRecorder(client);
    await client.subscribeAsync([...filters], { qos: 1, rap: true });
    return recorder;
  }

  /**
   * The retained messages the broker holds under `filters` right now: a fresh client subscribes,
   * then publishes a marker to itself; everything before the marker is the retained set.
   */
  static async retained(url: string, filters: readonly string[] = ['#']): Promise<Map<string, Received>> {
    const marker = `test/marker/${randomUUID()}`;
    const recorder = await MqttRecorder.connect(url, [...filters, marker]);
    try {
      await recorder.client.publishAsync(marker, 'end', { qos: 1 });
      const end = await recorder.waitFor((m) => m.topic === marker, 'retained marker');
      const out = new Map<string, Received>();
      for (const message of recorder.messages) if (message.seq < end.seq && message.retain) out.set(message.topic, message);
      return out;
    } finally {
      await recorder.close();
    }
  }

  get connected(): boolean {
    return this.client.connected;
  }

  on(topic: string): Received[] {
    return this.messages.filter((message) => message.topic === topic);
  }

  latest(topic: string): Received | undefined {
    const all = this.on(topic);
    return all[all.length - 1];
  }

  /** The first message (after `afterSeq`) that matches. */
  waitFor(match: (message: Received) => boolean, what: string, options: { afterSeq?: number; timeoutMs?: number } = {}): Promise<Received> {
    const after = options.afterSeq ?? -1;
    return waitUntil(() => this.messages.find((message) => message.seq > after && match(message)), what, options.timeoutMs);
  }

  waitForMessage(topic: string, text?: string, options: { afterSeq?: number; timeoutMs?: number } = {}): Promise<Received> {
    return this.waitFor(
      (m) => m.topic === topic && (text === undefined || m.text === text),
      `${topic}${text === undefined ? '' : ` = ${JSON.stringify(text)}`}`,
      options,
    );
  }

  /** Sequence number of the last message so far (-1 when none). */
  get mark(): number {
    return this.messages.length - 1;
  }

  async publish(topic: string, payload: string | Buffer, options: IClientPublishOptions = { qos: 1 }): Promise<void> {
    await this.client.publishAsync(topic, payload, options);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
