/**
 * WAV headers for streaming the camera's audio as `audio/wav` (docs/protocol.md §5), in the format the
 * camera sends: G.711 A-law (cmd 4, format tag 6, 8 bits) or 16-bit PCM (cmd 6, format tag 1).
 *
 * The length of a live stream is unknown, so the RIFF and data sizes are set to the largest
 * values that stay consistent with each other: RIFF size 0xFFFFFFFF and data size
 * 0xFFFFFFFF minus what the RIFF size counts before the data ("WAVE" + fmt chunk + data chunk
 * header). Browsers and ffmpeg treat this as "play until the connection ends"; 0 would make some
 * players stop at once.
 *
 * A-law is a non-PCM WAVEFORMATEX, so its fmt chunk is 18 bytes with cbSize = 0. The `fact` chunk
 * the spec asks of non-PCM files only carries a sample count, unknown here, and players ignore it,
 * so it is left out. PCM uses the plain 16-byte fmt chunk (44-byte header).
 */
import type { AudioFormat } from '../camera/media-sink.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_ALAW = 6;
export const ALAW_WAV_HEADER_BYTES = 46;
export const PCM_WAV_HEADER_BYTES = 44;

export interface WavOptions {
  readonly sampleRate?: number;
  readonly channels?: number;
}

interface FormatSpec {
  readonly tag: number;
  readonly bitsPerSample: number;
  /** 18 with cbSize for non-PCM formats, 16 for PCM. */
  readonly fmtChunkBytes: 16 | 18;
}

const SPECS: Record<AudioFormat, FormatSpec> = {
  alaw: { tag: WAVE_FORMAT_ALAW, bitsPerSample: 8, fmtChunkBytes: 18 },
  pcm16: { tag: WAVE_FORMAT_PCM, bitsPerSample: 16, fmtChunkBytes: 16 },
};

/** The streaming WAV header for audio in `format`, 8 kHz mono unless told otherwise. */
export function wavHeader(format: AudioFormat, options: WavOptions = {}): Buffer {
  const spec = SPECS[format];
  const sampleRate = options.sampleRate ?? 8000;
  const channels = options.channels ?? 1;
  const blockAlign = channels * (spec.bitsPerSample / 8);
  const dataAt = 12 + 8 + spec.fmtChunkBytes;
  // Zero-filled: A-law's cbSize (offset 36, no extra format bytes) is 0 without a write.
  // The four-letter tags are ASCII, written as utf8 (the same bytes).
  const h = Buffer.alloc(dataAt + 8);
  h.write('RIFF', 0);
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(spec.fmtChunkBytes, 16);
  h.writeUInt16LE(spec.tag, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28); // byte rate
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(spec.bitsPerSample, 34);
  h.write('data', dataAt);
  // RIFF size counts from "WAVE" (offset 8) up to the data, then the data itself.
  h.writeUInt32LE(0xffffffff - (dataAt + 8 - 8), dataAt + 4);
  return h;
}

export function alawWavHeader(options: WavOptions = {}): Buffer {
  return wavHeader('alaw', options);
}

export function pcmWavHeader(options: WavOptions = {}): Buffer {
  return wavHeader('pcm16', options);
}
