/**
 * WAV header for streaming the camera's G.711 A-law audio as `audio/wav` (PROTOCOL.md §5).
 *
 * The length of a live stream is unknown, so the RIFF and data sizes are set to the largest
 * values that stay consistent with each other: RIFF size 0xFFFFFFFF and data size
 * 0xFFFFFFFF - 38 (the RIFF size counts "WAVE" + the fmt chunk + the data chunk header = 38 bytes
 * before the data). Browsers and ffmpeg treat this as "play until the connection ends"; 0 would
 * make some players stop at once.
 *
 * Format tag 6 (A-law) is a non-PCM WAVEFORMATEX, so the fmt chunk is 18 bytes with cbSize = 0.
 * The `fact` chunk the spec asks of non-PCM files only carries a sample count, unknown here, and
 * players ignore it, so it is left out.
 */

export const WAVE_FORMAT_ALAW = 6;
export const ALAW_WAV_HEADER_BYTES = 46;
const RIFF_BODY_BEFORE_DATA = 4 + (8 + 18) + 8;

export interface AlawWavOptions {
  readonly sampleRate?: number;
  readonly channels?: number;
}

export function alawWavHeader(options: AlawWavOptions = {}): Buffer {
  const sampleRate = options.sampleRate ?? 8000;
  const channels = options.channels ?? 1;
  const bytesPerSample = 1; // A-law: 8 bits per sample
  const h = Buffer.alloc(ALAW_WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(0xffffffff, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(WAVE_FORMAT_ALAW, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * bytesPerSample, 28); // byte rate
  h.writeUInt16LE(channels * bytesPerSample, 32); // block align
  h.writeUInt16LE(8 * bytesPerSample, 34); // bits per sample
  h.writeUInt16LE(0, 36); // cbSize: no extra format bytes
  h.write('data', 38, 'ascii');
  h.writeUInt32LE(0xffffffff - RIFF_BODY_BEFORE_DATA, 42);
  return h;
}
