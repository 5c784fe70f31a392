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
  // The clamp above keeps pcm ≤ 4095 = 0xfff, the top of segment 7: no overflow case.
  let segment = 0;
  for (let limit = 0x1f; pcm > limit; limit = (limit << 1) | 1) segment++;
  const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ mask;
}

/** Decodes one A-law byte to a signed 16-bit linear sample. */
export function alawToLinear(code: number): number {
  const a = (code & 0xff) ^ 0x55;
  const segment = (a & 0x70) >> 4;
  const mantissa = (a & 0x0f) << 4;
  const magnitude = segment === 0 ? mantissa + 8 : (mantissa + 0x108) << (segment - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

export function encodeAlaw(samples: ArrayLike<number>): Buffer {
  return Buffer.from(Array.from(samples, (sample) => linearToAlaw(sample)));
}

export function decodeAlaw(alaw: Buffer): Int16Array {
  return Int16Array.from(alaw, (code) => alawToLinear(code));
}
