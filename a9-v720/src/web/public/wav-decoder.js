// Decodes the add-on's live WAV stream (GET …/audio) chunk by chunk into float samples for Web
// Audio. No DOM here, so Node tests can feed it the server's own bytes.
//
// Why not <audio src=…/audio>: Chromium's media pipeline reads about 256 KB of an unbounded,
// non-seekable response before it reports metadata, whatever the headers say. At the camera's
// 8 KB/s (A-law) or 16 KB/s (PCM) that is 32 s or 16 s of silence, then a player 16–32 s
// behind live. Decoding ourselves plays the first packet as it arrives.
//
// The stream is what the camera sends (docs/protocol.md §5): G.711 A-law (format tag 6, 8 bits) or
// 16-bit little-endian PCM (format tag 1), 8 kHz mono; the WAV header names which.

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_ALAW = 6;

/** A header larger than this is not one of ours: give up instead of buffering forever. */
const MAX_HEADER_BYTES = 4096;

/** G.711 A-law byte → linear sample scaled to [-1, 1) (same formula as src/media/alaw.ts). */
const ALAW_TO_FLOAT = (() => {
  const table = new Float32Array(256);
  for (let code = 0; code < 256; code++) {
    const a = code ^ 0x55;
    const segment = (a & 0x70) >> 4;
    const mantissa = (a & 0x0f) << 4;
    const magnitude = segment === 0 ? mantissa + 8 : (mantissa + 0x108) << (segment - 1);
    table[code] = (a & 0x80 ? magnitude : -magnitude) / 32768;
  }
  return table;
})();

/**
 * Reads the RIFF header at the start of `bytes`. Returns undefined while the data chunk's header
 * has not fully arrived; throws for anything that is not a WAV this decoder can play.
 * @param {Uint8Array} bytes
 * @returns {{ tag: number, channels: number, sampleRate: number, bitsPerSample: number, dataOffset: number } | undefined}
 */
export function parseWavHeader(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12) return undefined;
  if (ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE') throw new Error('not a WAV stream (no RIFF/WAVE header)');
  let format;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      if (!format) throw new Error('WAV data before its fmt chunk');
      return { ...format, dataOffset: at + 8 };
    }
    if (at + 8 + size > bytes.length) return undefined; // this chunk is still arriving
    if (id === 'fmt ') {
      if (size < 16) throw new Error(`WAV fmt chunk too short (${size} bytes)`);
      format = {
        tag: view.getUint16(at + 8, true),
        channels: view.getUint16(at + 10, true),
        sampleRate: view.getUint32(at + 12, true),
        bitsPerSample: view.getUint16(at + 22, true),
      };
      const playable =
        (format.tag === WAVE_FORMAT_ALAW && format.bitsPerSample === 8) || (format.tag === WAVE_FORMAT_PCM && format.bitsPerSample === 16);
      if (!playable) throw new Error(`unsupported WAV format: tag ${format.tag}, ${format.bitsPerSample} bits`);
      if (format.channels < 1 || format.channels > 8) throw new Error(`unsupported WAV channel count ${format.channels}`);
      if (format.sampleRate < 3000 || format.sampleRate > 768000) throw new Error(`unsupported WAV sample rate ${format.sampleRate}`);
    }
    at += 8 + size + (size % 2); // RIFF chunks are padded to an even size
  }
  return undefined;
}

/** Turns the byte chunks of one WAV response into per-channel float samples, in order. */
export class WavStreamDecoder {
  constructor() {
    /** @type {ReturnType<typeof parseWavHeader>} */
    this.format = undefined;
    /** Header bytes gathered so far, then the bytes of an incomplete sample frame. */
    this.pending = new Uint8Array(0);
  }

  /**
   * @param {Uint8Array} chunk the next bytes of the response
   * @returns {Float32Array[]} one array per channel (empty arrays while the header is arriving)
   */
  push(chunk) {
    let bytes = concat(this.pending, chunk);
    if (!this.format) {
      const format = parseWavHeader(bytes);
      if (!format) {
        if (bytes.length > MAX_HEADER_BYTES) throw new Error(`no WAV data chunk in the first ${MAX_HEADER_BYTES} bytes`);
        this.pending = bytes;
        return [];
      }
      this.format = format;
      bytes = bytes.subarray(format.dataOffset);
    }
    const { channels, tag } = this.format;
    const frameBytes = channels * (tag === WAVE_FORMAT_PCM ? 2 : 1);
    const frames = Math.floor(bytes.length / frameBytes);
    // Keep half a sample (an odd chunk) for the next push, so samples stay aligned.
    this.pending = bytes.slice(frames * frameBytes);
    const out = Array.from({ length: channels }, () => new Float32Array(frames));
    if (tag === WAVE_FORMAT_ALAW) {
      for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = ALAW_TO_FLOAT[bytes[i * channels + c]];
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, frames * frameBytes);
      for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = view.getInt16((i * channels + c) * 2, true) / 32768;
    }
    return out;
  }
}

function concat(a, b) {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
