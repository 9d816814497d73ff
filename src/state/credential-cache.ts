/**
 * A credential cache in front of a `check_password` provider (the mod_authn_socache idea).
 * The key is HMAC-SHA256(per-process secret, realm ‖ 0 ‖ user ‖ 0 ‖ password): neither the
 * password nor an unsalted digest of it is ever stored (PEERS §4.9). Entries live `ttlS`
 * (default 300 s, httpd's AuthnCacheTimeout), at most `max` of them (least recently used
 * go first); "wrong password" and "unknown user" are not cached unless `negativeTtlS` > 0.
 * @module
 */
import { createHmac, hash, randomBytes } from 'node:crypto';
import type { CheckPasswordReturn } from '../types.js';

/** Options of `createCredentialCache`. */
export interface CredentialCacheOptions {
  /** Seconds a grant stays cached. Default 300. */
  readonly ttlS?: number;
  /** Most entries kept. Default 10 000. */
  readonly max?: number;
  /** Seconds a refusal (false) or an unknown user (null) stays cached; 0 (the default) caches none. */
  readonly negativeTtlS?: number;
  /** Clock in ms; tests inject one. */
  readonly now?: () => number;
  /** HMAC key; random per process by default. */
  readonly secret?: Uint8Array;
}

/** A bounded, expiring map from credentials to what the provider answered. */
export interface CredentialCache {
  /** The HMAC key of these credentials, or `null` when they are never cached (a NUL in realm or user). */
  keyFor(realm: string, user: string, password: string): string | null;
  /** The cached answer under a key from `keyFor`, or `undefined`. */
  getKey(key: string): CheckPasswordReturn | undefined;
  /** Keeps an answer under a key from `keyFor` (refusals only when negative caching is on). */
  setKey(key: string, value: CheckPasswordReturn): void;
  /** The cached answer, or `undefined` on a miss. */
  get(realm: string, user: string, password: string): CheckPasswordReturn | undefined;
  /** Keeps an answer (refusals only when negative caching is on). */
  set(realm: string, user: string, password: string, value: CheckPasswordReturn): void;
  clear(): void;
  readonly size: number;
}

/** Seconds a grant stays cached by default (httpd's AuthnCacheTimeout default). */
export const DEFAULT_CACHE_TTL_S = 300;
/** Entries kept at most by default. */
export const DEFAULT_CACHE_MAX = 10_000;

interface Entry {
  readonly value: CheckPasswordReturn;
  readonly expires: number;
}

const BLOCK = 64;
const MAX_SCRATCH_MESSAGE = 4096;

/**
 * HMAC-SHA256 (RFC 2104) of `realm ‖ 0 ‖ user ‖ 0 ‖ password`, base64, computed as its two
 * nested SHA-256 one-shot hashes over a reused buffer: `createHmac` builds a stream object
 * per call, which cost more than the whole rest of a cache hit. Longer messages, which no
 * real credential reaches, go through `createHmac`; both give the same key.
 */
export function hmacSha256Base64(secret: Uint8Array): (realm: string, user: string, password: string) => string {
  const key = secret.length > BLOCK ? hash('sha256', secret, 'buffer') : Buffer.from(secret);
  const inner = Buffer.alloc(BLOCK + MAX_SCRATCH_MESSAGE);
  const outer = Buffer.alloc(BLOCK + 32);
  for (let i = 0; i < BLOCK; i++) {
    const k = key[i] ?? 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  return (realm, user, password) => {
    const message = `${realm}\u0000${user}\u0000${password}`;
    if (Buffer.byteLength(message, 'utf8') > MAX_SCRATCH_MESSAGE) return createHmac('sha256', secret).update(message, 'utf8').digest('base64');
    const n = inner.write(message, BLOCK, 'utf8');
    hash('sha256', inner.subarray(0, BLOCK + n), 'buffer').copy(outer, BLOCK);
    // The password's bytes do not stay in the scratch buffer.
    inner.fill(0, BLOCK, BLOCK + n);
    return hash('sha256', outer, 'base64');
  };
}

/** Creates a credential cache. */
export function createCredentialCache(options: CredentialCacheOptions = {}): CredentialCache {
  const ttlMs = (options.ttlS ?? DEFAULT_CACHE_TTL_S) * 1000;
  const negativeMs = (options.negativeTtlS ?? 0) * 1000;
  const max = options.max ?? DEFAULT_CACHE_MAX;
  const now = options.now ?? Date.now;
  const secret = options.secret ?? randomBytes(32);
  // Map order is insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  const keyOf = hmacSha256Base64(secret);
  // With a NUL in realm or user the separators would be ambiguous: such credentials are never cached.
  const keyFor = (realm: string, user: string, password: string): string | null =>
    realm.includes('\u0000') || user.includes('\u0000') ? null : keyOf(realm, user, password);
  const getKey = (key: string): CheckPasswordReturn | undefined => {
    const e = entries.get(key);
    if (e === undefined) return undefined;
    entries.delete(key);
    if (e.expires <= now()) return undefined;
    entries.set(key, e);
    return e.value;
  };
  const setKey = (key: string, value: CheckPasswordReturn): void => {
    const negative = value === false || value === null || value === undefined;
    const life = negative ? negativeMs : ttlMs;
    if (life <= 0 || max <= 0) return;
    entries.delete(key);
    entries.set(key, { value, expires: now() + life });
    while (entries.size > max) entries.delete(entries.keys().next().value!);
  };
  return {
    keyFor,
    getKey,
    setKey,
    get(realm, user, password) {
      const key = keyFor(realm, user, password);
      return key === null ? undefined : getKey(key);
    },
    set(realm, user, password, value) {
      const key = keyFor(realm, user, password);
      if (key !== null) setKey(key, value);
    },
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}
