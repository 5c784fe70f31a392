/**
 * Live MJPEG for browsers and Home Assistant: `multipart/x-mixed-replace`, one JPEG per part.
 * Each viewer has its own LatestWinsWriter, so a slow viewer only skips frames; it never delays
 * the hub or other viewers, and never holds more than ~2 frames in memory.
 */
import { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { LatestWinsWriter, type LatestWinsWriterStats } from './latest-wins-writer.js';
import type { MediaHub, StreamEndReason } from './media-hub.js';

export const MJPEG_BOUNDARY = 'a9v720-frame';

/** The part of MediaHub a video stream needs (lets tests and other sources stand in). */
export type VideoSource = Pick<MediaHub, 'subscribeVideo' | 'latestFrame'>;

export type MjpegEndReason = StreamEndReason | 'client-closed';

export interface MjpegStreamOptions {
  readonly boundary?: string;
  readonly logger?: Logger;
  /** Send the hub's latest frame at once if it is at most this old, so the picture appears immediately. Default 2000. */
  readonly initialFrameMaxAgeMs?: number;
  /** Clock matching the hub's `now`. Default Date.now. */
  readonly now?: () => number;
}

export interface MjpegStream {
  readonly stats: LatestWinsWriterStats;
  /** Resolves once the stream is over, with why. */
  readonly done: Promise<MjpegEndReason>;
  /** Ends the stream from the server side (closing boundary, end of response). */
  close(): void;
}

export function mjpegContentType(boundary = MJPEG_BOUNDARY): string {
  return `multipart/x-mixed-replace; boundary=${boundary}`;
}

/** One part: boundary line, headers, JPEG, CRLF. One buffer so a part is written (or skipped) whole. */
export function encodeMjpegPart(jpeg: Buffer, boundary = MJPEG_BOUNDARY): Buffer {
  const head = Buffer.from(`--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`, 'ascii');
  return Buffer.concat([head, jpeg, CRLF]);
}

const CRLF = Buffer.from('\r\n', 'ascii');

/**
 * Streams camera `cameraId` to `out` until the client leaves or the camera goes offline.
 * Subscribes before writing anything, so an offline camera throws CameraUnavailableError while
 * the caller can still answer with an error status. With a ServerResponse it writes the headers.
 */
export function streamMjpeg(out: Writable, hub: VideoSource, cameraId: string, options: MjpegStreamOptions = {}): MjpegStream {
  const boundary = options.boundary ?? MJPEG_BOUNDARY;
  const now = options.now ?? Date.now;
  const writer = new LatestWinsWriter(out, { maxPendingParts: 1 });
  let finished = false;
  let settle: (reason: MjpegEndReason) => void = () => {};
  const done = new Promise<MjpegEndReason>((resolve) => (settle = resolve));

  const finish = (reason: MjpegEndReason): void => {
    if (finished) return;
    finished = true;
    subscription?.unsubscribe();
    writer.close();
    out.off('close', onClientClose);
    out.off('error', onClientClose);
    if (reason !== 'client-closed' && !out.destroyed && !out.writableEnded) {
      out.end(Buffer.from(`--${boundary}--\r\n`, 'ascii'));
    }
    options.logger?.debug({ cameraId, reason, ...writer.stats }, `MJPEG viewer of camera ${cameraId} finished (${reason})`);
    settle(reason);
  };
  const onClientClose = (): void => finish('client-closed');

  let subscription: { unsubscribe(): void } | undefined;
  subscription = hub.subscribeVideo(
    cameraId,
    (jpeg) => writer.write(encodeMjpegPart(jpeg, boundary)),
    (reason) => finish(reason),
  );
  out.on('close', onClientClose);
  // A reset client may emit 'error' on the response; it is the same as leaving.
  out.on('error', onClientClose);

  if (out instanceof ServerResponse && !out.headersSent) {
    out.writeHead(200, {
      'Content-Type': mjpegContentType(boundary),
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      Connection: 'close',
    });
    // Send the headers now: the first frame may be seconds away while the camera starts.
    out.flushHeaders();
  }
  const latest = hub.latestFrame(cameraId);
  if (latest && now() - latest.at <= (options.initialFrameMaxAgeMs ?? 2000)) writer.write(encodeMjpegPart(latest.jpeg, boundary));

  return {
    get stats() {
      return writer.stats;
    },
    done,
    close: () => finish('hub-closed'),
  };
}

export function boundaryFromContentType(contentType: string): string | undefined {
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  return match?.[1]?.trim();
}

/**
 * Parses a multipart/x-mixed-replace body back into its parts, fed in arbitrary chunks. Uses
 * Content-Length when present, else searches the next boundary. For tests and tools.
 */
export class MjpegPartParser {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly delimiter: Buffer;
  private finished = false;

  constructor(boundary: string) {
    this.delimiter = Buffer.from(`--${boundary}`, 'ascii');
  }

  /** True after the closing `--boundary--`. */
  get ended(): boolean {
    return this.finished;
  }

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const parts: Buffer[] = [];
    for (;;) {
      const part = this.next();
      if (!part) return parts;
      parts.push(part);
    }
  }

  private next(): Buffer | undefined {
    if (this.finished) return undefined;
    let start = 0;
    while (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a) start++;
    if (this.buffer.length < start + this.delimiter.length + 2) return undefined;
    if (!this.buffer.subarray(start, start + this.delimiter.length).equals(this.delimiter)) {
      throw new Error(`multipart: expected boundary at byte ${start}`);
    }
    const afterDelimiter = start + this.delimiter.length;
    if (this.buffer[afterDelimiter] === 0x2d && this.buffer[afterDelimiter + 1] === 0x2d) {
      this.finished = true;
      return undefined;
    }
    const headerEnd = this.buffer.indexOf('\r\n\r\n', afterDelimiter, 'ascii');
    if (headerEnd < 0) return undefined;
    const headers = this.buffer.subarray(afterDelimiter, headerEnd).toString('ascii');
    const lengthMatch = /^content-length:\s*(\d+)\s*$/im.exec(headers);
    const bodyStart = headerEnd + 4;
    let bodyEnd: number;
    if (lengthMatch?.[1] !== undefined) {
      bodyEnd = bodyStart + Number.parseInt(lengthMatch[1], 10);
      if (this.buffer.length < bodyEnd) return undefined;
    } else {
      const nextDelimiter = this.buffer.indexOf(Buffer.concat([CRLF, this.delimiter]), bodyStart);
      if (nextDelimiter < 0) return undefined;
      bodyEnd = nextDelimiter;
    }
    const body = Buffer.from(this.buffer.subarray(bodyStart, bodyEnd));
    this.buffer = this.buffer.subarray(bodyEnd);
    return body;
  }
}
