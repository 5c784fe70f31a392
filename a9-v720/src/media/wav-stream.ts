/**
 * Live camera audio as `audio/wav`. The WAV header must name the camera's format (A-law from
 * cmd 4, or 16-bit PCM from cmd 6), which is known only once audio arrives: the HTTP headers go
 * out at once, the WAV header right before the first samples. A camera that switches format ends
 * the stream (the hub does that, see MediaHub.pushAudio); the listener may reconnect.
 * Same backpressure rule as MJPEG: a slow listener loses the oldest queued audio (bounded to
 * about maxPendingMs), it never delays the hub or other listeners.
 */
import type { Writable } from 'node:stream';
import type { AudioFormat } from '../camera/media-sink.js';
import type { Logger } from '../log.js';
import { startLiveResponse, type LiveEndReason, type LiveResponse } from './live-response.js';
import type { MediaHub } from './media-hub.js';
import { wavHeader } from './wav.js';

export type AudioSource = Pick<MediaHub, 'subscribeAudio'>;
export type WavEndReason = LiveEndReason;

export interface WavStreamOptions {
  readonly logger?: Logger;
  /** Audio kept for a client that is not draining, in ms of the larger format (PCM). Default 500. */
  readonly maxPendingMs?: number;
}

export type WavStream = LiveResponse;

/** 16-bit PCM at 8 kHz; A-law is half of it, so an A-law listener may hold twice the time. */
const PCM_BYTES_PER_MS = 16;

/** Subscribes first (throws CameraUnavailableError if offline), then writes the HTTP headers. */
export function streamWav(out: Writable, hub: AudioSource, cameraId: string, options: WavStreamOptions = {}): WavStream {
  let format: AudioFormat | undefined;
  /** An odd PCM payload leaves half a sample; it goes out with the next packet so samples stay aligned. */
  let carry: Buffer | undefined;
  const toWav = (samples: Buffer, packetFormat: AudioFormat): Buffer => {
    if (format === undefined) {
      format = packetFormat;
      return Buffer.concat([wavHeader(format), aligned(samples)]);
    }
    return aligned(samples);
  };
  const aligned = (samples: Buffer): Buffer => {
    if (format !== 'pcm16') return samples;
    const joined = carry ? Buffer.concat([carry, samples]) : samples;
    const whole = joined.length - (joined.length % 2);
    carry = whole < joined.length ? Buffer.from(joined.subarray(whole)) : undefined;
    return joined.subarray(0, whole);
  };
  return startLiveResponse({
    out,
    // Audio is a byte stream, not frames: keep the newest maxPendingMs, drop the oldest. The first
    // write (WAV header + first samples) goes straight to the socket, so the header is never dropped.
    writer: { maxPendingParts: Number.POSITIVE_INFINITY, maxPendingBytes: (options.maxPendingMs ?? 500) * PCM_BYTES_PER_MS },
    headers: { 'Content-Type': 'audio/wav', 'Cache-Control': 'no-cache, no-store', Connection: 'close' },
    subscribe: (write, onEnd) => hub.subscribeAudio(cameraId, (samples, packetFormat) => write(toWav(samples, packetFormat)), onEnd),
    logger: options.logger,
    describe: `WAV listener of camera ${cameraId}`,
  });
}
