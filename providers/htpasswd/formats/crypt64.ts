/**
 * The crypt(3) base-64 alphabet and byte packing shared by MD5-crypt and SHA-crypt, and a
 * constant-time comparison of computed and stored hash text.
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The crypt(3) alphabet: `./0-9A-Za-z`. */
export const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Appends `n` characters encoding the 24-bit value `(b2 << 16) | (b1 << 8) | b0`, low bits first. */
export function b64From24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++) {
    out += CRYPT64[w & 0x3f];
    w >>>= 6;
  }
  return out;
}

/** `n` random characters of the crypt(3) alphabet, for new salts. */
export function randomSalt(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += CRYPT64[b & 0x3f];
  return out;
}

/** Whether the two strings are equal, in time independent of where they differ (both are SHA-256 digested first). */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
