/**
 * Constant-time string comparison for secrets.
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A per-process key: the digests compared are unpredictable, so nothing is learnt from them.
const KEY = randomBytes(32);

function digest(value: string): Buffer {
  // UTF-16LE is injective on JS strings; UTF-8 maps every lone surrogate to U+FFFD.
  return createHmac('sha256', KEY).update(value, 'utf16le').digest();
}

/**
 * Whether `a` and `b` are equal, in time that depends on neither their contents nor their
 * lengths (both sides are HMAC-SHA256 digested before `crypto.timingSafeEqual`).
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
