/**
 * Strict parsing of Digest credentials (RFC 7616 §3.4), qop=auth only.
 * @module
 */
import type { DigestAlgorithm } from '../config/model.js';
import { parseAuthParams } from './auth-params.js';
import type { AuthParamValue } from './auth-params.js';
import { MAX_AUTHORIZATION_LENGTH } from './basic.js';
import { hasControl, redecodeHeaderText } from './text.js';

/** The fields of a Digest `Authorization` header that authhook uses. */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  /** Lower-case hex, of the algorithm's digest length. */
  readonly response: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: 'auth';
  /** The nonce count as sent: exactly 8 hex digits. */
  readonly nc: string;
  readonly ncValue: number;
  readonly cnonce: string;
  readonly opaque: string | null;
}

const SCHEME_RE = /^digest +/i;
const NC_RE = /^[0-9a-fA-F]{8}$/;
// Lower-case only: RFC 2617 §3.2.2 defines request-digest as LHEX, and the expected value is lower-case.
const RESPONSE_RE: Readonly<Record<DigestAlgorithm, RegExp>> = {
  MD5: /^[0-9a-f]{32}$/,
  'SHA-256': /^[0-9a-f]{64}$/,
};
// RFC 8187 §3.2.1 ext-value with the UTF-8 charset; attr-char and pct-encoded only.
const EXT_VALUE_RE = /^utf-8'[A-Za-z0-9-]*'((?:%[0-9A-Fa-f]{2}|[!#$&+.^_`|~0-9A-Za-z-])*)$/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function algorithmOf(param: AuthParamValue | undefined): DigestAlgorithm | undefined {
  if (param === undefined) return 'MD5';
  const name = param.value.toUpperCase();
  return name === 'MD5' || name === 'SHA-256' ? name : undefined;
}

function decodeExtValue(param: AuthParamValue): string | undefined {
  // RFC 8187 §3.2: an ext-value is a token, never a quoted-string.
  if (param.quoted) return undefined;
  const match = EXT_VALUE_RE.exec(param.value);
  if (match === null) return undefined;
  try {
    return UTF8.decode(Buffer.from(percentDecode(match[1] ?? '')));
  } catch {
    return undefined;
  }
}

function percentDecode(value: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '%') {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(value.charCodeAt(i));
    }
  }
  return bytes;
}

function usernameOf(params: ReadonlyMap<string, AuthParamValue>): string | undefined {
  const plain = params.get('username');
  const extended = params.get('username*');
  if (plain !== undefined && extended !== undefined) return undefined;
  let name: string | undefined;
  if (plain !== undefined) name = redecodeHeaderText(plain.value);
  else if (extended !== undefined) name = decodeExtValue(extended);
  if (name === undefined || name === '' || hasControl(name)) return undefined;
  return name;
}

function userhashRefused(param: AuthParamValue | undefined): boolean {
  return param !== undefined && param.value.toLowerCase() !== 'false';
}

/** The value of a parameter that must be present and non-empty. */
function required(params: ReadonlyMap<string, AuthParamValue>, name: string): string | undefined {
  const value = params.get(name)?.value;
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Parses `Authorization: Digest …` (RFC 7616 §3.4), or `undefined` when the header is absent,
 * another scheme or malformed in any way.
 *
 * Malformed: broken auth-param grammar or quoting, a duplicated parameter, a missing
 * username (or `username*`, RFC 8187), realm, nonce, uri, response, qop, nc or cnonce, a qop
 * other than `auth`, an `nc` that is not 8 hex digits or is zero, an algorithm other than MD5
 * (the default) or SHA-256, `userhash=true`, or a response that is not lower-case hex of the
 * algorithm's length. Unknown parameters are ignored.
 */
export function parseDigest(header: string | undefined): DigestCredentials | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const scheme = SCHEME_RE.exec(header);
  if (scheme === null) return undefined;
  const params = parseAuthParams(header.slice(scheme[0].length));
  if (params === undefined) return undefined;

  const username = usernameOf(params);
  const algorithm = algorithmOf(params.get('algorithm'));
  const realm = params.get('realm')?.value;
  const nonce = required(params, 'nonce');
  const uri = required(params, 'uri');
  const cnonce = required(params, 'cnonce');
  const response = params.get('response')?.value;
  const nc = params.get('nc')?.value;
  if (username === undefined || algorithm === undefined || userhashRefused(params.get('userhash'))) return undefined;
  if (realm === undefined || nonce === undefined || uri === undefined || cnonce === undefined) return undefined;
  if (params.get('qop')?.value !== 'auth') return undefined;
  if (response === undefined || !RESPONSE_RE[algorithm].test(response)) return undefined;
  if (nc === undefined || !NC_RE.test(nc)) return undefined;
  const ncValue = Number.parseInt(nc, 16);
  // RFC 7616 §3.4: the count includes the current request, so it starts at 1.
  if (ncValue === 0) return undefined;

  const opaque = params.get('opaque')?.value ?? null;
  return { username, realm, nonce, uri, response, algorithm, qop: 'auth', nc, ncValue, cnonce, opaque };
}
