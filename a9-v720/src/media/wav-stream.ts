/**
 * Live camera audio as `audio/wav`: the streaming A-law header, then samples as they arrive.
 * Same backpressure rule as MJPEG: a slow listener loses the oldest queued audio (bounded to
 * maxPendingMs), it never delays the hub or other listeners.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { startLiveResponse, type LiveEndReason, type LiveResponse } from './live-response.js';
import type { MediaHub } from './media-hub.js';
import { alawWavHeader } from './wav.js';

export type AudioSource = Pick<MediaHub, 'subscribeAudio'>;
export type WavEndReason = LiveEndReason;

export interface WavStreamOptions {
  readonly logger?: Logger;
  /** Audio kept for a client that is not draining; 8 bytes = 1 ms at 8 kHz A-law. Default 500. */
  readonly maxPendingMs?: number;
}

export type WavStream = LiveResponse;

const ALAW_BYTES_PER_MS = 8;

/** Subscribes first (throws CameraUnavailableError if offline), then writes headers and the WAV header. */
export function streamWav(out: Writable, hub: AudioSource, cameraId: string, options: WavStreamOptions = {}): WavStream {
  return startLiveResponse({
    out,
    // Audio is a byte stream, not frames: keep the newest maxPendingMs, drop the oldest.
    writer: { maxPendingParts: Number.POSITIVE_INFINITY, maxPendingBytes: (options.maxPendingMs ?? 500) * ALAW_BYTES_PER_MS },
    headers: { 'Content-Type': 'audio/wav', 'Cache-Control': 'no-cache, no-store', Connection: 'close' },
    // The header says A-law; PCM chunks (cmd 6) would play as noise under it, so only A-law is written here.
    subscribe: (write, onEnd) =>
      hub.subscribeAudio(
        cameraId,
        (chunk, format) => {
          if (format === 'alaw') write(chunk);
        },
        onEnd,
      ),
    preamble: alawWavHeader(),
    logger: options.logger,
    describe: `WAV listener of camera ${cameraId}`,
  });
}
