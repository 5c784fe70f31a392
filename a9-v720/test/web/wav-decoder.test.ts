/**
 * The dashboard's WAV stream decoder (src/web/public/wav-decoder.js, plain browser JS) fed the
 * server's own bytes: src/media/wav.ts headers and src/media/alaw.ts samples, cut at every
 * awkward place a network can cut them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { alawToLinear, encodeAlaw } from '../../src/media/alaw.js';
import { wavHeader } from '../../src/media/wav.js';
import { createPcmTone } from '../../src/simulator/media-encoder.js';

/** The shape of the browser module (plain JS has no declarations to import). */
interface WavFormat {
  readonly tag: number;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly dataOffset: number;
}
interface WavDecoderModule {
  WavStreamDecoder: new () => { format: WavFormat | undefined; push(chunk: Uint8Array): Float32Array[] };
  parseWavHeader: (bytes: Uint8Array) => WavFormat | undefined;
}
const modulePath = '../../src/web/public/wav-decoder.js';
const { WavStreamDecoder, parseWavHeader } = (await import(modulePath)) as WavDecoderModule;

/** Decodes `stream` cut into pieces of the given sizes (cycled), returning all samples of channel 0. */
function decodeInPieces(stream: Buffer, sizes: readonly number[]): { samples: number[]; format: WavFormat | undefined } {
  const decoder = new WavStreamDecoder();
  const samples: number[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const size = sizes[i % sizes.length]!;
    const channels = decoder.push(new Uint8Array(stream.subarray(at, at + size)));
    for (const sample of channels[0] ?? []) samples.push(sample);
    at += size;
  }
  return { samples, format: decoder.format };
}

const tone = createPcmTone()(800);
const toneSamples = Array.from({ length: tone.length / 2 }, (_, i) => tone.readInt16LE(i * 2));

describe('dashboard WAV stream decoder', () => {
  test('A-law (tag 6, the 46-byte header) decodes to the G.711 values, whatever the chunking', () => {
    const alaw = encodeAlaw(toneSamples);
    const stream = Buffer.concat([wavHeader('alaw'), alaw]);
    const expected = Array.from(alaw, (code) => alawToLinear(code) / 32768);
    for (const sizes of [[stream.length], [1], [3, 7], [45, 1, 160], [47, 2]]) {
      const { samples, format } = decodeInPieces(stream, sizes);
      assert.deepEqual(format, { tag: 6, channels: 1, sampleRate: 8000, bitsPerSample: 8, dataOffset: 46 }, `pieces ${sizes.join(',')}`);
      assert.deepEqual(samples, expected, `pieces ${sizes.join(',')}`);
    }
  });

  test('all 256 A-law codes map like src/media/alaw.ts', () => {
    const codes = Buffer.from(Array.from({ length: 256 }, (_, code) => code));
    const { samples } = decodeInPieces(Buffer.concat([wavHeader('alaw'), codes]), [1000]);
    assert.deepEqual(
      samples,
      Array.from(codes, (code) => alawToLinear(code) / 32768),
    );
  });

  test('16-bit PCM (tag 1, the 44-byte header) keeps samples aligned across odd chunk cuts', () => {
    const stream = Buffer.concat([wavHeader('pcm16'), tone]);
    const expected = toneSamples.map((sample) => sample / 32768);
    for (const sizes of [[stream.length], [1], [43, 3], [45, 5, 2], [7]]) {
      const { samples, format } = decodeInPieces(stream, sizes);
      assert.deepEqual(format, { tag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, dataOffset: 44 }, `pieces ${sizes.join(',')}`);
      assert.deepEqual(samples, expected, `pieces ${sizes.join(',')}`);
    }
  });

  test('stereo PCM is split into channels; unknown chunks before the data are skipped', () => {
    const header = wavHeader('pcm16', { channels: 2 });
    // A LIST chunk (odd size, padded) between fmt and data, as other WAV writers put there.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.alloc(1)]);
    const data = header.subarray(36);
    const frames = Buffer.alloc(8);
    [100, -100, 200, -200].forEach((value, i) => frames.writeInt16LE(value, i * 2));
    const decoder = new WavStreamDecoder();
    const channels = decoder.push(new Uint8Array(Buffer.concat([header.subarray(0, 36), list, data, frames])));
    assert.deepEqual(
      channels.map((channel) => Array.from(channel, (sample) => Math.round(sample * 32768))),
      [
        [100, 200],
        [-100, -200],
      ],
    );
    assert.equal(decoder.format?.dataOffset, 36 + list.length + 8);
  });

  test('an incomplete header yields nothing yet; the data chunk header completes it', () => {
    const header = wavHeader('alaw');
    for (let cut = 0; cut < header.length; cut++)
      assert.equal(parseWavHeader(new Uint8Array(header.subarray(0, cut))), undefined, `cut ${cut}`);
    assert.equal(parseWavHeader(new Uint8Array(header))?.dataOffset, 46);
  });

  test('what it cannot play is refused with a reason, not buffered forever', () => {
    const notWav = Buffer.from('<html><body>503</body></html>');
    assert.throws(() => new WavStreamDecoder().push(new Uint8Array(notWav)), /not a WAV stream/);
    const mulaw = wavHeader('alaw');
    mulaw.writeUInt16LE(7, 20); // G.711 µ-law: no camera sends it
    assert.throws(() => new WavStreamDecoder().push(new Uint8Array(mulaw)), /unsupported WAV format: tag 7, 8 bits/);
    const pcm8 = wavHeader('pcm16');
    pcm8.writeUInt16LE(8, 34);
    assert.throws(() => new WavStreamDecoder().push(new Uint8Array(pcm8)), /unsupported WAV format: tag 1, 8 bits/);
    const noRate = wavHeader('pcm16', { sampleRate: 0 });
    assert.throws(() => new WavStreamDecoder().push(new Uint8Array(noRate)), /sample rate 0/);
    const dataFirst = Buffer.concat([Buffer.from('RIFF\xff\xff\xff\xffWAVEdata\0\0\0\0', 'latin1')]);
    assert.throws(() => new WavStreamDecoder().push(new Uint8Array(dataFirst)), /data before its fmt chunk/);
    // A RIFF/WAVE start followed by an endless chunk: refused once past the header budget.
    const endless = Buffer.concat([Buffer.from('RIFF\xff\xff\xff\xffWAVEjunk\xff\xff\x00\x00', 'latin1'), Buffer.alloc(5000)]);
    const decoder = new WavStreamDecoder();
    assert.deepEqual(decoder.push(new Uint8Array(endless.subarray(0, 3000))), []);
    assert.throws(() => decoder.push(new Uint8Array(endless.subarray(3000))), /no WAV data chunk in the first 4096 bytes/);
  });
});
