/**
 * Where Digest nonce counts are remembered, so a replayed `nc` is refused (RFC 7616 §3.3).
 * @module
 */
import { ConfigError } from '../errors.js';

/** Remembers which nonce counts were used with which nonce. Pluggable (memory now, Redis later). */
export interface NonceCountStore {
  /**
   * Records `nc` as used with `nonce`; resolves `true` only on its first use. The record may be
   * forgotten after `expiresAtMs`, when the nonce itself is no longer accepted.
   */
  markUsed(nonce: string, nc: number, expiresAtMs: number): Promise<boolean>;
}

/** Options of `createMemoryNonceCountStore`. */
export interface MemoryNonceCountStoreOptions {
  /** Clock in milliseconds; `Date.now` by default. */
  readonly now?: () => number;
  /** Most nonces remembered at once; the oldest is evicted beyond that. Default 10 000. */
  readonly maxNonces?: number;
  /** Most counts remembered over all nonces; the oldest nonces are evicted beyond that. Default 1 048 576. */
  readonly maxCounts?: number;
}

/** The in-process `NonceCountStore`, with its current number of nonces for metrics and tests. */
export interface MemoryNonceCountStore extends NonceCountStore {
  readonly size: number;
}

/** Counts remembered per nonce; a client needing more is refused and gets a new nonce. */
export const MAX_COUNTS_PER_NONCE = 4096;
const DEFAULT_MAX_NONCES = 10_000;
const DEFAULT_MAX_COUNTS = 1_048_576;
const SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  readonly expiresAtMs: number;
  readonly counts: Set<number>;
}

function positiveInteger(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError('must be a positive integer', key);
  return value;
}

class MemoryStore implements MemoryNonceCountStore {
  readonly #now: () => number;
  readonly #maxNonces: number;
  readonly #maxCounts: number;
  // Map iteration follows insertion, so the first key is the nonce first used longest ago.
  readonly #entries = new Map<string, Entry>();
  #totalCounts = 0;
  #evictedUpToMs = -Infinity;
  #nextSweepMs = -Infinity;

  constructor(now: () => number, maxNonces: number, maxCounts: number) {
    this.#now = now;
    this.#maxNonces = maxNonces;
    this.#maxCounts = maxCounts;
  }

  get size(): number {
    return this.#entries.size;
  }

  async markUsed(nonce: string, nc: number, expiresAtMs: number): Promise<boolean> {
    const at = this.#now();
    this.#sweep(at);
    if (expiresAtMs < at) return false;
    const entry = this.#entryFor(nonce, expiresAtMs);
    if (entry === undefined || entry.expiresAtMs < at) return false;
    if (entry.counts.has(nc) || entry.counts.size >= MAX_COUNTS_PER_NONCE) return false;
    entry.counts.add(nc);
    this.#totalCounts += 1;
    while (this.#totalCounts > this.#maxCounts) this.#evictOldest();
    return true;
  }

  #entryFor(nonce: string, expiresAtMs: number): Entry | undefined {
    const known = this.#entries.get(nonce);
    if (known !== undefined) return known;
    // Its used counts may have been evicted, so a replay could not be told from a first use.
    if (expiresAtMs <= this.#evictedUpToMs) return undefined;
    while (this.#entries.size >= this.#maxNonces) this.#evictOldest();
    const entry: Entry = { expiresAtMs, counts: new Set() };
    this.#entries.set(nonce, entry);
    return entry;
  }

  #remove(nonce: string, entry: Entry): void {
    this.#entries.delete(nonce);
    this.#totalCounts -= entry.counts.size;
  }

  #evictOldest(): void {
    const oldest = this.#entries.entries().next();
    if (oldest.done === true) return;
    const [nonce, entry] = oldest.value;
    this.#remove(nonce, entry);
    this.#evictedUpToMs = Math.max(this.#evictedUpToMs, entry.expiresAtMs);
  }

  #sweep(at: number): void {
    // Periodic rather than per call, so pruning costs O(1) per call on average.
    if (at < this.#nextSweepMs) return;
    this.#nextSweepMs = at + SWEEP_INTERVAL_MS;
    for (const [nonce, entry] of this.#entries) if (entry.expiresAtMs < at) this.#remove(nonce, entry);
  }
}

/**
 * A size-bounded, in-memory `NonceCountStore`. Expired nonces are pruned; when full, the
 * oldest nonce is evicted, and nonces expiring no later than an evicted one are refused from
 * then on, because their used counts are no longer known.
 * @example
 * const store = createMemoryNonceCountStore({ maxNonces: 50_000 });
 */
export function createMemoryNonceCountStore(options: MemoryNonceCountStoreOptions = {}): MemoryNonceCountStore {
  return new MemoryStore(
    options.now ?? Date.now,
    positiveInteger(options.maxNonces, DEFAULT_MAX_NONCES, 'maxNonces'),
    positiveInteger(options.maxCounts, DEFAULT_MAX_COUNTS, 'maxCounts'),
  );
}
