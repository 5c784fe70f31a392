/**
 * Demand-driven fan-out of camera media to viewers (MJPEG, WAV, snapshots), per camera id.
 *
 * The camera stream costs Wi-Fi airtime and battery, so it is open only while someone consumes:
 * the first consumer opens it, the last one leaving closes it after a linger period (a page
 * reload or a snapshot right after a stream should not restart the camera). A watchdog reopens a
 * stream that stopped delivering while consumers wait, with exponential backoff.
 *
 * The hub never touches sockets: the camera session pushes frames/audio in and provides
 * openStream/closeStream. All state lives in the instance (one per process, several cameras).
 */
import { CameraTimeoutError, CameraUnavailableError } from '../errors.js';
import { withTimeout } from '../util/timeout.js';
import { errorMessage } from '../util/error-message.js';
import type { AudioFormat, MediaSink } from '../camera/media-sink.js';
import type { Logger } from '../log.js';
import { RateLimitedLog } from '../util/rate-limited-log.js';
import type { Lifecycle } from '../util/lifecycle.js';
import { Listeners, type Unsubscribe } from '../util/listeners.js';

/**
 * `audio-format-changed`: the camera switched between A-law and PCM; a WAV stream cannot change
 * format mid-stream, so its audio consumers are ended (they may reconnect and get the new format).
 */
export type StreamEndReason = 'offline' | 'hub-closed' | 'audio-format-changed';
export type OpenReason = 'demand' | 'watchdog';

export interface MediaHubOptions {
  /**
   * `watchdog`: the stream was open but media stopped; the session should redo the whole
   * handshake (the camera may have lost its UDP path), not just send 301/3 again.
   */
  openStream(cameraId: string, reason: OpenReason): Promise<void>;
  closeStream(cameraId: string): Promise<void>;
  /** Whether the camera is online now (the registry's answer: the hub keeps no idea of its own). */
  isOnline(cameraId: string): boolean;
  readonly logger: Logger;
  /** Keep the stream open this long after the last consumer left. Default 5000. */
  readonly lingerMs?: number;
  /** No media for this long while consumers exist → close + reopen. Default 8000. */
  readonly watchdogMs?: number;
  /** Upper bound of the watchdog's backoff between restarts. Default 60000. */
  readonly watchdogMaxBackoffMs?: number;
  /** A snapshot may reuse the latest frame if it is younger than this. Default 1000. */
  readonly freshFrameMs?: number;
  /**
   * open/close calls run one after another; one that neither resolves nor rejects within this
   * time is logged and no longer waited for, so a hung call cannot wedge the camera. Default 30000.
   */
  readonly operationTimeoutMs?: number;
  /** Clock for frame timestamps and freshness (ms). Default Date.now. */
  readonly now?: () => number;
}

export interface LatestFrame {
  readonly jpeg: Buffer;
  /** `now()` when the frame was pushed. */
  readonly at: number;
  /** Counts this camera's frames (1, 2, …): a viewer reloads a picture only when it changed. */
  readonly seq: number;
}

export interface MediaSubscription {
  /** Idempotent. After it, neither onFrame/onChunk nor onEnd is called. */
  unsubscribe(): void;
}

export type FrameListener = (jpeg: Buffer, at: number) => void;
/** One audio packet's samples, A-law (cmd 4) or s16le PCM (cmd 6), 8 kHz mono. */
export type AudioListener = (samples: Buffer, format: AudioFormat) => void;
/** Called once when the hub ends a consumer (camera offline, hub closed); not after unsubscribe. */
export type EndListener = (reason: StreamEndReason) => void;

/** What the hub holds and has passed on for one camera (consumers, stream state, counters). */
export interface HubStats {
  readonly videoConsumers: number;
  readonly audioConsumers: number;
  readonly snapshotWaiters: number;
  readonly streamOpen: boolean;
  readonly framesIn: number;
  readonly audioChunksIn: number;
  readonly opens: number;
  readonly closes: number;
  readonly watchdogRestarts: number;
  readonly openFailures: number;
  readonly lastFrameAt: number | undefined;
}

/** What the hub announces (the registry's shape: `on` returns the unsubscribe). */
// A type alias, not an interface: Listeners needs an index-compatible event map.
export type MediaHubEvents = {
  /** A new complete frame of `cameraId` is the latest (its `seq`): views of the latest frame follow it. */
  frame: [cameraId: string, seq: number];
};

interface Consumer<L> {
  readonly onData: L;
  readonly onEnd: EndListener | undefined;
}

interface SnapshotWaiter {
  resolve(jpeg: Buffer): void;
  reject(error: Error): void;
}

interface CameraMedia {
  readonly id: string;
  /** The hub's logger for this camera: its lines carry the id as `camera`. */
  readonly log: Logger;
  readonly video: Set<Consumer<FrameListener>>;
  readonly audio: Set<Consumer<AudioListener>>;
  readonly waiters: Set<SnapshotWaiter>;
  latest: LatestFrame | undefined;
  lastAudioAt: number | undefined;
  /** Format of the camera's last audio packet; audio consumers were fed this one. */
  audioFormat: AudioFormat | undefined;
  streamOpen: boolean;
  /** When the stream was (re)opened: the watchdog measures silence from here if no media came. */
  openedAt: number;
  lingerTimer: NodeJS.Timeout | undefined;
  watchdogTimer: NodeJS.Timeout | undefined;
  /** Restarts since the last media; drives the backoff. */
  consecutiveRestarts: number;
  /** open/close calls run one after another so the session never sees them reordered. */
  ops: Promise<void>;
  counters: { framesIn: number; audioChunksIn: number; opens: number; closes: number; watchdogRestarts: number; openFailures: number };
}

export class MediaHub implements MediaSink, Lifecycle {
  private readonly cameras = new Map<string, CameraMedia>();
  private readonly lingerMs: number;
  private readonly watchdogMs: number;
  private readonly watchdogMaxBackoffMs: number;
  private readonly freshFrameMs: number;
  private readonly operationTimeoutMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly formatLog: RateLimitedLog;
  private readonly listeners = new Listeners<MediaHubEvents>();
  private closed = false;

  constructor(private readonly options: MediaHubOptions) {
    this.lingerMs = options.lingerMs ?? 5000;
    this.watchdogMs = options.watchdogMs ?? 8000;
    this.watchdogMaxBackoffMs = options.watchdogMaxBackoffMs ?? 60_000;
    this.freshFrameMs = options.freshFrameMs ?? 1000;
    this.operationTimeoutMs = options.operationTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
    this.log = options.logger;
    this.formatLog = new RateLimitedLog(options.logger, { intervalMs: 60_000 });
  }

  on<E extends keyof MediaHubEvents>(event: E, listener: (...args: MediaHubEvents[E]) => void): Unsubscribe {
    return this.listeners.on(event, listener);
  }

  /** How many listeners an event has: shows that stopped parts left nothing behind. */
  listenerCount(event: keyof MediaHubEvents): number {
    return this.listeners.listenerCount(event);
  }

  /** A complete JPEG from the camera (already reassembled). */
  pushFrame(cameraId: string, jpeg: Buffer): void {
    const cam = this.camera(cameraId);
    const at = this.now();
    cam.counters.framesIn++;
    cam.latest = { jpeg, at, seq: cam.counters.framesIn };
    cam.consecutiveRestarts = 0;
    // Iterate a copy (a consumer may unsubscribe another one), skipping any that left meanwhile.
    for (const consumer of [...cam.video]) if (cam.video.has(consumer)) this.deliver(cam, () => consumer.onData(jpeg, at));
    if (cam.waiters.size > 0) {
      const waiters = [...cam.waiters];
      cam.waiters.clear();
      for (const waiter of waiters) waiter.resolve(jpeg);
      this.consumerLeft(cam);
    }
    this.listeners.emit('frame', cameraId, cam.counters.framesIn);
  }

  /** One audio packet from the camera: G.711 A-law (cmd 4) or 16-bit PCM (cmd 6), 8 kHz mono. */
  pushAudio(cameraId: string, samples: Buffer, format: AudioFormat = 'alaw'): void {
    const cam = this.camera(cameraId);
    cam.lastAudioAt = this.now();
    cam.counters.audioChunksIn++;
    if (cam.video.size === 0 && cam.waiters.size === 0) cam.consecutiveRestarts = 0;
    if (cam.audioFormat !== format) this.audioFormatChanged(cam, format);
    for (const consumer of [...cam.audio]) if (cam.audio.has(consumer)) this.deliver(cam, () => consumer.onData(samples, format));
  }

  /**
   * Every frame from now on goes to `onFrame` until unsubscribe or until the hub ends the
   * consumer via `onEnd`. Throws CameraUnavailableError if the camera is offline.
   */
  subscribeVideo(cameraId: string, onFrame: FrameListener, onEnd?: EndListener): MediaSubscription {
    return this.subscribe(cameraId, (cam) => cam.video, { onData: onFrame, onEnd });
  }

  /** Like subscribeVideo, for audio packets (with their format: a camera may switch, see pushAudio). */
  subscribeAudio(cameraId: string, onChunk: AudioListener, onEnd?: EndListener): MediaSubscription {
    return this.subscribe(cameraId, (cam) => cam.audio, { onData: onChunk, onEnd });
  }

  latestFrame(cameraId: string): LatestFrame | undefined {
    return this.cameras.get(cameraId)?.latest;
  }

  /**
   * The latest frame if younger than freshFrameMs, else the next complete frame (opening the
   * stream if needed). Rejects with CameraUnavailableError (offline) or CameraTimeoutError.
   */
  snapshot(cameraId: string, timeoutMs = 10_000): Promise<Buffer> {
    if (this.closed || !this.options.isOnline(cameraId)) {
      return Promise.reject(new CameraUnavailableError(cameraId, 'offline'));
    }
    const cam = this.camera(cameraId);
    if (cam.latest && this.now() - cam.latest.at < this.freshFrameMs) return Promise.resolve(cam.latest.jpeg);
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!cam.waiters.delete(waiter)) return;
        reject(
          new CameraTimeoutError(cameraId, `no frame within ${timeoutMs} ms for a snapshot`, {
            reason: 'no complete frame arrived in time',
          }),
        );
        this.consumerLeft(cam);
      }, timeoutMs);
      const waiter: SnapshotWaiter = {
        resolve: (jpeg) => {
          clearTimeout(timer);
          resolve(jpeg);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      cam.waiters.add(waiter);
      this.consumerArrived(cam);
    });
  }

  /** The camera went away: end every consumer, fail waiting snapshots, forget the open stream. */
  cameraOffline(cameraId: string): void {
    const cam = this.cameras.get(cameraId);
    if (!cam) return;
    this.endAll(cam, 'offline');
    if (cam.streamOpen) cam.log.info('media stream ended: the camera went offline');
    // No closeStream: there is no session left to send "stop" to.
    cam.streamOpen = false;
  }

  /** The user forgot the camera: end its consumers and drop its cached frame and counters. */
  forget(cameraId: string): void {
    const cam = this.cameras.get(cameraId);
    if (!cam) return;
    this.endAll(cam, 'offline');
    this.cameras.delete(cameraId);
  }

  stats(cameraId: string): HubStats {
    const cam = this.cameras.get(cameraId);
    return {
      videoConsumers: cam?.video.size ?? 0,
      audioConsumers: cam?.audio.size ?? 0,
      snapshotWaiters: cam?.waiters.size ?? 0,
      streamOpen: cam?.streamOpen ?? false,
      framesIn: cam?.counters.framesIn ?? 0,
      audioChunksIn: cam?.counters.audioChunksIn ?? 0,
      opens: cam?.counters.opens ?? 0,
      closes: cam?.counters.closes ?? 0,
      watchdogRestarts: cam?.counters.watchdogRestarts ?? 0,
      openFailures: cam?.counters.openFailures ?? 0,
      lastFrameAt: cam?.latest?.at,
    };
  }

  /** Nothing to open: the hub works from construction; a part so that App stops it in order. */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Shutdown: clears every timer and ends every consumer ('hub-closed'). Does not call
   * closeStream; the sessions are shut down by their own owner.
   */
  stop(): Promise<void> {
    this.closed = true;
    for (const cam of this.cameras.values()) {
      this.endAll(cam, 'hub-closed');
      cam.streamOpen = false;
    }
    return Promise.resolve();
  }

  private subscribe<L>(cameraId: string, set: (cam: CameraMedia) => Set<Consumer<L>>, consumer: Consumer<L>): MediaSubscription {
    if (this.closed || !this.options.isOnline(cameraId)) throw new CameraUnavailableError(cameraId, 'offline');
    const cam = this.camera(cameraId);
    const consumers = set(cam);
    consumers.add(consumer);
    this.consumerArrived(cam);
    return {
      unsubscribe: () => {
        if (consumers.delete(consumer)) this.consumerLeft(cam);
      },
    };
  }

  private camera(cameraId: string): CameraMedia {
    let cam = this.cameras.get(cameraId);
    if (!cam) {
      cam = {
        id: cameraId,
        log: this.log.child({ camera: cameraId }),
        video: new Set(),
        audio: new Set(),
        waiters: new Set(),
        latest: undefined,
        lastAudioAt: undefined,
        audioFormat: undefined,
        streamOpen: false,
        openedAt: 0,
        lingerTimer: undefined,
        watchdogTimer: undefined,
        consecutiveRestarts: 0,
        ops: Promise.resolve(),
        counters: { framesIn: 0, audioChunksIn: 0, opens: 0, closes: 0, watchdogRestarts: 0, openFailures: 0 },
      };
      this.cameras.set(cameraId, cam);
    }
    return cam;
  }

  private consumerCount(cam: CameraMedia): number {
    return cam.video.size + cam.audio.size + cam.waiters.size;
  }

  private consumerArrived(cam: CameraMedia): void {
    if (cam.lingerTimer) {
      clearTimeout(cam.lingerTimer);
      cam.lingerTimer = undefined;
    }
    if (cam.streamOpen) return;
    cam.streamOpen = true;
    cam.openedAt = this.now();
    cam.consecutiveRestarts = 0;
    this.enqueueOpen(cam, 'first consumer');
    this.armWatchdog(cam, this.watchdogMs);
  }

  private consumerLeft(cam: CameraMedia): void {
    if (this.consumerCount(cam) > 0 || !cam.streamOpen || cam.lingerTimer) return;
    const closeNow = (): void => {
      cam.lingerTimer = undefined;
      if (this.consumerCount(cam) > 0 || !cam.streamOpen) return;
      cam.streamOpen = false;
      this.clearWatchdog(cam);
      this.enqueueClose(cam, 'no consumers left');
    };
    cam.lingerTimer = setTimeout(closeNow, this.lingerMs);
    cam.lingerTimer.unref();
  }

  private enqueueOpen(cam: CameraMedia, why: string): void {
    cam.ops = cam.ops.then(async () => {
      cam.counters.opens++;
      cam.log.debug({ why }, `opening the media stream (${why})`);
      try {
        await this.bounded(this.options.openStream(cam.id, why === 'watchdog' ? 'watchdog' : 'demand'), 'openStream');
      } catch (error) {
        // Consumers keep waiting: the watchdog retries and snapshots time out on their own.
        cam.counters.openFailures++;
        cam.log.warn({ err: errorMessage(error) }, `opening the media stream failed: ${errorMessage(error)}`);
      }
    });
  }

  private enqueueClose(cam: CameraMedia, why: string): void {
    cam.ops = cam.ops.then(async () => {
      cam.counters.closes++;
      cam.log.debug({ why }, `closing the media stream (${why})`);
      try {
        await this.bounded(this.options.closeStream(cam.id), 'closeStream');
      } catch (error) {
        cam.log.warn({ err: errorMessage(error) }, `closing the media stream failed: ${errorMessage(error)}`);
      }
    });
  }

  private bounded(operation: Promise<void>, what: string): Promise<void> {
    return withTimeout(
      operation,
      this.operationTimeoutMs,
      () => {
        throw new Error(`${what} did not settle within ${this.operationTimeoutMs} ms`);
      },
      { unref: true },
    );
  }

  private armWatchdog(cam: CameraMedia, delayMs: number): void {
    this.clearWatchdog(cam);
    cam.watchdogTimer = setTimeout(() => this.watchdogFired(cam), Math.max(1, delayMs));
    cam.watchdogTimer.unref();
  }

  private clearWatchdog(cam: CameraMedia): void {
    if (cam.watchdogTimer) clearTimeout(cam.watchdogTimer);
    cam.watchdogTimer = undefined;
  }

  private watchdogFired(cam: CameraMedia): void {
    cam.watchdogTimer = undefined;
    if (!cam.streamOpen || this.consumerCount(cam) === 0) return;
    // Video consumers need frames; an audio-only stream is alive while audio flows.
    const wantsVideo = cam.video.size + cam.waiters.size > 0;
    const media = wantsVideo ? cam.latest?.at : Math.max(cam.latest?.at ?? 0, cam.lastAudioAt ?? 0);
    const lastActivity = Math.max(media ?? 0, cam.openedAt);
    const silentFor = this.now() - lastActivity;
    if (silentFor < this.watchdogMs) {
      this.armWatchdog(cam, this.watchdogMs - silentFor);
      return;
    }
    cam.counters.watchdogRestarts++;
    cam.consecutiveRestarts++;
    cam.openedAt = this.now();
    cam.log.warn(
      { silentForMs: silentFor, restart: cam.consecutiveRestarts },
      `no media for ${silentFor} ms while viewers wait: restarting the stream`,
    );
    this.enqueueClose(cam, 'watchdog');
    this.enqueueOpen(cam, 'watchdog');
    const backoff = Math.min(this.watchdogMs * 2 ** (cam.consecutiveRestarts - 1), this.watchdogMaxBackoffMs);
    this.armWatchdog(cam, Math.max(backoff, this.watchdogMs));
  }

  /**
   * Audio consumers were fed one format (their WAV header says so); samples of another format
   * would play as noise. End them, with one log line: a listener that reconnects gets a header
   * for the new format. Video consumers are not affected.
   */
  private audioFormatChanged(cam: CameraMedia, format: AudioFormat): void {
    const previous = cam.audioFormat;
    cam.audioFormat = format;
    if (previous === undefined || cam.audio.size === 0) return;
    const consumers = [...cam.audio];
    cam.audio.clear();
    this.formatLog
      .through(cam.log)
      .warn(
        cam.id,
        { from: previous, to: format, listeners: consumers.length },
        `audio switched from ${previous} to ${format}: ended ${consumers.length} audio listener(s), a WAV stream cannot change format; they may reconnect`,
      );
    for (const consumer of consumers) this.deliver(cam, () => consumer.onEnd?.('audio-format-changed'));
    this.consumerLeft(cam);
  }

  private endAll(cam: CameraMedia, reason: StreamEndReason): void {
    if (cam.lingerTimer) clearTimeout(cam.lingerTimer);
    cam.lingerTimer = undefined;
    this.clearWatchdog(cam);
    const consumers = [...cam.video, ...cam.audio];
    const waiters = [...cam.waiters];
    cam.video.clear();
    cam.audio.clear();
    cam.waiters.clear();
    for (const consumer of consumers) this.deliver(cam, () => consumer.onEnd?.(reason));
    for (const waiter of waiters) waiter.reject(new CameraUnavailableError(cam.id, 'offline'));
  }

  /** A throwing consumer must not starve the others; it is logged and kept. */
  private deliver(cam: CameraMedia, call: () => void): void {
    try {
      call();
    } catch (error) {
      cam.log.warn({ err: errorMessage(error) }, `a media consumer threw: ${errorMessage(error)}`);
    }
  }
}
