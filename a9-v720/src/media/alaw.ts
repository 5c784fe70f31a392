/**
 * G.711 A-law codec (ITU-T G.711), used by the simulator's tone generator and by tests that
 * check audio round trips. The add-on itself never transcodes: camera A-law goes to the WAV
 * stream as is.
 */

/** Encodes one signed 16-bit linear sample to an A-law byte. */
export function linearToAlaw(sample: number): number {
  // A-law works on 13-bit magnitudes; the sign goes into bit 7, and even bits are inverted (0x55).
  let pcm = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  let segment = 0;
  for (let limit = 0x1f; segment < 8 && pcm > limit; limit = (limit << 1) | 1) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

/** Decodes one A-law byte to a signed 16-bit linear sample. */
export function alawToLinear(code: number): number {
  const a = (code & 0xff) ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude += segment === 0 ? 8 : 0x108;
  if (segment > 1) magnitude <<= segment - 1;
  return a & 0x80 ? magnitude : -magnitude;
}

export function encodeAlaw(samples: ArrayLike<number>): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToAlaw(samples[i] ?? 0);
  return out;
}

export function decodeAlaw(alaw: Buffer): Int16Array {
  const out = new Int16Array(alaw.length);
  for (let i = 0; i < alaw.length; i++) out[i] = alawToLinear(alaw[i] ?? 0);
  return out;
}
