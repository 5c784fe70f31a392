/**
 * The most recent latency samples (ms), for /api/stats and the benchmarks: a fixed ring, so an
 * add-on running for weeks reports how it does now, not how its first hours went, in bounded memory.
 */
export class LatencySamples {
  private readonly ring: Float64Array;
  /** Samples ever added; the ring holds the last min(added, capacity) of them. */
  private added = 0;

  constructor(capacity = 32_768) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`latency sample capacity must be a positive integer, not ${capacity}`);
    this.ring = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.ring[this.added % this.ring.length] = ms;
    this.added++;
  }

  /** Nearest-rank percentile of the samples held (0 when there are none). */
  percentile(p: number): number {
    const held = this.count;
    if (held === 0) return 0;
    // A typed copy sorts numerically without a comparator callback: ~1 ms for a full ring.
    const sorted = this.ring.slice(0, held).sort();
    return sorted[Math.min(held - 1, Math.floor((p / 100) * held))] ?? 0;
  }

  /** How many samples are held (at most the capacity). */
  get count(): number {
    return Math.min(this.added, this.ring.length);
  }
}
