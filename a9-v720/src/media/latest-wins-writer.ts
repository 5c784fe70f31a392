/**
 * Writes live media to one slow-or-fast client without ever buffering without bound and without
 * making anyone else wait: while the client's stream is not drained (write() returned false),
 * new parts are queued and the OLDEST queued parts are dropped beyond the bounds. For video the
 * bound is one part (latest frame wins); for audio a fraction of a second of samples.
 *
 * Memory per client is therefore at most: one part inside the stream's own buffer (the write
 * that returned false) + the queue bound.
 */
import type { Writable } from 'node:stream';

export interface LatestWinsWriterOptions {
  /** Parts kept while waiting for 'drain'. Default 1 (only the newest). */
  readonly maxPendingParts?: number;
  /** Bytes kept while waiting for 'drain'; the newest part is always kept. Default unbounded. */
  readonly maxPendingBytes?: number;
}

export interface LatestWinsWriterStats {
  readonly partsWritten: number;
  readonly partsDropped: number;
  readonly pendingParts: number;
  readonly pendingBytes: number;
}

export class LatestWinsWriter {
  private readonly maxPendingParts: number;
  private readonly maxPendingBytes: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waitingForDrain = false;
  private closed = false;
  private partsWritten = 0;
  private partsDropped = 0;
  private readonly onDrain = (): void => this.drained();

  constructor(
    private readonly out: Writable,
    options: LatestWinsWriterOptions = {},
  ) {
    this.maxPendingParts = Math.max(1, options.maxPendingParts ?? 1);
    this.maxPendingBytes = options.maxPendingBytes ?? Number.POSITIVE_INFINITY;
  }

  get stats(): LatestWinsWriterStats {
    return {
      partsWritten: this.partsWritten,
      partsDropped: this.partsDropped,
      pendingParts: this.pending.length,
      pendingBytes: this.pendingBytes,
    };
  }

  /** Never blocks, never throws on a closed client. */
  write(part: Buffer): void {
    if (this.closed || this.out.destroyed || this.out.writableEnded) return;
    if (!this.waitingForDrain) {
      this.writeNow(part);
      return;
    }
    this.pending.push(part);
    this.pendingBytes += part.length;
    while (this.pending.length > 1 && (this.pending.length > this.maxPendingParts || this.pendingBytes > this.maxPendingBytes)) {
      const dropped = this.pending.shift()!;
      this.pendingBytes -= dropped.length;
      this.partsDropped++;
    }
  }

  /** Stop writing and forget queued parts (client gone or stream ending). */
  close(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.out.off('drain', this.onDrain);
  }

  private writeNow(part: Buffer): void {
    this.partsWritten++;
    if (!this.out.write(part)) {
      this.waitingForDrain = true;
      this.out.once('drain', this.onDrain);
    }
  }

  private drained(): void {
    this.waitingForDrain = false;
    while (!this.closed && !this.waitingForDrain && this.pending.length > 0) {
      const part = this.pending.shift()!;
      this.pendingBytes -= part.length;
      this.writeNow(part);
    }
  }
}
