/**
 * Motion from a sequence of small grey images: pure, no I/O, one instance per camera.
 *
 * - A background that adapts slowly (a parked car or a moved chair becomes background within
 *   seconds to tens of seconds, a person walking through does not).
 * - Brightness is normalised before comparing: auto-exposure scales the whole picture, so the
 *   frame is divided by the median brightness ratio to the background (robust to whatever moves).
 * - A change of most of the picture at once (the IR cut filter switching day/night, lights on)
 *   is not motion: the background is re-learnt from that frame and a few frames are skipped.
 * - Sensor noise is scattered single pixels; a changed pixel counts only with changed neighbours.
 * - Hysteresis: an event starts after `startFrames` consecutive active frames, continues while the
 *   moving area stays above half the start threshold, and ends `holdMs` after the last active
 *   frame — one noisy frame is no event, a person walking through is one event.
 */
import { DEFAULT_MOTION_SETTINGS, MAX_MOTION_SENSITIVITY, MIN_MOTION_SENSITIVITY } from '../../camera/motion-settings.js';
import type { GreyImage } from './grey-image.js';

export const DEFAULT_HOLD_MS = 10_000;

/** What a sensitivity means in pixels. */
export interface MotionThresholds {
  /** Grey levels (0–255) a pixel must differ from the background by. */
  readonly pixelDelta: number;
  /** Fraction of the image (after noise filtering) that must change for an active frame. */
  readonly minArea: number;
}

/**
 * 1 = only large, high-contrast movement (48 grey levels over 6 % of the picture);
 * 100 = small or faint movement (10 grey levels over 0.1 %). Geometric in between, so each step
 * changes the thresholds by the same ratio; 50 ≈ 22 levels over 0.8 % (an 80×60 image: ~37 pixels,
 * a 50×50 px patch of a 640×480 frame).
 */
export function thresholdsFor(sensitivity: number): MotionThresholds {
  const s = (clampSensitivity(sensitivity) - MIN_MOTION_SENSITIVITY) / (MAX_MOTION_SENSITIVITY - MIN_MOTION_SENSITIVITY);
  return { pixelDelta: 48 * (10 / 48) ** s, minArea: 0.06 * (0.001 / 0.06) ** s };
}

export function clampSensitivity(value: number): number {
  return Math.min(MAX_MOTION_SENSITIVITY, Math.max(MIN_MOTION_SENSITIVITY, Math.round(value)));
}

export interface MotionAnalyserOptions {
  readonly sensitivity?: number;
  /** Motion ends this long after the last active frame. */
  readonly holdMs?: number;
  /** Consecutive active frames that start an event. Default 2. */
  readonly startFrames?: number;
  /** Frames after the first one (and after a global change) used only to learn. Default 2. */
  readonly settleFrames?: number;
  /** Background learning rate per analysed frame where nothing moves. Default 0.05 (~4 s at 5 fps). */
  readonly learnRate?: number;
  /** Learning rate where something moves: what stays long enough becomes background. Default 0.005. */
  readonly foregroundLearnRate?: number;
  /** A frame where more than this fraction changed is a global change, not motion. Default 0.5. */
  readonly globalChangeFraction?: number;
}

export type FrameKind = 'learning' | 'still' | 'active' | 'global-change';

export interface FrameVerdict {
  readonly kind: FrameKind;
  /** Fraction of the image counted as moving (after brightness normalisation and noise filtering). */
  readonly movingArea: number;
  /** Median brightness ratio frame/background that was divided out. */
  readonly gain: number;
  /** Motion state after this frame. */
  readonly motion: boolean;
  /** Set on the frame that started or ended an event. */
  readonly transition?: 'start' | 'end';
}

/** log2(v + 1) for every 8-bit value, for the brightness ratio histogram. */
const LOG2 = Float64Array.from({ length: 256 }, (_, v) => Math.log2(v + 1));
/** Ratio histogram resolution (bins per doubling) and range (± doublings). */
const BINS_PER_OCTAVE = 32;
const OCTAVES = 8;
const HISTOGRAM_BINS = 2 * OCTAVES * BINS_PER_OCTAVE + 1;
/** A changed pixel is kept when at least this many of its 8 neighbours changed too. */
const MIN_CHANGED_NEIGHBOURS = 3;

export class MotionAnalyser {
  private thresholds: MotionThresholds;
  private readonly holdMs: number;
  private readonly startFrames: number;
  private readonly settleFrames: number;
  private readonly learnRate: number;
  private readonly foregroundLearnRate: number;
  private readonly globalChangeFraction: number;

  private background: Float32Array | undefined;
  private width = 0;
  private height = 0;
  private changed = new Uint8Array(0);
  private readonly histogram = new Uint32Array(HISTOGRAM_BINS);
  private settling = 0;
  private consecutiveActive = 0;
  private inMotion = false;
  private lastActiveAt = 0;

  constructor(options: MotionAnalyserOptions = {}) {
    this.thresholds = thresholdsFor(options.sensitivity ?? DEFAULT_MOTION_SETTINGS.sensitivity);
    this.holdMs = options.holdMs ?? DEFAULT_HOLD_MS;
    this.startFrames = Math.max(1, options.startFrames ?? 2);
    this.settleFrames = Math.max(0, options.settleFrames ?? 2);
    this.learnRate = options.learnRate ?? 0.05;
    this.foregroundLearnRate = options.foregroundLearnRate ?? 0.005;
    this.globalChangeFraction = options.globalChangeFraction ?? 0.5;
  }

  get motion(): boolean {
    return this.inMotion;
  }

  setSensitivity(sensitivity: number): void {
    this.thresholds = thresholdsFor(sensitivity);
  }

  /** Forgets the background and any event in progress (e.g. the stream restarted). */
  reset(): void {
    this.background = undefined;
    this.consecutiveActive = 0;
    this.inMotion = false;
  }

  /** Ends an event whose hold time ran out without frames (call from a timer). */
  expire(at: number): 'end' | undefined {
    if (!this.inMotion || at - this.lastActiveAt < this.holdMs) return undefined;
    this.inMotion = false;
    this.consecutiveActive = 0;
    return 'end';
  }

  /** One frame taken at `at` (ms). Frames must arrive in time order. */
  analyse(image: GreyImage, at: number): FrameVerdict {
    const background = this.background;
    if (!background || image.width !== this.width || image.height !== this.height) {
      this.seed(image);
      return this.verdict('learning', 0, 1, at);
    }
    const pixels = image.data;
    const count = pixels.length;
    const gain = this.brightnessGain(pixels, background);
    const delta = this.thresholds.pixelDelta;
    const changed = this.changed;
    let changedCount = 0;
    let rawChangedCount = 0;
    for (let i = 0; i < count; i++) {
      const pixel = pixels[i] as number;
      const bg = background[i] as number;
      const isChanged = Math.abs(pixel / gain - bg) > delta ? 1 : 0;
      changed[i] = isChanged;
      changedCount += isChanged;
      if (Math.abs(pixel - bg) > delta) rawChangedCount++;
    }

    // Normalising catches a gentle exposure drift; a jump that changes most raw pixels is no
    // motion either, even where clipping or the IR filter make it more than a gain.
    const globalLimit = this.globalChangeFraction * count;
    if (changedCount > globalLimit || rawChangedCount > globalLimit) {
      // Day/night switch, lights, a hand on the lens: learn the new scene instead of alarming.
      this.seed(image);
      this.consecutiveActive = 0;
      return this.verdict('global-change', Math.max(changedCount, rawChangedCount) / count, gain, at);
    }

    const movingArea = this.clusteredCount() / count;
    this.learn(pixels);
    if (this.settling > 0) {
      this.settling--;
      return this.verdict('learning', movingArea, gain, at);
    }
    const minArea = this.inMotion ? this.thresholds.minArea / 2 : this.thresholds.minArea;
    return this.verdict(movingArea >= minArea ? 'active' : 'still', movingArea, gain, at);
  }

  private verdict(kind: FrameKind, movingArea: number, gain: number, at: number): FrameVerdict {
    let transition: 'start' | 'end' | undefined;
    if (kind === 'active') {
      this.consecutiveActive++;
      this.lastActiveAt = at;
      if (!this.inMotion && this.consecutiveActive >= this.startFrames) {
        this.inMotion = true;
        transition = 'start';
      }
    } else {
      this.consecutiveActive = 0;
      transition = this.expire(at);
    }
    return { kind, movingArea, gain, motion: this.inMotion, ...(transition ? { transition } : {}) };
  }

  private seed(image: GreyImage): void {
    this.width = image.width;
    this.height = image.height;
    this.background = Float32Array.from(image.data);
    if (this.changed.length !== image.data.length) this.changed = new Uint8Array(image.data.length);
    this.settling = this.settleFrames;
  }

  /**
   * Median of frame/background over all pixels, from a histogram of log ratios: exposure changes
   * scale everything, while a moving object covers a minority of pixels and does not move the median.
   */
  private brightnessGain(pixels: Uint8Array, background: Float32Array): number {
    const histogram = this.histogram;
    histogram.fill(0);
    const centre = OCTAVES * BINS_PER_OCTAVE;
    for (let i = 0; i < pixels.length; i++) {
      const bg = Math.round(background[i] as number);
      const bin = Math.round(((LOG2[pixels[i] as number] as number) - (LOG2[bg] as number)) * BINS_PER_OCTAVE) + centre;
      histogram[bin] = (histogram[bin] ?? 0) + 1;
    }
    let seen = 0;
    const half = pixels.length / 2;
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      seen += histogram[bin] as number;
      if (seen >= half) return 2 ** ((bin - centre) / BINS_PER_OCTAVE);
    }
    return 1;
  }

  /** Changed pixels with at least MIN_CHANGED_NEIGHBOURS changed neighbours (outside = unchanged). */
  private clusteredCount(): number {
    const { width, height, changed } = this;
    let kept = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (changed[i] === 0) continue;
        let neighbours = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy < 0 || yy >= height) continue;
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            if ((dx === 0 && dy === 0) || xx < 0 || xx >= width) continue;
            neighbours += changed[yy * width + xx] as number;
          }
        }
        if (neighbours >= MIN_CHANGED_NEIGHBOURS) kept++;
      }
    }
    return kept;
  }

  /** Moves the background toward the frame; slower where something moves. */
  private learn(pixels: Uint8Array): void {
    const background = this.background as Float32Array;
    const changed = this.changed;
    for (let i = 0; i < pixels.length; i++) {
      const rate = changed[i] === 1 ? this.foregroundLearnRate : this.learnRate;
      background[i] = (background[i] as number) + rate * ((pixels[i] as number) - (background[i] as number));
    }
  }
}
