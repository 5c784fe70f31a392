/**
 * JPEG → small grey image for motion analysis. libvips decodes with libjpeg's DCT scaling
 * ("shrink on load"): a 640×480 frame comes out of the decoder at 80×60 almost for free, without
 * ever building the full-size picture. Nothing here keeps state between frames.
 */
import sharp from 'sharp';

/** 8-bit luminance, row-major, `data.length === width * height`. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The analysis size: 1/8 of the cameras' 640×480, where JPEG scaling is exact. */
export const ANALYSIS_WIDTH = 80;
export const ANALYSIS_HEIGHT = 60;

/**
 * Decodes a JPEG into a grey image of exactly `width`×`height` (other frame sizes are stretched:
 * motion needs the same grid every frame, not the aspect ratio). Rejects on a broken JPEG.
 */
export async function decodeGrey(jpeg: Buffer, width = ANALYSIS_WIDTH, height = ANALYSIS_HEIGHT): Promise<GreyImage> {
  const { data, info } = await sharp(jpeg, { failOn: 'error', limitInputPixels: 4096 * 4096 })
    .resize(width, height, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 1 || data.length !== width * height) {
    throw new Error(`decoder returned ${info.width}×${info.height}×${info.channels}, expected ${width}×${height} grey`);
  }
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/**
 * libvips defaults are made for big pictures: a thread per core for each image and an operation
 * cache. For 80×60 outputs, one thread per image (frames of different cameras still decode in
 * parallel on libuv's pool) and no cache cost less CPU and memory. Process-wide, so the composition
 * root calls it once.
 */
export function tuneDecoderForSmallImages(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}
