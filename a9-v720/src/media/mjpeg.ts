/**
 * Live MJPEG for browsers and Home Assistant: `multipart/x-mixed-replace`, one JPEG per part.
 * Each viewer has its own LatestWinsWriter, so a slow viewer only skips frames; it never delays
 * the hub or other viewers, and never holds more than ~2 frames in memory.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { startLiveResponse, type LiveEndReason, type LiveResponse } from './live-response.js';
import type { MediaHub } from './media-hub.js';

export const MJPEG_BOUNDARY = 'a9v720-frame';

/** The part of MediaHub an MJPEG stream needs: new frames, and the latest one to start with (tests stand in for it). */
export type MjpegSource = Pick<MediaHub, 'subscribeVideo' | 'latestFrame'>;

export type MjpegEndReason = LiveEndReason;

export interface MjpegStreamOptions {
  readonly boundary?: string;
  readonly logger?: Logger;
  /** Send the hub's latest frame at once if it is at most this old, so the picture appears immediately. Default 2000. */
  readonly initialFrameMaxAgeMs?: number;
  /** Clock matching the hub's `now`. Default Date.now. */
  readonly now?: () => number;
}

/** `close()` ends the stream from the server side (closing boundary, end of response). */
export type MjpegStream = LiveResponse;

export function mjpegContentType(boundary = MJPEG_BOUNDARY): string {
  return `multipart/x-mixed-replace; boundary=${boundary}`;
}

/** One part: boundary line, headers, JPEG, CRLF. One buffer so a part is written (or skipped) whole. */
export function encodeMjpegPart(jpeg: Buffer, boundary = MJPEG_BOUNDARY): Buffer {
  const head = Buffer.from(`--${boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
  return Buffer.concat([head, jpeg, CRLF]);
}

const CRLF = Buffer.from('\r\n');
const CLOSE_MARK = Buffer.from('--');

/**
 * Streams camera `cameraId` to `out` until the client leaves or the camera goes offline.
 * Subscribes before writing anything, so an offline camera throws CameraUnavailableError while
 * the caller can still answer with an error status. With a ServerResponse it writes the headers.
 */
export function streamMjpeg(out: Writable, hub: MjpegSource, cameraId: string, options: MjpegStreamOptions = {}): MjpegStream {
  const boundary = options.boundary ?? MJPEG_BOUNDARY;
  const now = options.now ?? Date.now;
  const latest = hub.latestFrame(cameraId);
  const fresh = latest && now() - latest.at <= (options.initialFrameMaxAgeMs ?? 2000);
  return startLiveResponse({
    out,
    // One pending part: a slow viewer skips to the newest frame instead of queueing old ones.
    writer: { maxPendingParts: 1 },
    headers: {
      'Content-Type': mjpegContentType(boundary),
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Pragma: 'no-cache',
      Connection: 'close',
    },
    subscribe: (write, onEnd) => hub.subscribeVideo(cameraId, (jpeg) => write(encodeMjpegPart(jpeg, boundary)), onEnd),
    preamble: fresh ? encodeMjpegPart(latest.jpeg, boundary) : undefined,
    epilogue: Buffer.from(`--${boundary}--\r\n`),
    logger: options.logger,
    describe: `MJPEG viewer of camera ${cameraId}`,
  });
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
    this.delimiter = Buffer.from(`--${boundary}`);
  }

  /** True after the closing `--boundary--`. */
  get ended(): boolean {
    return this.finished;
  }

  push(chunk: Buffer): Buffer[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const parts: Buffer[] = [];
    for (;;) {
      const part = this.next();
      if (!part) return parts;
      parts.push(part);
    }
  }

  private next(): Buffer | undefined {
    // After the closing boundary the buffer is never consumed again, so nothing more is returned.
    let start = 0;
    while (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a) start++;
    if (this.buffer.length < start + this.delimiter.length + 2) return undefined;
    if (!this.buffer.subarray(start, start + this.delimiter.length).equals(this.delimiter)) {
      throw new Error(`multipart: expected boundary at byte ${start}`);
    }
    const afterDelimiter = start + this.delimiter.length;
    if (this.buffer.subarray(afterDelimiter, afterDelimiter + 2).equals(CLOSE_MARK)) {
      this.finished = true;
      return undefined;
    }
    const headerEnd = this.buffer.indexOf('\r\n\r\n', afterDelimiter, 'ascii');
    if (headerEnd === -1) return undefined;
    const headers = this.buffer.subarray(afterDelimiter, headerEnd).toString('ascii');
    const lengthMatch = /^content-length:\s*(\d+)\s*$/im.exec(headers);
    const bodyStart = headerEnd + 4;
    let bodyEnd: number;
    if (lengthMatch?.[1] !== undefined) {
      bodyEnd = bodyStart + Number.parseInt(lengthMatch[1], 10);
      if (this.buffer.length < bodyEnd) return undefined;
    } else {
      const nextDelimiter = this.buffer.indexOf(Buffer.concat([CRLF, this.delimiter]), bodyStart);
      if (nextDelimiter === -1) return undefined;
      bodyEnd = nextDelimiter;
    }
    const body = Buffer.from(this.buffer.subarray(bodyStart, bodyEnd));
    this.buffer = this.buffer.subarray(bodyEnd);
    return body;
  }
}
