/**
 * Live camera audio as `audio/wav`: the streaming A-law header, then samples as they arrive.
 * Same backpressure rule as MJPEG: a slow listener loses the oldest queued audio (bounded to
 * maxPendingMs), it never delays the hub or other listeners.
 */
import { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { LatestWinsWriter, type LatestWinsWriterStats } from './latest-wins-writer.js';
import type { MediaHub, StreamEndReason } from './media-hub.js';
import { alawWavHeader } from './wav.js';

export type AudioSource = Pick<MediaHub, 'subscribeAudio'>;
export type WavEndReason = StreamEndReason | 'client-closed';

export interface WavStreamOptions {
  readonly logger?: Logger;
  /** Audio kept for a client that is not draining; 8 bytes = 1 ms at 8 kHz A-law. Default 500. */
  readonly maxPendingMs?: number;
}

export interface WavStream {
  readonly stats: LatestWinsWriterStats;
  readonly done: Promise<WavEndReason>;
  close(): void;
}

const ALAW_BYTES_PER_MS = 8;

/** Subscribes first (throws CameraUnavailableError if offline), then writes headers and the WAV header. */
export function streamWav(out: Writable, hub: AudioSource, cameraId: string, options: WavStreamOptions = {}): WavStream {
  const writer = new LatestWinsWriter(out, {
    maxPendingParts: Number.POSITIVE_INFINITY,
    maxPendingBytes: (options.maxPendingMs ?? 500) * ALAW_BYTES_PER_MS,
  });
  let finished = false;
  let settle: (reason: WavEndReason) => void = () => {};
  const done = new Promise<WavEndReason>((resolve) => (settle = resolve));

  const finish = (reason: WavEndReason): void => {
    if (finished) return;
    finished = true;
    subscription?.unsubscribe();
    writer.close();
    out.off('close', onClientClose);
    out.off('error', onClientClose);
    if (reason !== 'client-closed' && !out.destroyed && !out.writableEnded) out.end();
    options.logger?.debug({ cameraId, reason, ...writer.stats }, `WAV listener of camera ${cameraId} finished (${reason})`);
    settle(reason);
  };
  const onClientClose = (): void => finish('client-closed');

  let subscription: { unsubscribe(): void } | undefined;
  subscription = hub.subscribeAudio(cameraId, (alaw) => writer.write(alaw), (reason) => finish(reason));
  out.on('close', onClientClose);
  out.on('error', onClientClose);

  if (out instanceof ServerResponse && !out.headersSent) {
    out.writeHead(200, { 'Content-Type': 'audio/wav', 'Cache-Control': 'no-cache, no-store', Connection: 'close' });
    out.flushHeaders();
  }
  writer.write(alawWavHeader());

  return {
    get stats() {
      return writer.stats;
    },
    done,
    close: () => finish('hub-closed'),
  };
}
