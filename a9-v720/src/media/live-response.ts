/**
 * The lifecycle every live media response shares (MJPEG, WAV): subscribe first (so an offline
 * camera throws before anything is written), write headers, then pass data through a
 * LatestWinsWriter until the client leaves or the hub ends the subscription.
 */
import { ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { LatestWinsWriter, type LatestWinsWriterOptions, type LatestWinsWriterStats } from './latest-wins-writer.js';
import type { MediaSubscription, StreamEndReason } from './media-hub.js';

export type LiveEndReason = StreamEndReason | 'client-closed';

export interface LiveResponse {
  readonly stats: LatestWinsWriterStats;
  /** Resolves once the response is over, with why. */
  readonly done: Promise<LiveEndReason>;
  /** Ends the response from the server side. */
  close(): void;
}

export interface LiveResponseSpec {
  readonly out: Writable;
  readonly writer: LatestWinsWriterOptions;
  readonly headers: OutgoingHttpHeaders;
  /** Subscribes to the hub, delivering through `write`; throws if the camera is offline. */
  subscribe(write: (chunk: Buffer) => void, onEnd: (reason: StreamEndReason) => void): MediaSubscription;
  /** Written right after the headers (WAV header, the latest frame). */
  readonly preamble?: Buffer;
  /** Written before ending when the server ends the response (closing multipart boundary). */
  readonly epilogue?: Buffer;
  readonly logger?: Logger;
  /** For the debug line at the end, e.g. "MJPEG viewer of camera X". */
  readonly describe: string;
}

export function startLiveResponse(spec: LiveResponseSpec): LiveResponse {
  const { out } = spec;
  const writer = new LatestWinsWriter(out, spec.writer);
  let finished = false;
  let settle: (reason: LiveEndReason) => void = () => {};
  const done = new Promise<LiveEndReason>((resolve) => (settle = resolve));
  let subscription: MediaSubscription | undefined;

  const finish = (reason: LiveEndReason): void => {
    if (finished) return;
    finished = true;
    subscription?.unsubscribe();
    writer.close();
    out.off('close', onClientClose);
    out.off('error', onClientClose);
    if (reason !== 'client-closed' && !out.destroyed && !out.writableEnded) out.end(spec.epilogue);
    spec.logger?.debug({ reason, ...writer.stats }, `${spec.describe} finished (${reason})`);
    settle(reason);
  };
  const onClientClose = (): void => finish('client-closed');

  subscription = spec.subscribe(
    (chunk) => writer.write(chunk),
    (reason) => finish(reason),
  );
  out.on('close', onClientClose);
  // A reset client may emit 'error' on the response; it is the same as leaving.
  out.on('error', onClientClose);
  if (out instanceof ServerResponse && !out.headersSent) {
    out.writeHead(200, spec.headers);
    // Send the headers now: the first data may be seconds away while the camera starts.
    out.flushHeaders();
  }
  if (spec.preamble) writer.write(spec.preamble);

  return {
    get stats() {
      return writer.stats;
    },
    done,
    close: () => finish('hub-closed'),
  };
}
