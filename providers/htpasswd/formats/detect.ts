/**
 * Recognising a stored htpasswd hash by its exact shape (apr_password_validate's formats).
 * A value that is none of them is refused, never compared as plain text (PEERS §4.11,
 * http-auth's pass-the-hash): plain text is only an explicit opt-in, as on Windows httpd.
 * @module
 */
import { SHA_CRYPT_DEFAULT_ROUNDS, type ShaCryptAlgorithm } from './sha-crypt.js';
import type { Md5Magic } from './md5-crypt.js';

/** A stored hash whose format was recognised, with what verifying it needs. */
export type ParsedHash =
  | { readonly kind: 'bcrypt'; readonly cost: number; readonly hash: string }
  | { readonly kind: 'md5-crypt'; readonly magic: Md5Magic; readonly salt: string; readonly checksum: string }
  | {
      readonly kind: 'sha-crypt';
      readonly algorithm: ShaCryptAlgorithm;
      readonly rounds: number;
      readonly salt: string;
      readonly checksum: string;
    }
  | { readonly kind: 'des-crypt'; readonly salt: string; readonly hash: string }
  | { readonly kind: 'sha1'; readonly digest: string }
  | { readonly kind: 'plain'; readonly value: string };

/** Why a stored value was not accepted: a known prefix with a broken body, or no known format at all. */
export type HashProblem = 'malformed' | 'unknown-format';

/** Result of `parseHash`. */
export type ParseHashResult = { readonly ok: true; readonly hash: ParsedHash } | { readonly ok: false; readonly problem: HashProblem };

const BCRYPT = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{53})$/;
const MD5 = /^(\$apr1\$|\$1\$)([^$]{1,8})\$([./0-9A-Za-z]{22})$/;
const SHA = /^\$([56])\$(?:rounds=([1-9]\d{0,8})\$)?([^$]{0,16})\$([./0-9A-Za-z]+)$/;
const DES = /^[./0-9A-Za-z]{13}$/;
const SHA1 = /^\{SHA\}([A-Za-z0-9+/]{27}=)$/;
const KNOWN_PREFIX = /^(\$2[abxy]?\$|\$apr1\$|\$1\$|\$5\$|\$6\$|\{SHA\})/;

const ok = (hash: ParsedHash): ParseHashResult => ({ ok: true, hash });
const problem = (p: HashProblem): ParseHashResult => ({ ok: false, problem: p });

function parseSha(m: RegExpExecArray): ParseHashResult {
  const algorithm: ShaCryptAlgorithm = m[1] === '5' ? 'sha256' : 'sha512';
  const checksum = m[4]!;
  if (checksum.length !== (algorithm === 'sha256' ? 43 : 86)) return problem('malformed');
  const rounds = m[2] === undefined ? SHA_CRYPT_DEFAULT_ROUNDS : Number(m[2]);
  return ok({ kind: 'sha-crypt', algorithm, rounds, salt: m[3]!, checksum });
}

/**
 * Recognises one stored hash. `allowPlaintext` makes an unrecognised value a plain-text
 * password (and turns DES crypt off), as httpd does on Windows, NetWare and TPF only.
 */
export function parseHash(stored: string, allowPlaintext = false): ParseHashResult {
  let m = BCRYPT.exec(stored);
  if (m !== null) {
    const cost = Number(m[1]);
    // apr's crypt_blowfish takes costs 04–31; $2y$ and $2a$ are the same algorithm as $2b$ for these.
    if (cost < 4 || cost > 31) return problem('malformed');
    return ok({ kind: 'bcrypt', cost, hash: '$2b$' + stored.slice(4) });
  }
  m = MD5.exec(stored);
  if (m !== null) return ok({ kind: 'md5-crypt', magic: m[1] as Md5Magic, salt: m[2]!, checksum: m[3]! });
  m = SHA.exec(stored);
  if (m !== null) return parseSha(m);
  m = SHA1.exec(stored);
  if (m !== null) return ok({ kind: 'sha1', digest: m[1]! });
  if (KNOWN_PREFIX.test(stored)) return problem('malformed');
  if (allowPlaintext) return ok({ kind: 'plain', value: stored });
  if (DES.test(stored)) return ok({ kind: 'des-crypt', salt: stored.slice(0, 2), hash: stored });
  return problem('unknown-format');
}

/** Whether verifying this kind costs real time (and so runs off the event loop and is worth caching). */
export function isSlowHash(hash: ParsedHash): boolean {
  return hash.kind === 'bcrypt' || hash.kind === 'md5-crypt' || hash.kind === 'sha-crypt';
}

/** A key naming the kind and its cost parameters: entries with the same key take the same time to verify. */
export function costClass(hash: ParsedHash): string {
  if (hash.kind === 'bcrypt') return `bcrypt:${hash.cost}`;
  if (hash.kind === 'sha-crypt') return `${hash.algorithm}:${hash.rounds}`;
  if (hash.kind === 'md5-crypt') return 'md5-crypt';
  return hash.kind;
}

/** A hash of the same kind and cost that no password matches in practice: verified for unknown users so timing does not tell them apart. */
export function dummyLike(hash: ParsedHash): ParsedHash {
  const dots = (n: number): string => '.'.repeat(n);
  switch (hash.kind) {
    case 'bcrypt':
      return { kind: 'bcrypt', cost: hash.cost, hash: `$2b$${String(hash.cost).padStart(2, '0')}$${dots(53)}` };
    case 'md5-crypt':
      return { ...hash, salt: 'dummysal'.slice(0, hash.salt.length), checksum: dots(22) };
    case 'sha-crypt':
      return { ...hash, salt: 'dummysaltdummysa'.slice(0, hash.salt.length), checksum: dots(hash.checksum.length) };
    case 'des-crypt':
      return { kind: 'des-crypt', salt: '..', hash: dots(13) };
    case 'sha1':
      return { kind: 'sha1', digest: 'A'.repeat(27) + '=' };
    case 'plain':
      return { kind: 'plain', value: '\u0000' };
  }
}
