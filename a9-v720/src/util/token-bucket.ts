/**
 * Per-source rate limits (token buckets keyed by IP): each key may spend `capacity` at once
 * and earns `refillPerSecond` back. The map of keys is bounded, so a sender rotating through
 * addresses cannot grow it; the least recently used key is forgotten first (it starts full
 * again, which only ever errs towards letting a real camera in).
 */
export interface TokenBucketLimits {
  readonly capacity: number;
  readonly refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limits: TokenBucketLimits,
    private readonly maxKeys = 4096,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one token of `key`; false when its bucket is empty (the caller refuses the event). */
  take(key: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
      bucket.tokens = Math.min(this.limits.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.limits.refillPerSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = { tokens: this.limits.capacity, at: now };
    }
    // Re-inserting keeps the map ordered by last use.
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}
