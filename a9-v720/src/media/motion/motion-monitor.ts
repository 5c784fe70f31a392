/**
 * Runs motion detection for every camera whose motion setting is on, as one more consumer of the
 * media hub: while a camera is online with detection enabled, its stream stays open (viewers share
 * it, the hub's watchdog restarts it), frames are analysed at a bounded rate and the result goes
 * into the registry (`motionDetected`, `lastMotionAt`), which HA and the dashboard observe.
 *
 * Frames are dropped, never queued: at most one decode per camera is in flight, and frames that
 * come faster than `maxFps` are skipped, so a camera sending 25 fps costs what one at 5 fps does.
 */
import type { CameraRecord, CameraRegistry } from '../../camera/registry.js';
import { CameraUnavailableError } from '../../camera/control.js';
import type { Logger } from '../../log.js';
import type { Lifecycle } from '../../util/lifecycle.js';
import { Listeners, type Unsubscribe } from '../../util/listeners.js';
import { RateLimitedLog } from '../../util/rate-limited-log.js';
import type { FrameListener, EndListener, MediaSubscription } from '../media-hub.js';
import { GreyDecoder, type GreyImage } from './grey-image.js';
import { DEFAULT_HOLD_MS, MotionAnalyser } from './motion-analyser.js';
import { errorMessage } from '../../util/error-message.js';

/** The part of the media hub the motion monitor uses: new frames only. */
export interface MotionFrameSource {
  subscribeVideo(cameraId: string, onFrame: FrameListener, onEnd?: EndListener): MediaSubscription;
}

export interface MotionMonitorOptions {
  readonly registry: CameraRegistry;
  readonly media: MotionFrameSource;
  readonly logger: Logger;
  /** Analysed frames per second per camera, at most. Default 5. */
  readonly maxFps?: number;
  /** Motion ends this long after the last moving frame. Default 10 s. */
  readonly holdMs?: number;
  readonly decode?: (jpeg: Buffer) => Promise<GreyImage>;
  readonly now?: () => number;
}

// A type, not an interface: Listeners needs its implicit index signature.
export type MotionMonitorEvents = {
  /** Motion started in this frame; emitted before the registry says so (the image goes out first). */
  start: [cameraId: string, jpeg: Buffer];
};

export interface CameraMotionStats {
  readonly watching: boolean;
  readonly framesAnalysed: number;
  /** Frames skipped because of the rate bound or a decode still in flight. */
  readonly framesSkipped: number;
  readonly decodeErrors: number;
  readonly events: number;
  /** Wall time of decode + analysis, summed (ms). */
  readonly analysisMs: number;
}

interface Watch {
  readonly cameraId: string;
  /** The monitor's logger for this camera: its lines carry the id as `camera`. */
  readonly log: Logger;
  readonly analyser: MotionAnalyser;
  subscription: MediaSubscription | undefined;
  busy: boolean;
  nextDueAt: number;
  counters: { framesAnalysed: number; framesSkipped: number; decodeErrors: number; events: number; analysisMs: number };
}

export class MotionMonitor implements Lifecycle {
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Listeners<MotionMonitorEvents>();
  private readonly intervalMs: number;
  private readonly holdMs: number;
  private readonly decode: (jpeg: Buffer) => Promise<GreyImage>;
  private readonly now: () => number;
  private readonly badFrames: RateLimitedLog;
  private expiryTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** The registry subscriptions made by start(), ended by stop(). */
  private readonly unsubscribes: Unsubscribe[] = [];

  private readonly onCameraChanged = (camera: CameraRecord): void => this.reconcile(camera);
  private readonly onCameraRemoved = (id: string): void => this.stopWatching(id, 'forgotten');

  constructor(private readonly options: MotionMonitorOptions) {
    this.intervalMs = 1000 / (options.maxFps ?? 5);
    this.holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
    if (options.decode) this.decode = options.decode;
    else {
      const decoder = new GreyDecoder();
      this.decode = (jpeg) => decoder.decode(jpeg);
    }
    this.now = options.now ?? Date.now;
    this.badFrames = new RateLimitedLog(options.logger, { intervalMs: 60_000, now: this.now });
  }

  /** `start`: motion began in `jpeg` (before the registry's motion flag is set). */
  on<E extends keyof MotionMonitorEvents>(event: E, listener: (...args: MotionMonitorEvents[E]) => void): Unsubscribe {
    return this.listeners.on(event, listener);
  }

  start(): Promise<void> {
    if (this.running) return Promise.resolve();
    this.running = true;
    const { registry } = this.options;
    this.unsubscribes.push(
      // Only what decides whether a camera is watched, and how: its own `motion` events are not needed.
      registry.onEach(['online', 'offline', 'motion-settings'], this.onCameraChanged),
      registry.on('removed', this.onCameraRemoved),
    );
    for (const camera of registry.list()) this.reconcile(camera);
    // Ends events whose frames stopped coming (a stalled stream), independent of frames.
    this.expiryTimer = setInterval(() => this.expireAll(), Math.min(1000, Math.max(50, this.holdMs / 4)));
    this.expiryTimer.unref();
    return Promise.resolve();
  }

  /** Idempotent, and harmless before start: every step below is a no-op the second time. */
  stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    for (const id of [...this.watches.keys()]) this.stopWatching(id, 'shutting down');
    return Promise.resolve();
  }

  stats(cameraId: string): CameraMotionStats | undefined {
    const watch = this.watches.get(cameraId);
    return watch ? { watching: watch.subscription !== undefined, ...watch.counters } : undefined;
  }

  /** Subscribes or unsubscribes so that exactly the online cameras with motion enabled are watched. */
  private reconcile(camera: CameraRecord): void {
    // A registry event already being delivered when stop() unsubscribed still arrives here.
    if (!this.running) return;
    const settings = camera.motion;
    const wanted = settings?.enabled === true && camera.online;
    let watch = this.watches.get(camera.id);
    if (!wanted) {
      if (watch) this.unsubscribe(watch, camera.online ? 'detection switched off' : 'camera offline');
      // Not watching means nothing is detected (also after a restart with a stale flag); the
      // registry ignores a flag that is already off.
      this.options.registry.setMotionDetected(camera.id, false, this.now());
      return;
    }
    if (!watch) {
      watch = {
        cameraId: camera.id,
        log: this.options.logger.child({ camera: camera.id }),
        analyser: new MotionAnalyser({ holdMs: this.holdMs }),
        subscription: undefined,
        busy: false,
        nextDueAt: 0,
        counters: { framesAnalysed: 0, framesSkipped: 0, decodeErrors: 0, events: 0, analysisMs: 0 },
      };
      this.watches.set(camera.id, watch);
    }
    // Every update (cheap: two powers), so a change made while switched off applies too.
    watch.analyser.setSensitivity(settings.sensitivity);
    if (!watch.subscription) this.subscribe(watch, settings.sensitivity);
  }

  private subscribe(watch: Watch, sensitivity: number): void {
    try {
      const subscription = this.options.media.subscribeVideo(
        watch.cameraId,
        (jpeg, at) => this.onFrame(watch, subscription, jpeg, at),
        (reason) => {
          // The hub ended us (camera offline, shutdown): the registry event decides what is next.
          // Only the live subscription can end: the hub never calls this after unsubscribe().
          watch.subscription = undefined;
          watch.log.debug({ reason }, `motion detection paused (${reason})`);
        },
      );
      watch.subscription = subscription;
      watch.analyser.reset();
      watch.log.info({ sensitivity }, `motion detection running (sensitivity ${sensitivity})`);
    } catch (error) {
      // Raced with the camera going offline; its 'online' event will bring us back.
      if (!(error instanceof CameraUnavailableError)) throw error;
    }
  }

  /** Ends the watch's subscription, if it has one (a switched-off watch is kept, unsubscribed). */
  private unsubscribe(watch: Watch, why: string): void {
    if (!watch.subscription) return;
    watch.subscription.unsubscribe();
    watch.subscription = undefined;
    // No analyser reset here: the next subscribe() resets it, and while unsubscribed it sees no frames.
    watch.log.info(`motion detection stopped (${why})`);
  }

  private stopWatching(cameraId: string, why: string): void {
    const watch = this.watches.get(cameraId);
    if (!watch) return;
    this.unsubscribe(watch, why);
    this.watches.delete(cameraId);
  }

  private onFrame(watch: Watch, subscription: MediaSubscription, jpeg: Buffer, at: number): void {
    if (watch.busy || at < watch.nextDueAt) {
      watch.counters.framesSkipped++;
      return;
    }
    // On average at most maxFps; after a pause, catch up by at most half an interval.
    watch.nextDueAt = Math.max(watch.nextDueAt + this.intervalMs, at + this.intervalMs / 2);
    watch.busy = true;
    const started = performance.now();
    this.decode(jpeg)
      .then((grey) => {
        if (watch.subscription !== subscription) return; // switched off or restarted meanwhile
        const verdict = watch.analyser.analyse(grey, at);
        watch.counters.framesAnalysed++;
        watch.counters.analysisMs += performance.now() - started;
        if (verdict.transition === 'start') this.motionStarted(watch, jpeg, at);
        else if (verdict.transition === 'end') this.options.registry.setMotionDetected(watch.cameraId, false, this.now());
      })
      .catch((error: unknown) => {
        watch.counters.decodeErrors++;
        const why = errorMessage(error);
        this.badFrames
          .through(watch.log)
          .warn(
            watch.cameraId,
            { bytes: jpeg.length, err: why },
            `a frame of ${jpeg.length} bytes does not decode (${why}); motion detection skipped it`,
          );
      })
      .finally(() => {
        watch.busy = false;
      });
  }

  private motionStarted(watch: Watch, jpeg: Buffer, at: number): void {
    watch.counters.events++;
    watch.log.info('motion detected');
    this.listeners.emit('start', watch.cameraId, jpeg);
    this.options.registry.setMotionDetected(watch.cameraId, true, at);
  }

  private expireAll(): void {
    const now = this.now();
    for (const watch of this.watches.values()) {
      if (watch.analyser.expire(now) === 'end') this.options.registry.setMotionDetected(watch.cameraId, false, now);
    }
  }
}
