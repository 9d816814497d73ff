/**
 * Checking a password against a recognised stored hash. bcrypt runs in libuv's thread pool
 * (native `bcrypt`), MD5-crypt, SHA-crypt and DES crypt in the worker pool; `{SHA}` is
 * microseconds and stays inline. Every comparison is constant-time.
 * @module
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { constantTimeEqual } from './formats/crypt64.js';
import type { ParsedHash } from './formats/detect.js';
import { computeInPool, limitSlowHash } from './hash-pool.js';

interface NativeBcrypt {
  compare(data: string | Buffer, encrypted: string): Promise<boolean>;
  hash(data: string | Buffer, rounds: number): Promise<string>;
}

const require = createRequire(import.meta.url);
// The package ships no types; these are the two functions used.
/** The native bcrypt binding (its async calls run in libuv's pool). */
export const bcrypt = require('bcrypt') as NativeBcrypt;

/** crypt(3) DES over the password's UTF-8 bytes (as glibc's crypt() sees them), in the hash pool. */
export function desCryptOf(password: string, salt: string): Promise<string> {
  return computeInPool({ kind: 'des-crypt', password: Buffer.from(password, 'utf8'), salt });
}

/** `{SHA}` + base64(SHA-1(password)), as `htpasswd -s` writes. */
export function sha1Of(password: string): string {
  return createHash('sha1').update(password, 'utf8').digest('base64');
}

/**
 * The longest password checked. SHA-crypt and MD5-crypt cost grows with the password's
 * length (a 12 KiB one takes half a second of SHA-512-crypt), and `htpasswd` itself takes
 * at most 255 bytes.
 */
export const MAX_PASSWORD_BYTES = 1024;

/**
 * Whether `password` matches `hash`. A password holding NUL never matches: every C
 * implementation (httpd's included) would stop at the NUL and check a shorter password.
 */
export async function verifyPassword(hash: ParsedHash, password: string): Promise<boolean> {
  if (password.includes('\u0000') || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return false;
  switch (hash.kind) {
    case 'bcrypt':
      return limitSlowHash(() => bcrypt.compare(password, hash.hash));
    case 'md5-crypt': {
      const sum = await computeInPool({ kind: 'md5-crypt', password: Buffer.from(password, 'utf8'), magic: hash.magic, salt: hash.salt });
      return constantTimeEqual(sum, hash.checksum);
    }
    case 'sha-crypt': {
      const job = { kind: 'sha-crypt', password: Buffer.from(password, 'utf8'), algorithm: hash.algorithm, salt: hash.salt, rounds: hash.rounds } as const;
      return constantTimeEqual(await computeInPool(job), hash.checksum);
    }
    case 'des-crypt':
      return constantTimeEqual(await desCryptOf(password, hash.salt), hash.hash);
    case 'sha1':
      return constantTimeEqual(sha1Of(password), hash.digest);
    case 'plain':
      return constantTimeEqual(password, hash.value);
  }
}
