/**
 * What a home Wi-Fi does to the camera's UDP datagrams, decided per burst (one frame's fragments
 * with the audio packets between them, or one batch of resends). Pure: the caller sends `now` at
 * once and each `later` entry after its delay; randomness comes from a seeded PRNG.
 */
import type { Random } from './seeded-random.js';

export interface ImpairmentOptions {
  /** Probability that a datagram is lost. */
  readonly loss?: number;
  /** Probability that a datagram is sent twice (the copy right after the original). */
  readonly duplicate?: number;
  /** Probability that a datagram swaps places with its next neighbour in the burst. */
  readonly swap?: number;
  /** Probability that a datagram is held back and sent `delayMs` later, after the rest of the burst. */
  readonly delay?: number;
  /** Delay of a held-back datagram, ms (uniform in [delayMs/2, delayMs]). Default 30. */
  readonly delayMs?: number;
}

export interface ImpairmentCounters {
  offered: number;
  lost: number;
  duplicated: number;
  swapped: number;
  delayed: number;
}

export interface ImpairedBurst<T> {
  /** To send now, in this order. */
  readonly now: T[];
  /** To send after `afterMs`. */
  readonly later: { readonly item: T; readonly afterMs: number }[];
}

export function newImpairmentCounters(): ImpairmentCounters {
  return { offered: 0, lost: 0, duplicated: 0, swapped: 0, delayed: 0 };
}

/** True when the options change anything at all (the ideal camera skips the PRNG entirely). */
export function isImpaired(options: ImpairmentOptions): boolean {
  return (options.loss ?? 0) > 0 || (options.duplicate ?? 0) > 0 || (options.swap ?? 0) > 0 || (options.delay ?? 0) > 0;
}

/**
 * Applies loss, duplication, neighbour swaps and delays to one burst. Every datagram of the
 * burst is decided independently, so over many bursts the rates converge to the options.
 */
export function impairBurst<T>(
  items: readonly T[],
  options: ImpairmentOptions,
  random: Random,
  counters: ImpairmentCounters,
): ImpairedBurst<T> {
  const loss = options.loss ?? 0;
  const duplicate = options.duplicate ?? 0;
  const swap = options.swap ?? 0;
  const delay = options.delay ?? 0;
  const delayMs = options.delayMs ?? 30;
  const kept: T[] = [];
  const later: { item: T; afterMs: number }[] = [];
  for (const item of items) {
    counters.offered++;
    if (loss > 0 && random() < loss) {
      counters.lost++;
      continue;
    }
    if (delay > 0 && random() < delay) {
      counters.delayed++;
      later.push({ item, afterMs: delayMs / 2 + (random() * delayMs) / 2 });
      continue;
    }
    kept.push(item);
    if (duplicate > 0 && random() < duplicate) {
      counters.duplicated++;
      kept.push(item);
    }
  }
  if (swap > 0) {
    for (let i = 0; i + 1 < kept.length; i++) {
      if (random() < swap) {
        counters.swapped++;
        [kept[i], kept[i + 1]] = [kept[i + 1] as T, kept[i] as T];
        i++; // a swapped pair stays a pair: the moved item is not swapped again
      }
    }
  }
  return { now: kept, later };
}
