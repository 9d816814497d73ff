/**
 * What travels with a request from the gateway to an app in a worker thread or a daemon
 * process: the identity as the conventional trusted headers (`Remote-User`,
 * `Remote-Groups`, `Auth-Type`), the accept time as `X-Request-Start`, and the gateway's own
 * facts (app, CGI keys, attributes) in one private header. Only the gateway can reach the
 * other end (a private socket or port), and it strips every client-sent copy first.
 * @module
 */
import type { AuthType, Decision, Environ } from '../types.js';

/** The private header: `HopFacts` as JSON in printable ASCII. */
export const FACTS_HEADER = 'x-authhook-forwarded';
/** The accept time, `t=<µs since the epoch>`, as APM agents read it. */
export const REQUEST_START_HEADER = 'x-request-start';

/** Request headers the gateway alone sets on a hop (lower-case), besides the identity headers. */
export const HOP_OWNED: ReadonlySet<string> = new Set([FACTS_HEADER, REQUEST_START_HEADER, 'auth-type']);

/** Hop-by-hop headers (RFC 9110 §7.6.1), never passed on by a proxy. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect',
]);

/** The gateway's facts about a request, for the other end. */
export interface HopFacts {
  /** The app module, absolute. */
  readonly app: string;
  /** The environ's own keys (everything but `HTTP_*`, `CONTENT_*`): SCRIPT_NAME, PATH_INFO, REMOTE_ADDR, groups, queue start… */
  readonly cgi: Readonly<Record<string, string>>;
  readonly attributes: Readonly<Record<string, string>>;
}

// JSON with every character outside printable ASCII escaped is a valid header value as it is.
const NOT_PRINTABLE = /[^\x20-\x7e]/;
const NOT_PRINTABLE_ALL = /[^\x20-\x7e]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Encodes the facts for the private header: JSON, in printable ASCII. */
export function encodeFacts(app: string, environ: Environ, attributes: Readonly<Record<string, string>>): string {
  const cgi: Record<string, string> = {};
  for (const key in environ) {
    if (key.startsWith('HTTP_') || key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') continue;
    cgi[key] = environ[key]!;
  }
  const json = JSON.stringify({ app, cgi, attributes });
  return NOT_PRINTABLE.test(json) ? json.replace(NOT_PRINTABLE_ALL, escapeChar) : json;
}

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');

/** Decodes the private header; `null` when it is missing or malformed. */
export function decodeFacts(value: string | string[] | undefined): HopFacts | null {
  if (typeof value !== 'string') return null;
  try {
    const v = JSON.parse(value) as Partial<HopFacts>;
    if (typeof v.app !== 'string' || !isStringRecord(v.cgi) || !isStringRecord(v.attributes)) return null;
    return v as HopFacts;
  } catch {
    return null;
  }
}

// Printable ASCII except "%" (the escape) and "," (the list separator) goes as is.
const UNSAFE = /[^\x20-\x24\x26-\x2b\x2d-\x7e]|^ | $/gu;

/** Percent-encodes what a header value cannot carry exactly (non-ASCII, controls, `%`, `,`, edge spaces). */
export function encodeHeaderValue(value: string): string {
  return value.replace(UNSAFE, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      // A lone surrogate has no UTF-8 form: U+FFFD, as a decoder would show it.
      return '%EF%BF%BD';
    }
  });
}

/** Reverses `encodeHeaderValue`; a value that is not valid percent-encoding is taken as is. */
export function decodeHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The trusted identity headers for a granted decision, as a flat raw-header list. */
export function identityHeaders(decision: Decision): string[] {
  if (decision.user === null) return [];
  const out = ['Remote-User', encodeHeaderValue(decision.user)];
  if (decision.groups.length > 0) out.push('Remote-Groups', decision.groups.map(encodeHeaderValue).join(','));
  if (decision.authType !== null) out.push('Auth-Type', decision.authType);
  return out;
}

/** The identity a hop carries, read back from its trusted headers. */
export interface HopIdentity {
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly authType: AuthType | null;
}

/** Reads the identity headers of a hop. */
export function readIdentity(headers: Readonly<Record<string, string | string[] | undefined>>): HopIdentity {
  const user = headers['remote-user'];
  if (typeof user !== 'string') return { user: null, groups: [], authType: null };
  const groups = headers['remote-groups'];
  const authType = headers['auth-type'];
  return {
    user: decodeHeaderValue(user),
    groups: typeof groups === 'string' && groups !== '' ? groups.split(',').map(decodeHeaderValue) : [],
    authType: authType === 'Basic' || authType === 'Digest' ? authType : null,
  };
}
