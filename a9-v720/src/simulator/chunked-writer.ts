/**
 * Writes to a TCP socket the way a flaky network delivers bytes: split at random byte
 * boundaries, or several packets coalesced into one write. Exercises the server's framing.
 */
import type net from 'node:net';

export type WriteMode = 'whole' | 'split' | 'coalesce' | 'random';

export class ChunkedWriter {
  private queue: Buffer[] = [];
  private flushing = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly mode: WriteMode,
    private readonly random: () => number = Math.random,
  ) {}

  write(packet: Buffer): void {
    if (this.mode === 'whole') {
      if (this.socket.writable) this.socket.write(packet);
      return;
    }
    this.queue.push(packet);
    if (!this.flushing) {
      this.flushing = true;
      // Let packets written in the same tick pile up, so 'coalesce' has something to merge.
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    const data = Buffer.concat(this.queue);
    this.queue = [];
    const pieces: Buffer[] = [];
    if (this.mode === 'coalesce') {
      pieces.push(data);
    } else {
      let offset = 0;
      while (offset < data.length) {
        const max = this.mode === 'split' ? 7 : 40;
        const size = 1 + Math.floor(this.random() * max);
        pieces.push(data.subarray(offset, offset + size));
        offset += size;
      }
    }
    const writeNext = (): void => {
      const piece = pieces.shift();
      if (!piece) {
        this.flushing = false;
        if (this.queue.length > 0) {
          this.flushing = true;
          setImmediate(() => this.flush());
        }
        return;
      }
      if (this.socket.writable) this.socket.write(piece);
      // A short pause between pieces keeps the kernel from merging them back together.
      setTimeout(writeNext, 1);
    };
    writeNext();
  }
}
