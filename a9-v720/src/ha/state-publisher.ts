/**
 * Retained state messages derived from the entity tables, published only when they change
 * (the registry fires `updated` for many reasons; HA needs to hear only real changes).
 */
import type { EntitySpec } from './entities.js';
import { attributesTopicOf, stateTopicOf, type DeviceTopics } from './topics.js';

export interface PublishOptions {
  readonly retain: boolean;
  readonly qos: 0 | 1;
}

/** The MQTT side as the publishers see it. `publish` never throws; false = not sent. */
export interface Publisher {
  readonly connected: boolean;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): boolean;
}

export interface StateMessage {
  readonly topic: string;
  readonly payload: string;
}

/** The retained state messages of a device's present entities (images excluded). */
export function statesOf<S, A>(specs: readonly EntitySpec<S, A>[], subject: S, t: DeviceTopics): StateMessage[] {
  const out: StateMessage[] = [];
  for (const spec of specs) {
    if (spec.image || !spec.state || (spec.present && !spec.present(subject))) continue;
    const topic = stateTopicOf(spec, t);
    const payload = spec.state(subject);
    if (topic !== undefined && payload !== undefined) out.push({ topic, payload });
    const attributesTopic = attributesTopicOf(spec, t);
    const attributes = spec.attributes?.(subject);
    if (attributesTopic !== undefined && attributes !== undefined) out.push({ topic: attributesTopic, payload: attributes });
  }
  return out;
}

/** Every state topic a device may use, whatever its data (to clear them on removal). */
export function allStateTopics<S, A>(specs: readonly EntitySpec<S, A>[], t: DeviceTopics): string[] {
  const topics = specs
    .flatMap((spec) => [stateTopicOf(spec, t), attributesTopicOf(spec, t)])
    .filter((topic): topic is string => topic !== undefined);
  return [...new Set(topics)];
}

/**
 * Publishes retained text payloads, skipping those identical to what the broker already holds
 * from us. Forget everything when the connection drops: the broker may have restarted empty.
 */
export class RetainedPublisher {
  private readonly sent = new Map<string, string>();

  constructor(private readonly out: Publisher) {}

  /** Publishes if changed (or `force`); returns whether a message went out. */
  set(topic: string, payload: string, force = false): boolean {
    if (!force && this.sent.get(topic) === payload) return false;
    if (!this.out.publish(topic, payload, { retain: true, qos: 1 })) return false;
    this.sent.set(topic, payload);
    return true;
  }

  /** Empty retained payload: the broker drops the retained message. */
  clear(topic: string): void {
    this.sent.delete(topic);
    this.out.publish(topic, '', { retain: true, qos: 1 });
  }

  last(topic: string): string | undefined {
    return this.sent.get(topic);
  }

  reset(): void {
    this.sent.clear();
  }
}
