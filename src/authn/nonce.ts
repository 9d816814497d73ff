/**
 * Stateless Digest nonces (RFC 7616 §3.3, §5.4): each carries its issue time and random bytes,
 * signed with HMAC-SHA256 over those and the realm, so it is checked without storage.
 * @module
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { createMemoryNonceCountStore } from './nonce-store.js';
import type { NonceCountStore } from './nonce-store.js';

/** Options of `createNonceService`. */
export interface NonceServiceOptions {
  /** HMAC key, at least 16 bytes; copied, so later changes to the array have no effect. */
  readonly secret: Uint8Array;
  /** Seconds a nonce stays fresh; after that it is `stale`. */
  readonly lifetimeS: number;
  /** Clock in milliseconds; `Date.now` by default. */
  readonly now?: () => number;
  /** Where used nonce counts are kept; an in-memory store on the same clock by default. */
  readonly store?: NonceCountStore;
}

/** `valid`, `stale` (genuine but expired: re-challenge with `stale=true`) or `invalid`. */
export type NonceCheck = 'valid' | 'stale' | 'invalid';

/** Issues and checks the nonces of one process (or of every process sharing the secret). */
export interface NonceService {
  /** A fresh nonce for `realm`: base64url, safe in a quoted-string unescaped. */
  issue(realm: string): string;
  /** Whether `nonce` was issued with this secret for `realm`, and is still fresh. */
  check(nonce: string, realm: string): NonceCheck;
  /** Records `nc` as used with `nonce`; `false` on a replay, a spent or expired nonce, or a bad count. */
  useCount(nonce: string, nc: number): Promise<boolean>;
}

/** How far in the future an issue time may lie, for clocks of servers sharing the secret. */
export const NONCE_CLOCK_SKEW_MS = 5000;
const MIN_SECRET_BYTES = 16;
const TIME_BYTES = 8;
const RANDOM_BYTES = 16;
const MAC_BYTES = 32;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
const NONCE_RE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((NONCE_BYTES * 4) / 3)}}$`);
const DOMAIN = Buffer.from('authhook digest nonce v1\u0000');
const MAX_NC = 0xffffffff;

function mac(key: KeyObject, body: Uint8Array, realm: string): Buffer {
  // The realm is last and the body fixed-size, so the input is unambiguous; UTF-16LE is injective.
  return createHmac('sha256', key).update(DOMAIN).update(body).update(realm, 'utf16le').digest();
}

/** The nonce's bytes, or `undefined` unless it has the exact, canonical shape of one. */
function decode(nonce: string): Buffer | undefined {
  if (!NONCE_RE.test(nonce)) return undefined;
  const bytes = Buffer.from(nonce, 'base64url');
  // Spare bits in the last character would give one nonce several spellings, each with fresh counts.
  if (bytes.length !== NONCE_BYTES || bytes.toString('base64url') !== nonce) return undefined;
  return bytes;
}

function issuedAtMs(bytes: Buffer): number {
  return Number(bytes.readBigUInt64BE(0));
}

function checkOptions(options: NonceServiceOptions): void {
  if (!(options.secret instanceof Uint8Array) || options.secret.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`must be a Uint8Array of at least ${MIN_SECRET_BYTES} bytes`, 'nonceSecret');
  }
  if (!Number.isFinite(options.lifetimeS) || options.lifetimeS <= 0) {
    throw new ConfigError('must be a positive number of seconds', 'nonceLifetimeS');
  }
}

/**
 * Creates the nonce service for Digest authentication.
 * @example
 * const nonces = createNonceService({ secret: model.global.nonceSecret, lifetimeS: 300 });
 * const nonce = nonces.issue('Staff only');
 */
export function createNonceService(options: NonceServiceOptions): NonceService {
  checkOptions(options);
  const key = createSecretKey(Buffer.from(options.secret));
  const lifetimeMs = options.lifetimeS * 1000;
  const now = options.now ?? Date.now;
  const store = options.store ?? createMemoryNonceCountStore({ now });

  return {
    issue(realm) {
      const body = Buffer.alloc(TIME_BYTES + RANDOM_BYTES);
      body.writeBigUInt64BE(BigInt(Math.trunc(now())), 0);
      randomBytes(RANDOM_BYTES).copy(body, TIME_BYTES);
      return Buffer.concat([body, mac(key, body, realm)]).toString('base64url');
    },
    check(nonce, realm) {
      const bytes = decode(nonce);
      if (bytes === undefined) return 'invalid';
      const body = bytes.subarray(0, TIME_BYTES + RANDOM_BYTES);
      if (!timingSafeEqual(bytes.subarray(TIME_BYTES + RANDOM_BYTES), mac(key, body, realm))) return 'invalid';
      const age = now() - issuedAtMs(bytes);
      if (age < -NONCE_CLOCK_SKEW_MS) return 'invalid';
      return age > lifetimeMs ? 'stale' : 'valid';
    },
    async useCount(nonce, nc) {
      const bytes = decode(nonce);
      if (bytes === undefined || !Number.isInteger(nc) || nc < 1 || nc > MAX_NC) return false;
      return store.markUsed(nonce, nc, issuedAtMs(bytes) + lifetimeMs);
    },
  };
}
