/**
 * MD5-crypt (Poul-Henning Kamp's `$1$`) and Apache's variant with the `$apr1$` magic, as
 * `htpasswd -m` writes it (apr_md5_encode). Pure computation, run in the hash pool.
 * @module
 */
import { createHash } from 'node:crypto';
import { b64From24 } from './crypt64.js';

/** The two magics that select this algorithm. */
export type Md5Magic = '$1$' | '$apr1$';

const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The 22-character checksum of `password` for this magic and salt (at most 8 characters are used). */
export function md5CryptChecksum(password: Buffer, magic: Md5Magic, saltText: string): string {
  const pw = password;
  const salt = Buffer.from(saltText.slice(0, 8), 'utf8');
  const ctx = createHash('md5').update(pw).update(magic).update(salt);
  let final = md5(pw, salt, pw);
  for (let pl = pw.length; pl > 0; pl -= 16) ctx.update(final.subarray(0, Math.min(pl, 16)));
  // The reference implementation's quirk: a zero byte or the password's first byte per bit of the length.
  const zero = Buffer.alloc(1);
  for (let i = pw.length; i > 0; i >>>= 1) ctx.update(i & 1 ? zero : pw.subarray(0, 1));
  final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const c = createHash('md5');
    c.update(i & 1 ? pw : final);
    if (i % 3 !== 0) c.update(salt);
    if (i % 7 !== 0) c.update(pw);
    c.update(i & 1 ? final : pw);
    final = c.digest();
  }
  const f = (i: number): number => final[i]!;
  return (
    b64From24(f(0), f(6), f(12), 4) +
    b64From24(f(1), f(7), f(13), 4) +
    b64From24(f(2), f(8), f(14), 4) +
    b64From24(f(3), f(9), f(15), 4) +
    b64From24(f(4), f(10), f(5), 4) +
    b64From24(0, 0, f(11), 2)
  );
}
