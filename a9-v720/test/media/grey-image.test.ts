/**
 * GreyDecoder's own choices, each pinned by what it changes: the picture is stretched (not
 * cropped) to the analysis grid, pictures over 4096×4096 are refused before decoding, libvips
 * runs one thread and no cache, and a decoder that returns another size is refused with a clear
 * message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp, { type CacheOptions, type ResizeOptions, type Sharp, type SharpOptions } from 'sharp';
import { GreyDecoder } from '../../src/media/motion/grey-image.js';

/** A grey JPEG of width×height whose leftmost quarter is black and the rest white. */
async function quarterBlack(width: number, height: number): Promise<Buffer> {
  const rgb = Buffer.alloc(width * height * 3, 255);
  for (let y = 0; y < height; y++) rgb.fill(0, y * width * 3, (y * width + width / 4) * 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

const solid = (width: number, height: number): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .jpeg()
    .toBuffer();

test('a picture of another shape is stretched onto the grid, not cropped: the black quarter stays a quarter', async () => {
  const grey = await new GreyDecoder(80, 60).decode(await quarterBlack(320, 60));
  assert.equal(grey.width, 80);
  assert.equal(grey.height, 60);
  const row = Array.from(grey.data.subarray(30 * 80, 31 * 80));
  assert.ok(
    row.slice(0, 18).every((v) => v < 40),
    `columns 0–17 black: ${row.slice(0, 20).join(' ')}`,
  );
  assert.ok(
    row.slice(22).every((v) => v > 215),
    `columns 22–79 white: ${row.slice(20, 30).join(' ')}`,
  );
});

test('pictures up to 4096×4096 pixels decode; one pixel more is refused before decoding', async () => {
  const decoder = new GreyDecoder();
  assert.equal((await decoder.decode(await solid(4096, 4096))).data.length, 80 * 60);
  await assert.rejects(decoder.decode(await solid(4097, 4096)), /exceeds pixel limit/);
});

test('libvips is set to one thread per image and no operation cache when the decoder loads', async () => {
  const calls: string[] = [];
  const spied = Object.assign((input?: Buffer, options?: SharpOptions) => sharp(input, options), sharp, {
    concurrency: (threads?: number) => {
      calls.push(`concurrency ${String(threads)}`);
      return sharp.concurrency(threads);
    },
    cache: (options?: boolean | CacheOptions) => {
      calls.push(`cache ${JSON.stringify(options)}`);
      return sharp.cache(options);
    },
  });
  const decoder = new GreyDecoder(80, 60, () => Promise.resolve({ default: spied } as unknown as typeof import('sharp')));
  await decoder.decode(await solid(64, 48));
  await decoder.decode(await solid(64, 48));
  assert.deepEqual(calls, ['concurrency 1', 'cache false'], 'set once, on the first decode');
});

/** Real sharp with one pipeline step bent, as if the library had not done what was asked. */
function bentSharp(bend: (pipeline: Sharp) => void): typeof import('sharp') {
  const factory = Object.assign((input?: Buffer, options?: SharpOptions) => {
    const pipeline = sharp(input, options);
    bend(pipeline);
    return pipeline;
  }, sharp);
  return { default: factory } as unknown as typeof import('sharp');
}

test('a decoder that returns another size or colour layout is refused, saying what it got', async () => {
  const jpeg = await solid(64, 48);
  const resizedBy = (dw: number, dh: number) =>
    bentSharp((pipeline) => {
      const resize = pipeline.resize.bind(pipeline);
      pipeline.resize = ((width: number, height: number, options?: ResizeOptions) =>
        resize(width + dw, height + dh, options)) as typeof pipeline.resize;
    });
  const inColour = bentSharp((pipeline) => {
    pipeline.greyscale = () => pipeline;
  });
  const cases: [typeof import('sharp'), string][] = [
    [resizedBy(1, 0), 'decoder returned 81×60×1, expected 80×60 grey'],
    [resizedBy(0, 1), 'decoder returned 80×61×1, expected 80×60 grey'],
    [inColour, 'decoder returned 80×60×3, expected 80×60 grey'],
  ];
  for (const [module, message] of cases) {
    const decoder = new GreyDecoder(80, 60, () => Promise.resolve(module));
    await assert.rejects(decoder.decode(jpeg), { message });
  }
});
