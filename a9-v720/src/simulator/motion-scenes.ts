/**
 * Real JPEG clips for testing motion detection, rendered here and encoded with libvips like a
 * camera's MJPEG (640×480, quality 70; 4:2:0 chroma, libvips offers no 4:2:2): a still room, and on top of it
 * - `walk`: a person-sized shape crossing the room, then the room still again;
 * - `lights`: the whole picture suddenly brighter (auto-exposure, IR cut filter), and back;
 * - `noise`: the still room with fresh sensor noise in every frame (a dark room's grain).
 * Every clip loops in the simulator, so each starts and ends with the still room. Deterministic
 * (seeded), nothing kept between calls.
 */
import sharp from 'sharp';
import { seededRandom } from './seeded-random.js';

export type MotionProfile = 'walk' | 'lights' | 'noise';
export const MOTION_PROFILES: readonly MotionProfile[] = ['walk', 'lights', 'noise'];

export interface MotionClipOptions {
  /** Frames of the still room before the event. Default 10. */
  readonly stillBefore?: number;
  /** Frames of the event (the walk, the bright phase, noise). Default 20. */
  readonly eventFrames?: number;
  /** Frames of the still room after the event. Default 30. */
  readonly stillAfter?: number;
  /** Sensor noise: standard deviation in grey levels, in every frame. Default 3 (`noise`: 6). */
  readonly noise?: number;
  readonly width?: number;
  readonly height?: number;
  readonly quality?: number;
  readonly seed?: number;
}

export interface MotionClip {
  readonly profile: MotionProfile;
  readonly frames: Buffer[];
  /** Index of the first and one past the last frame of the event. */
  readonly eventStart: number;
  readonly eventEnd: number;
}

/** Renders a clip; ~5 ms per frame. */
export async function motionClip(profile: MotionProfile, options: MotionClipOptions = {}): Promise<MotionClip> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const before = options.stillBefore ?? 10;
  const during = options.eventFrames ?? 20;
  const after = options.stillAfter ?? 30;
  const random = seededRandom(options.seed ?? 720);
  const noise = options.noise ?? (profile === 'noise' ? 6 : 3);
  const room = renderRoom(width, height, random);
  const frames: Buffer[] = [];
  const total = before + during + after;
  for (let i = 0; i < total; i++) {
    const inEvent = i >= before && i < before + during;
    const pixels = Buffer.from(room);
    if (inEvent && profile === 'walk') drawWalker(pixels, width, height, (i - before + 0.5) / during);
    if (inEvent && profile === 'lights') scaleBrightness(pixels, 1.7, 25);
    addNoise(pixels, noise, random);
    frames.push(await encodeJpeg(pixels, width, height, options.quality ?? 70));
  }
  return { profile, frames, eventStart: before, eventEnd: before + during };
}

function encodeJpeg(rgb: Buffer, width: number, height: number, quality: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer();
}

/** A dim room: a vertical gradient wall, a floor, a window, a table and a shelf. */
function renderRoom(width: number, height: number, random: () => number): Buffer {
  const rgb = Buffer.alloc(width * height * 3);
  const floorY = Math.round(height * 0.7);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const wall = y < floorY;
      const base = wall ? 70 + (40 * y) / floorY : 60 + (20 * (y - floorY)) / (height - floorY);
      setPixel(rgb, width, x, y, wall ? [base * 0.95, base, base * 1.1] : [base * 1.2, base, base * 0.8]);
    }
  }
  fillRect(rgb, width, height, width * 0.62, height * 0.12, width * 0.2, height * 0.28, [170, 180, 190]); // window
  fillRect(rgb, width, height, width * 0.08, height * 0.55, width * 0.3, height * 0.08, [110, 80, 50]); // table top
  fillRect(rgb, width, height, width * 0.1, height * 0.63, width * 0.02, height * 0.15, [90, 65, 40]); // table leg
  fillRect(rgb, width, height, width * 0.35, height * 0.63, width * 0.02, height * 0.15, [90, 65, 40]); // table leg
  fillRect(rgb, width, height, width * 0.05, height * 0.15, width * 0.25, height * 0.04, [120, 100, 80]); // shelf
  // Some texture, so the picture compresses like a real room rather than flat colour.
  for (let n = 0; n < 60; n++) {
    const grey = 60 + random() * 80;
    fillRect(rgb, width, height, random() * width, random() * height * 0.65, 6 + random() * 20, 6 + random() * 20, [
      grey,
      grey * 0.95,
      grey * 0.9,
    ]);
  }
  return rgb;
}

/** A person-sized dark shape (~1/8 of the width, 1/2.5 of the height) at `progress` 0..1 across. */
function drawWalker(rgb: Buffer, width: number, height: number, progress: number): void {
  const w = width / 8;
  const h = height / 2.5;
  const x = -w + progress * (width + w);
  const y = height * 0.4;
  fillRect(rgb, width, height, x, y, w, h, [35, 40, 55]); // body
  fillRect(rgb, width, height, x + w * 0.3, y - h * 0.2, w * 0.4, h * 0.2, [190, 150, 120]); // head
}

function scaleBrightness(rgb: Buffer, gain: number, offset: number): void {
  for (let i = 0; i < rgb.length; i++) rgb[i] = clampByte((rgb[i] as number) * gain + offset);
}

function addNoise(rgb: Buffer, sigma: number, random: () => number): void {
  if (sigma <= 0) return;
  for (let i = 0; i < rgb.length; i += 3) {
    // Box-Muller; grain is mostly luminance, so the three channels move together.
    const n = sigma * Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
    for (let c = 0; c < 3; c++) rgb[i + c] = clampByte((rgb[i + c] as number) + n);
  }
}

function fillRect(
  rgb: Buffer,
  width: number,
  height: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  colour: readonly [number, number, number],
): void {
  const xa = Math.max(0, Math.round(x0));
  const xb = Math.min(width, Math.round(x0 + w));
  const ya = Math.max(0, Math.round(y0));
  const yb = Math.min(height, Math.round(y0 + h));
  for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) setPixel(rgb, width, x, y, colour);
}

function setPixel(rgb: Buffer, width: number, x: number, y: number, colour: readonly [number, number, number]): void {
  const i = (y * width + x) * 3;
  rgb[i] = clampByte(colour[0]);
  rgb[i + 1] = clampByte(colour[1]);
  rgb[i + 2] = clampByte(colour[2]);
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : Math.round(value);
}
