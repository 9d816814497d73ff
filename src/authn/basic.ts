/**
 * The Basic scheme (RFC 7617): strict parsing of credentials and the challenge.
 * @module
 */
import { quote } from './quoted-string.js';
import { decodeUtf8OrLatin1, hasControl } from './text.js';

/** User and password from a Basic `Authorization` header. */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

/** Longest `Authorization` header looked at; longer ones are malformed without being decoded. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

// Scheme, 1*SP, exactly one base64 token, optional trailing whitespace. The classes are
// disjoint, so the match is linear.
const BASIC_RE = /^basic +([A-Za-z0-9+/]+)(={0,2})[ \t]*$/i;
const HIGH_BYTE = /[\u0080-\u00ff]/;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SCHEME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}(?=$| )/;

/**
 * The base64 token's bytes as a binary string (one character per byte), or `undefined` unless
 * it is canonical RFC 4648 §4 base64. `atob` is used because it is several times faster than
 * a Buffer round trip on short tokens; the regex has already admitted only the alphabet.
 */
function decodeToken(body: string, padding: string): string | undefined {
  if (body.length % 4 === 1) return undefined;
  if (padding.length > 0 && (body.length + padding.length) % 4 !== 0) return undefined;
  // Non-zero spare bits in the last character would give several spellings of one
  // credential (RFC 4648 §3.5); checked on that character alone, without re-encoding.
  const rest = body.length % 4;
  if (rest !== 0) {
    const last = B64.indexOf(body[body.length - 1]!);
    if ((rest === 2 && (last & 0x0f) !== 0) || (rest === 3 && (last & 0x03) !== 0)) return undefined;
  }
  return atob(body);
}

/**
 * Parses `Authorization: Basic <base64(user:password)>` (RFC 7617 §2), or `undefined` when the
 * header is absent, another scheme or malformed in any way.
 *
 * Exactly one base64 token must follow the scheme (padding may be left out); the bytes are
 * UTF-8, or Latin-1 when they are not valid UTF-8; the first `:` splits user from password.
 * An empty user, a control character in the user or a NUL in the password is malformed.
 * @example
 * parseBasic('Basic YWxpY2U6c2VjcmV0'); // { user: 'alice', password: 'secret' }
 */
export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;
  const match = BASIC_RE.exec(header);
  if (match === null) return undefined;
  const bytes = decodeToken(match[1] ?? '', match[2] ?? '');
  if (bytes === undefined) return undefined;
  const text = HIGH_BYTE.test(bytes) ? decodeUtf8OrLatin1(Buffer.from(bytes, 'latin1')) : bytes;
  const colon = text.indexOf(':');
  const user = colon === -1 ? text : text.slice(0, colon);
  const password = colon === -1 ? '' : text.slice(colon + 1);
  if (user === '' || hasControl(user) || password.includes('\u0000')) return undefined;
  return { user, password };
}

/**
 * The `WWW-Authenticate` value asking for Basic credentials (RFC 7617 §2, §2.1).
 * @example
 * basicChallenge('Staff only'); // 'Basic realm="Staff only", charset="UTF-8"'
 */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}, charset="UTF-8"`;
}

/**
 * The lower-cased scheme of an `Authorization` header, for logs; `null` when the header is
 * absent, empty or does not start with a token of at most 64 characters.
 */
export function authScheme(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = SCHEME_RE.exec(header);
  return match === null ? null : match[0].toLowerCase();
}
