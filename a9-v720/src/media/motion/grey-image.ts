/**
 * JPEG → small grey image for motion analysis. libvips (through sharp) decodes with libjpeg's
 * DCT scaling ("shrink on load"): a 640×480 frame comes out of the decoder at 80×60 almost for
 * free, without ever building the full-size picture.
 */
import type { Sharp, SharpOptions } from 'sharp';
import { errorMessage } from '../../util/error-message.js';

/** 8-bit luminance, row-major, `data.length === width * height`. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The analysis size: 1/8 of the cameras' 640×480, where JPEG scaling is exact. */
export const ANALYSIS_WIDTH = 80;
export const ANALYSIS_HEIGHT = 60;

type SharpFactory = (input: Buffer, options?: SharpOptions) => Sharp;
type SharpModule = typeof import('sharp');

/**
 * Decodes JPEGs into grey images of exactly `width`×`height` (other frame sizes are stretched:
 * motion needs the same grid every frame, not the aspect ratio).
 *
 * sharp is a native module: it is loaded on the first decode, not at start-up, so a platform
 * where its binaries cannot load loses motion detection (every decode rejects saying why), not the
 * whole add-on.
 */
export class GreyDecoder {
  private factory: Promise<SharpFactory> | undefined;

  constructor(
    private readonly width = ANALYSIS_WIDTH,
    private readonly height = ANALYSIS_HEIGHT,
    /** Where sharp comes from (a test stands in a module that fails to load). */
    private readonly loadSharp: () => Promise<SharpModule> = () => import('sharp'),
  ) {}

  /** Rejects on a broken JPEG or when the decoder cannot be loaded. */
  async decode(jpeg: Buffer): Promise<GreyImage> {
    const sharp = await this.load();
    const { width, height } = this;
    const { data, info } = await sharp(jpeg, { failOn: 'error', limitInputPixels: 4096 * 4096 })
      .resize(width, height, { fit: 'fill' })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // Raw output is exactly width × height × channels bytes, so these three settle the length too.
    if (info.width !== width || info.height !== height || info.channels !== 1) {
      throw new Error(`decoder returned ${info.width}×${info.height}×${info.channels}, expected ${width}×${height} grey`);
    }
    return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  }

  private load(): Promise<SharpFactory> {
    this.factory ??= this.loadSharp().then(
      ({ default: sharp }) => {
        // libvips defaults suit big pictures: a thread per core for each image and an operation
        // cache. For 80×60 outputs one thread per image (frames of different cameras still decode
        // in parallel on libuv's pool) and no cache cost less CPU and memory. Process-wide
        // settings, the same for every decoder.
        sharp.concurrency(1);
        sharp.cache(false);
        return sharp;
      },
      (error: unknown) => {
        throw new Error(`the JPEG decoder (sharp) could not be loaded: ${errorMessage(error)}`);
      },
    );
    return this.factory;
  }
}

/** One-off decode with a fresh decoder (tests, tools); long-lived code keeps a GreyDecoder. */
export function decodeGrey(jpeg: Buffer): Promise<GreyImage> {
  return new GreyDecoder().decode(jpeg);
}
