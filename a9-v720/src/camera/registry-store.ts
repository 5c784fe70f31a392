/**
 * Keeps the known cameras in `<dataDir>/cameras.json` so a restart still lists them
 * (offline until they reconnect). Writes are debounced and atomic; a corrupted file is
 * reported once and set aside, never fatal.
 */
import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { isObject, optionalNumber, optionalString } from '../protocol/json.js';
import { cleanCameraText, FIRMWARE_MAX } from '../protocol/camera-text.js';
import { toBaseInfo } from '../protocol/messages.js';
import { isDeviceId } from '../protocol/device-id.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Lifecycle } from '../util/lifecycle.js';
import type { Unsubscribe } from '../util/listeners.js';
import { parseCameraName } from './camera-name.js';
import { parseStoredMotionSettings } from './motion-settings.js';
import { CAMERA_CHANGE_EVENTS, type CameraRecord, type CameraRegistry } from './registry.js';
import { errorMessage } from '../util/error-message.js';

const FILE_VERSION = 1;

export class RegistryStore implements Lifecycle {
  private readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly registry: CameraRegistry,
    private readonly logger: Logger,
    private readonly debounceMs = 1000,
  ) {
    this.file = path.join(dataDir, 'cameras.json');
  }

  /** Reads the file into the registry and starts saving on every change. */
  start(): Promise<void> {
    const records = this.load();
    this.registry.restore(records);
    if (records.length > 0)
      this.logger.info(`restored ${records.length} known camera(s) from ${this.dataDir} (offline until they reconnect)`);
    this.unsubscribe = this.registry.onEach([...CAMERA_CHANGE_EVENTS, 'removed'], () => this.scheduleSave());
    return Promise.resolve();
  }

  /** Stops listening and writes the final state (last-seen times included). */
  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
    return Promise.resolve();
  }

  private scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  save(): void {
    const cameras = this.registry.list().map((camera) => ({
      id: camera.id,
      name: camera.name,
      ip: camera.ip,
      firstSeen: camera.firstSeen,
      lastSeen: camera.lastSeen,
      registered: camera.registered,
      firmware: camera.firmware,
      baseInfo: camera.baseInfo,
      motion: camera.motion,
      lastMotionAt: camera.lastMotionAt,
    }));
    try {
      writeFileAtomic(this.file, JSON.stringify({ version: FILE_VERSION, cameras }, null, 1) + '\n');
    } catch (error) {
      this.logger.error({ file: this.file, err: errorMessage(error) }, `cannot save known cameras to ${this.file}`);
    }
  }

  private load(): CameraRecord[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn({ file: this.file, err: errorMessage(error) }, `cannot read ${this.file}; starting with no known cameras`);
      }
      return [];
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      this.setAside(`is not valid JSON (${errorMessage(error)})`);
      return [];
    }
    if (!isObject(parsed) || !Array.isArray(parsed['cameras'])) {
      this.setAside('has no "cameras" list');
      return [];
    }
    const records: CameraRecord[] = [];
    for (const entry of parsed['cameras'] as unknown[]) {
      if (!isObject(entry)) continue;
      const id = optionalString(entry, 'id');
      if (!isDeviceId(id)) continue;
      const baseInfo = isObject(entry['baseInfo']) ? toBaseInfo(entry['baseInfo']) : undefined;
      const firmware = optionalString(entry, 'firmware');
      // Files written before `registered` existed: a camera that registered got its base info
      // within a second, one that only bootstrapped never did.
      const registered = typeof entry['registered'] === 'boolean' ? entry['registered'] : baseInfo !== undefined;
      records.push({
        id,
        name: this.loadName(id, entry['name']),
        ip: cleanCameraText(optionalString(entry, 'ip') ?? '', 64),
        online: false,
        firstSeen: optionalNumber(entry, 'firstSeen') ?? Date.now(),
        lastSeen: optionalNumber(entry, 'lastSeen') ?? Date.now(),
        state: 'offline',
        registered,
        firmware: firmware === undefined ? undefined : cleanCameraText(firmware, FIRMWARE_MAX),
        baseInfo,
        motion: parseStoredMotionSettings(entry['motion']),
        lastMotionAt: optionalNumber(entry, 'lastMotionAt'),
      });
    }
    return records;
  }

  /** A hand-edited name that the API would refuse is dropped (the camera keeps working). */
  private loadName(id: string, value: unknown): string | undefined {
    if (value === undefined) return undefined;
    const parsed = parseCameraName(value);
    if (parsed.ok) return parsed.name;
    this.logger.warn({ camera: id, file: this.file }, `ignoring its saved name in ${this.file}: ${parsed.reason}`);
    return undefined;
  }

  /** Keeps the bad file for diagnosis instead of overwriting it with an empty list. */
  private setAside(problem: string): void {
    const aside = `${this.file}.corrupt-${Date.now()}`;
    try {
      renameSync(this.file, aside);
    } catch {
      // Renaming is best effort; the warning below still says what happened.
    }
    this.logger.warn({ file: this.file, aside }, `${this.file} ${problem}; moved it to ${aside} and starting with no known cameras`);
  }
}
