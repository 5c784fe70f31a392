import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alawWavHeader, pcmWavHeader, wavHeader } from '../../src/media/wav.js';
import { alawToLinear, decodeAlaw, encodeAlaw, linearToAlaw } from '../../src/media/alaw.js';
import { createAlawTone, createPcmTone } from '../../src/simulator/media-encoder.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('the streaming A-law WAV header, byte for byte', () => {
  assert.deepEqual(
    alawWavHeader(),
    hex(`52494646 ffffffff 57415645
         666d7420 12000000 0600 0100 401f0000 401f0000 0100 0800 0000
         64617461 d9ffffff`),
  );
  assert.equal(alawWavHeader().length, 46);
});

test('the streaming PCM WAV header (cmd 6: s16le 8 kHz mono), byte for byte', () => {
  assert.deepEqual(
    pcmWavHeader(),
    hex(`52494646 ffffffff 57415645
         666d7420 10000000 0100 0100 401f0000 803e0000 0200 1000
         64617461 dbffffff`),
  );
  assert.equal(pcmWavHeader().length, 44);
  assert.deepEqual(wavHeader('pcm16'), pcmWavHeader());
  assert.deepEqual(wavHeader('alaw'), alawWavHeader());
});

test('the PCM tone generator: continuous 440 Hz, little-endian 16-bit samples', () => {
  const tone = createPcmTone({ frequencyHz: 440, amplitude: 0.5 });
  const bytes = Buffer.concat([tone(4000), tone(4000)]);
  assert.equal(bytes.length, 16_000);
  const samples = Array.from({ length: 8000 }, (_, i) => bytes.readInt16LE(i * 2));
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  assert.ok(Math.abs(crossings - 440) <= 2, `${crossings} upward zero crossings in 1 s`);
  const peak = Math.max(...samples);
  assert.ok(peak > 16_000 && peak <= 16_384, `peak ${peak}`);
});

test('A-law codec: known values and a bounded round-trip error', () => {
  assert.equal(linearToAlaw(0), 0xd5);
  assert.equal(linearToAlaw(-1), 0x55);
  assert.equal(linearToAlaw(32767), 0xaa);
  assert.equal(linearToAlaw(-32768), 0x2a);
  assert.equal(alawToLinear(0xd5), 8);
  for (let s = -32768; s < 32768; s += 97) {
    const back = alawToLinear(linearToAlaw(s));
    // A-law keeps 4 mantissa bits: the error is under 1/32 of the magnitude (+ the small-value step).
    assert.ok(Math.abs(back - s) <= Math.abs(s) / 32 + 16, `${s} → ${back}`);
  }
});

test('the tone generator produces a continuous 440 Hz sine', () => {
  const tone = createAlawTone({ frequencyHz: 440, amplitude: 0.5 });
  const a = tone(4000);
  const b = tone(4000);
  const samples = decodeAlaw(Buffer.concat([a, b]));
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  assert.ok(Math.abs(crossings - 440) <= 2, `${crossings} upward zero crossings in 1 s`);
  const peak = Math.max(...samples);
  assert.ok(peak > 15_000 && peak < 17_500, `peak ${peak}`);
  assert.deepEqual(encodeAlaw(decodeAlaw(a)), a, 'decode → encode is the identity on A-law codes');
});

test('the WAV header for other rates and channel counts: byte rate and block align follow', () => {
  assert.deepEqual(
    alawWavHeader({ sampleRate: 16000, channels: 2 }),
    hex(`52494646 ffffffff 57415645
         666d7420 12000000 0600 0200 803e0000 007d0000 0200 0800 0000
         64617461 d9ffffff`),
  );
});

test('A-law decoding matches the G.711 table, and every code survives decode → encode', () => {
  const table: [code: number, linear: number][] = [
    [0x00, -5504],
    [0x01, -5248],
    [0x80, 5504],
    [0x55, -8],
    [0xd5, 8],
    [0xaa, 32256],
    [0x2a, -32256],
    [0xff, 848],
    [0x7f, -848],
  ];
  for (const [code, linear] of table) assert.equal(alawToLinear(code), linear, `code 0x${code.toString(16)}`);
  for (let code = 0; code < 256; code++) assert.equal(linearToAlaw(alawToLinear(code)), code, `code 0x${code.toString(16)}`);
  assert.deepEqual(encodeAlaw([0, -1, 32767, -32768]), Buffer.from([0xd5, 0x55, 0xaa, 0x2a]));
  assert.deepEqual(decodeAlaw(Buffer.from([0xd5, 0x2a])), Int16Array.from([8, -32256]));
  assert.equal(encodeAlaw([]).length, 0);
});
