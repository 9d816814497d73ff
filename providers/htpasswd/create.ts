/**
 * Making new htpasswd hashes, in the exact text Apache's `htpasswd` writes: bcrypt as
 * `$2y$`, `$apr1$`, `{SHA}`, DES crypt, `$5$`/`$6$` (with `rounds=` only when asked).
 * @module
 */
import { randomSalt } from './formats/crypt64.js';
import { SHA_CRYPT_DEFAULT_ROUNDS } from './formats/sha-crypt.js';
import { computeInPool, limitSlowHash } from './hash-pool.js';
import { bcrypt, desCryptOf, sha1Of } from './verify.js';

/** The formats `hashPassword` writes (htpasswd's `-B`, `-m`, `-s`, `-d`, `-2`, `-5`). */
export type HashFormat = 'bcrypt' | 'apr1' | 'sha1' | 'crypt' | 'sha256' | 'sha512';

/** Options of `hashPassword`. */
export interface HashOptions {
  /** bcrypt cost, 4–17 as htpasswd takes it. Default 10. */
  readonly cost?: number;
  /** SHA-crypt rounds; written as `rounds=N$` when given (1000–999999999). */
  readonly rounds?: number;
}

/** The default bcrypt cost: htpasswd's is 5, which modern hardware checks ~1000 times a second. */
export const DEFAULT_BCRYPT_COST = 10;

/** Hashes `password` in `format`. DES crypt uses only the first 8 bytes (as crypt(3) does). */
export async function hashPassword(password: string, format: HashFormat, options: HashOptions = {}): Promise<string> {
  if (password.includes('\u0000')) throw new TypeError('a password may not hold NUL');
  switch (format) {
    case 'bcrypt': {
      const cost = options.cost ?? DEFAULT_BCRYPT_COST;
      if (!Number.isInteger(cost) || cost < 4 || cost > 17) throw new RangeError('bcrypt cost must be 4 to 17');
      return '$2y$' + (await limitSlowHash(() => bcrypt.hash(password, cost))).slice(4);
    }
    case 'apr1': {
      const salt = randomSalt(8);
      const sum = await computeInPool({ kind: 'md5-crypt', password: Buffer.from(password, 'utf8'), magic: '$apr1$', salt });
      return `$apr1$${salt}$${sum}`;
    }
    case 'sha1':
      return '{SHA}' + sha1Of(password);
    case 'crypt':
      return desCryptOf(password, randomSalt(2));
    case 'sha256':
    case 'sha512':
      return shaCrypt(password, format, options.rounds);
  }
}

async function shaCrypt(password: string, algorithm: 'sha256' | 'sha512', rounds: number | undefined): Promise<string> {
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1000 || rounds > 999_999_999)) {
    throw new RangeError('rounds must be 1000 to 999999999');
  }
  const salt = randomSalt(16);
  const sum = await computeInPool({
    kind: 'sha-crypt',
    password: Buffer.from(password, 'utf8'),
    algorithm,
    salt,
    rounds: rounds ?? SHA_CRYPT_DEFAULT_ROUNDS,
  });
  const magic = algorithm === 'sha256' ? '$5$' : '$6$';
  return `${magic}${rounds === undefined ? '' : `rounds=${rounds}$`}${salt}$${sum}`;
}
