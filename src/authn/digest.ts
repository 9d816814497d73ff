/**
 * The Digest scheme (RFC 7616), qop=auth with MD5 or SHA-256: hashing, verification,
 * challenges and the `uri` check; the face of `digest-parse.ts`, `nonce.ts` and `nonce-store.ts`.
 * @module
 */
import { createHash } from 'node:crypto';
import type { DigestAlgorithm } from '../config/model.js';
import type { DigestCredentials } from './digest-parse.js';
import { quote } from './quoted-string.js';
import { safeEqual } from './timing-safe.js';

export { parseDigest } from './digest-parse.js';
export type { DigestCredentials } from './digest-parse.js';
export { createNonceService, NONCE_CLOCK_SKEW_MS } from './nonce.js';
export type { NonceCheck, NonceService, NonceServiceOptions } from './nonce.js';
export { createMemoryNonceCountStore, MAX_COUNTS_PER_NONCE } from './nonce-store.js';
export type { MemoryNonceCountStore, MemoryNonceCountStoreOptions, NonceCountStore } from './nonce-store.js';

/** What `digestChallenges` needs to build the `WWW-Authenticate` values. */
export interface DigestChallengeOptions {
  readonly realm: string;
  /** Offered in this order, one challenge each. */
  readonly algorithms: readonly DigestAlgorithm[];
  readonly nonce: string;
  /** `true` when the client's nonce had only expired (RFC 7616 §3.3). */
  readonly stale: boolean;
  readonly opaque?: string;
}

const HASH_NAME: Readonly<Record<DigestAlgorithm, string>> = { MD5: 'md5', 'SHA-256': 'sha256' };
// origin-form is what follows the authority of an absolute-form URI (RFC 9112 §3.2).
const ABSOLUTE_FORM_RE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*([/?].*)$/s;

function hash(algorithm: DigestAlgorithm, data: string, encoding: 'utf8' | 'latin1'): string {
  return createHash(HASH_NAME[algorithm]).update(data, encoding).digest('hex');
}

/**
 * H(user:realm:password) in lower-case hex (RFC 7616 §3.4.2), the text encoded as UTF-8.
 * @example
 * computeHA1('SHA-256', 'Mufasa', 'http-auth@example.org', 'Circle of Life');
 */
export function computeHA1(algorithm: DigestAlgorithm, user: string, realm: string, password: string): string {
  return hash(algorithm, `${user}:${realm}:${password}`, 'utf8');
}

/**
 * The response a client holding `ha1` sends: H(HA1:nonce:nc:cnonce:qop:H(method:uri))
 * (RFC 7616 §3.4.1). `ha1` is used exactly as given.
 */
export function expectedResponse(creds: DigestCredentials, method: string, ha1: string): string {
  // The header arrived one byte per character, so latin1 gives back the bytes the client hashed.
  const ha2 = hash(creds.algorithm, `${method}:${creds.uri}`, 'latin1');
  return hash(creds.algorithm, `${ha1}:${creds.nonce}:${creds.nc}:${creds.cnonce}:${creds.qop}:${ha2}`, 'latin1');
}

/**
 * Whether the client's response matches `ha1`, compared in constant time. As Apache with
 * mod_wsgi, the HA1 is not normalised: an upper-case hex HA1 does not verify.
 */
export function verifyDigestResponse(creds: DigestCredentials, method: string, ha1: string): boolean {
  return safeEqual(creds.response, expectedResponse(creds, method, ha1));
}

/**
 * One `WWW-Authenticate` value per algorithm, in the order given (RFC 7616 §3.3).
 * @example
 * digestChallenges({ realm: 'R', algorithms: ['SHA-256', 'MD5'], nonce, stale: false });
 * // ['Digest realm="R", qop="auth", algorithm=SHA-256, nonce="…"', 'Digest realm="R", qop="auth", algorithm=MD5, nonce="…"']
 */
export function digestChallenges(options: DigestChallengeOptions): string[] {
  const opaque = options.opaque === undefined ? '' : `, opaque=${quote(options.opaque)}`;
  const stale = options.stale ? ', stale=true' : '';
  const tail = `, nonce=${quote(options.nonce)}${opaque}${stale}`;
  const head = `Digest realm=${quote(options.realm)}, qop="auth", algorithm=`;
  return options.algorithms.map((algorithm) => `${head}${algorithm}${tail}`);
}

/**
 * Whether the `uri` of the credentials names the request target (RFC 7616 §3.4.6): equal to
 * the raw request-target (path and query), or an absolute-form URI whose path and query are.
 * Nothing is normalised.
 */
export function digestUriMatches(credsUri: string, requestUri: string): boolean {
  if (credsUri === requestUri) return true;
  const match = ABSOLUTE_FORM_RE.exec(credsUri);
  return match !== null && match[1] === requestUri;
}
