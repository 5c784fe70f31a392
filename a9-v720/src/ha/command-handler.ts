/**
 * Commands from Home Assistant (`<base>/<camera>/<key>/set`) → the entity table's parser →
 * CameraControl / a snapshot. State is never set optimistically: the camera's echo arrives as a
 * registry `updated` event and the state publisher follows it. Commands for an offline camera
 * are dropped, never queued.
 */
import type { CameraControl } from '../camera/control.js';
import { CameraTimeoutError, CameraUnavailableError } from '../errors.js';
import type { CameraRecord, CameraRegistry } from '../camera/registry.js';
import type { Logger } from '../log.js';
import { CAMERA_ENTITIES } from './entities.js';
import { topicId, type HaTopics } from './topics.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import { TokenBuckets, type TokenBucketLimits } from '../util/token-bucket.js';
import { errorMessage } from '../util/error-message.js';

export type CommandOutcome =
  | 'sent'
  | 'snapshot'
  | 'motion'
  | 'failed'
  | 'ignored-retained'
  | 'unknown-topic'
  | 'unknown-camera'
  | 'unknown-entity'
  | 'invalid-payload'
  | 'oversize'
  | 'rate-limited'
  | 'offline';

export interface SnapshotTrigger {
  capture(cameraId: string, reason: 'button'): Promise<unknown>;
}

const MAX_LOGGED_PAYLOAD = 64;

/** Every command payload is a word or a small number: anything larger is dropped unread. */
export const MAX_COMMAND_PAYLOAD = 256;

/**
 * Commands per camera: a burst for a user clicking around (and an automation), then one every
 * half second. Anyone who can publish to the broker can send them, and each costs a camera a
 * round trip on its weak Wi-Fi.
 */
export const COMMAND_LIMITS: TokenBucketLimits = { capacity: 10, refillPerSecond: 2 };

export class CommandHandler {
  constructor(
    private readonly deps: {
      readonly registry: CameraRegistry;
      readonly control: CameraControl;
      readonly snapshots: SnapshotTrigger;
      readonly topics: HaTopics;
      readonly logger: Logger;
      readonly limits?: TokenBucketLimits;
    },
  ) {
    this.buckets = new TokenBuckets(deps.limits ?? COMMAND_LIMITS, 1024);
    // Whoever can publish to the broker can send these by the thousand: one line per kind a minute.
    this.warnings = new RateLimitedLog(deps.logger, { intervalMs: 60_000 });
  }

  /** Per camera id (known cameras only, so the keys are bounded by max_cameras). */
  private readonly buckets: TokenBuckets;
  private readonly warnings: RateLimitedLog;

  /** Handles one message on a command topic; resolves when the camera answered (or failed). */
  async handle(topic: string, payload: Buffer, retained: boolean): Promise<CommandOutcome> {
    const { logger } = this.deps;
    const parsed = this.deps.topics.parseCommand(topic);
    if (!parsed) return 'unknown-topic';
    if (payload.length > MAX_COMMAND_PAYLOAD) {
      this.warnings.warn(
        'oversize',
        { topic, bytes: payload.length },
        `MQTT: dropped a ${payload.length}-byte command on ${topic} (commands are at most ${MAX_COMMAND_PAYLOAD} bytes)`,
      );
      return 'oversize';
    }
    const text = payload.toString('utf8').trim();
    const shown = text.length > MAX_LOGGED_PAYLOAD ? `${text.slice(0, MAX_LOGGED_PAYLOAD)}…` : text;
    if (retained) {
      // A retained command would fire again on every reconnect: never act on one.
      this.warnings.warn('retained', { topic }, `MQTT: ignored retained command on ${topic} (commands must not be retained)`);
      return 'ignored-retained';
    }
    const camera = this.findCamera(parsed.topicId);
    if (!camera) {
      this.warnings.warn('unknown-camera', { topic }, `MQTT: command for unknown camera on ${topic} ignored`);
      return 'unknown-camera';
    }
    const spec = CAMERA_ENTITIES.find((entity) => entity.key === parsed.key && entity.command);
    const action = spec?.command?.(text);
    if (!spec) {
      this.warnings.warn('unknown-entity', { camera: camera.id, topic }, `MQTT: no command "${parsed.key}" for this camera; ignored`);
      return 'unknown-entity';
    }
    if (!action) {
      logger.warn(
        { camera: camera.id, entity: spec.key, payload: shown },
        `MQTT: invalid payload ${JSON.stringify(shown)} for ${spec.key}; ignored`,
      );
      return 'invalid-payload';
    }
    if (action.kind === 'motion') {
      // The add-on's own setting: applies whether or not the camera is online right now.
      logger.info({ camera: camera.id, entity: spec.key, change: action.change }, `MQTT: ${spec.key} ← ${shown}`);
      this.deps.registry.changeMotionSettings(camera.id, action.change);
      return 'motion';
    }
    if (!camera.online) {
      logger.warn(
        { camera: camera.id, entity: spec.key, payload: shown },
        `MQTT: the camera is offline; ${spec.key}=${shown} dropped (not queued)`,
      );
      return 'offline';
    }
    if (!this.buckets.take(camera.id)) {
      this.warnings.warn(
        `rate:${camera.id}`,
        { camera: camera.id, entity: spec.key },
        `MQTT: too many commands for this camera; ${spec.key}=${shown} dropped (at most ${COMMAND_LIMITS.capacity} at once, then ${COMMAND_LIMITS.refillPerSecond} a second)`,
      );
      return 'rate-limited';
    }
    if (action.kind === 'snapshot') {
      logger.info({ camera: camera.id }, 'MQTT: snapshot requested');
      await this.deps.snapshots.capture(camera.id, 'button');
      return 'snapshot';
    }
    logger.info({ camera: camera.id, entity: spec.key, command: action.command }, `MQTT: ${spec.key} ← ${shown}`);
    try {
      await this.deps.control.sendSetting(camera.id, action.command);
      return 'sent';
    } catch (error) {
      const why =
        error instanceof CameraUnavailableError || error instanceof CameraTimeoutError
          ? error.message
          : `unexpected error: ${errorMessage(error)}`;
      logger.warn({ camera: camera.id, entity: spec.key, err: why }, `${spec.key}=${shown} not applied (${why})`);
      return 'failed';
    }
  }

  private findCamera(id: string): CameraRecord | undefined {
    const direct = this.deps.registry.get(id);
    if (direct && topicId(direct.id) === id) return direct;
    return this.deps.registry.list().find((camera) => topicId(camera.id) === id);
  }
}
