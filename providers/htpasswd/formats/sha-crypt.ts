/**
 * SHA-256-crypt (`$5$`) and SHA-512-crypt (`$6$`), Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512" (the glibc algorithm `htpasswd -2`/`-5` and `openssl passwd -5`/`-6`
 * write). Pure computation, run in the hash pool.
 * @module
 */
import { createHash } from 'node:crypto';
import { b64From24 } from './crypt64.js';

/** Which digest: `$5$` is SHA-256, `$6$` is SHA-512. */
export type ShaCryptAlgorithm = 'sha256' | 'sha512';

/** The least `rounds=` the spec allows; fewer are clamped up, as glibc does. */
export const SHA_CRYPT_MIN_ROUNDS = 1000;
/** The most `rounds=` the spec allows; more are clamped down. */
export const SHA_CRYPT_MAX_ROUNDS = 999_999_999;
/** The rounds when the hash names none. */
export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;

/** `source` repeated to exactly `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

function initial(alg: ShaCryptAlgorithm, key: Buffer, salt: Buffer): Buffer {
  const b = createHash(alg).update(key).update(salt).update(key).digest();
  const a = createHash(alg).update(key).update(salt);
  a.update(stretch(b, key.length));
  for (let n = key.length; n > 0; n >>>= 1) a.update(n & 1 ? b : key);
  return a.digest();
}

function permuted(alg: ShaCryptAlgorithm, c: Buffer): string {
  let out = '';
  if (alg === 'sha512') {
    for (let k = 0; k < 21; k++) {
      const t = [c[k]!, c[k + 21]!, c[k + 42]!];
      const r = k % 3;
      out += b64From24(t[r]!, t[(r + 1) % 3]!, t[(r + 2) % 3]!, 4);
    }
    return out + b64From24(0, 0, c[63]!, 2);
  }
  for (let k = 0; k < 10; k++) {
    const t = [c[k]!, c[k + 10]!, c[k + 20]!];
    const r = (3 - (k % 3)) % 3;
    out += b64From24(t[r]!, t[(r + 1) % 3]!, t[(r + 2) % 3]!, 4);
  }
  return out + b64From24(0, c[31]!, c[30]!, 3);
}

/** The checksum (43 or 86 characters) of `key` for this salt (at most 16 bytes used) and round count. */
export function shaCryptChecksum(alg: ShaCryptAlgorithm, key: Buffer, saltText: string, rounds: number): string {
  const salt = Buffer.from(saltText, 'utf8').subarray(0, 16);
  const n = Math.min(SHA_CRYPT_MAX_ROUNDS, Math.max(SHA_CRYPT_MIN_ROUNDS, Math.floor(rounds)));
  const a = initial(alg, key, salt);
  const dp = createHash(alg);
  for (let i = 0; i < key.length; i++) dp.update(key);
  const p = stretch(dp.digest(), key.length);
  const ds = createHash(alg);
  for (let i = 0; i < 16 + a[0]!; i++) ds.update(salt);
  const s = stretch(ds.digest(), salt.length);
  let c = a;
  for (let i = 0; i < n; i++) {
    const h = createHash(alg);
    h.update(i & 1 ? p : c);
    if (i % 3 !== 0) h.update(s);
    if (i % 7 !== 0) h.update(p);
    h.update(i & 1 ? c : p);
    c = h.digest();
  }
  return permuted(alg, c);
}
