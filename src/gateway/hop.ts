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

/**
 * The CGI keys every gateway request has, sent by position (the rest, such as SetEnv's and
 * HTTPS, and the attributes, go as JSON in the last field). REQUEST_METHOD, QUERY_STRING and
 * authhook.version are not sent: the other end reads them off the hop request itself.
 */
const FIXED_KEYS = [
  'REQUEST_URI', 'SCRIPT_NAME', 'PATH_INFO', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'REMOTE_ADDR', 'REMOTE_PORT',
  'authhook.application_group', 'authhook.process_group', 'authhook.queue_start',
] as const;
/** Keys that are never in the JSON tail: sent by position, read off the hop request, or headers. */
const NOT_IN_TAIL = new Set<string>([...FIXED_KEYS, 'REQUEST_METHOD', 'QUERY_STRING', 'authhook.version', 'CONTENT_TYPE', 'CONTENT_LENGTH']);
/**
 * The client's hop-by-hop headers, which the hop itself does not carry: the app's environ still
 * shows them as the client sent them, as it does in-process (and as mod_wsgi's daemon mode
 * does). Connection, which most clients send, has a field of its own; the others, rare, go in
 * the tail. Transfer-Encoding is left out: the hop's own, chunked like the client's, stands in.
 */
const CONNECTION_KEY = 'HTTP_CONNECTION';
const HOP_BY_HOP_KEYS = ['HTTP_KEEP_ALIVE', 'HTTP_PROXY_CONNECTION', 'HTTP_TE', 'HTTP_TRAILER', 'HTTP_UPGRADE', 'HTTP_EXPECT'];
/**
 * The HTTP_* keys the tail carries: the hop-by-hop ones, and HTTP_AUTHORIZATION (only in an
 * environ under WSGIPassAuthorization On), which the far side's environ never builds from a header.
 */
const CARRIED_HTTP_KEYS: ReadonlySet<string> = new Set([...HOP_BY_HOP_KEYS, 'HTTP_AUTHORIZATION']);
/** `P,<app>,<fixed values…>,<connection>,<tail>`: every field percent-encoded where it needs to be (see `encodeHeaderValue`). */
const POSITIONAL = 'P';
/** `J,<JSON of HopFacts, percent-encoded>`: for an environ that lacks one of the fixed keys. */
const WHOLE = 'J';
const FIELDS = 2 + FIXED_KEYS.length + 2;
/** The connection field: empty when the client sent no Connection header, else `=` and its value. */
const connectionField = (value: string | undefined): string => (value === undefined ? '' : '=' + value);
/** A character some field would have to encode, besides the separator. */
const UNSAFE_BESIDES_COMMA = /[^\x20-\x24\x26-\x7e]/;

function printableJson(value: unknown): string {
  const json = JSON.stringify(value);
  return NOT_PRINTABLE.test(json) ? json.replace(NOT_PRINTABLE_ALL, escapeChar) : json;
}

function commas(text: string): number {
  let n = 0;
  for (let i = text.indexOf(','); i !== -1; i = text.indexOf(',', i + 1)) n++;
  return n;
}

/**
 * Encodes the facts for the private header: the fixed CGI keys by position, comma-separated
 * (a fraction of the cost of JSON at both ends, on every proxied request), the rest as JSON.
 */
export function encodeFacts(app: string, environ: Environ, attributes: Readonly<Record<string, string>>): string {
  const fields = [
    app, environ.REQUEST_URI, environ.SCRIPT_NAME, environ.PATH_INFO, environ.SERVER_NAME, environ.SERVER_PORT, environ.SERVER_PROTOCOL,
    environ.REMOTE_ADDR, environ.REMOTE_PORT, environ['authhook.application_group'], environ['authhook.process_group'], environ['authhook.queue_start'],
  ];
  if (fields.includes(undefined)) return wholeFacts(app, environ, attributes);
  fields.push(connectionField(environ[CONNECTION_KEY]));
  let rest: Record<string, string> | null = null;
  for (const key in environ) {
    if (key.startsWith('HTTP_') ? CARRIED_HTTP_KEYS.has(key) : !NOT_IN_TAIL.has(key)) (rest ??= {})[key] = environ[key]!;
  }
  let hasAttributes = false;
  for (const _ in attributes) {
    hasAttributes = true;
    break;
  }
  const tail = rest === null && !hasAttributes ? '' : encodeHeaderValue(printableJson({ cgi: rest ?? {}, attributes }));
  const joined = POSITIONAL + ',' + fields.join(',') + ',' + tail;
  // The common case: no field holds a separator, a "%" or a character a header cannot carry.
  if (!UNSAFE_BESIDES_COMMA.test(joined) && commas(joined) === FIELDS - 1) return joined;
  return POSITIONAL + ',' + (fields as string[]).map(encodeHeaderValue).join(',') + ',' + tail;
}

function wholeFacts(app: string, environ: Environ, attributes: Readonly<Record<string, string>>): string {
  const cgi: Record<string, string> = {};
  for (const key in environ) {
    const carried = key === CONNECTION_KEY || CARRIED_HTTP_KEYS.has(key);
    if (carried || (!key.startsWith('HTTP_') && key !== 'CONTENT_TYPE' && key !== 'CONTENT_LENGTH')) cgi[key] = environ[key]!;
  }
  return WHOLE + ',' + encodeHeaderValue(printableJson({ app, cgi, attributes }));
}

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && Object.values(v).every((x) => typeof x === 'string');

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(decodeHeaderValue(text)) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** Decodes the private header; `null` when it is missing or malformed. */
export function decodeFacts(value: string | string[] | undefined): HopFacts | null {
  if (typeof value !== 'string') return null;
  if (value.startsWith(WHOLE + ',')) {
    const v = parseJson(value.slice(2));
    if (v === null || typeof v.app !== 'string' || !isStringRecord(v.cgi) || !isStringRecord(v.attributes)) return null;
    return v as unknown as HopFacts;
  }
  const f = value.split(',');
  if (f.length !== FIELDS || f[0] !== POSITIONAL) return null;
  const d = decodeHeaderValue;
  const cgi: Record<string, string> = {
    REQUEST_URI: d(f[2]!), SCRIPT_NAME: d(f[3]!), PATH_INFO: d(f[4]!), SERVER_NAME: d(f[5]!), SERVER_PORT: d(f[6]!), SERVER_PROTOCOL: d(f[7]!),
    REMOTE_ADDR: d(f[8]!), REMOTE_PORT: d(f[9]!), 'authhook.application_group': d(f[10]!), 'authhook.process_group': d(f[11]!), 'authhook.queue_start': d(f[12]!),
  };
  const connection = f[13]!;
  if (connection !== '') {
    if (connection[0] !== '=') return null;
    cgi[CONNECTION_KEY] = d(connection.slice(1));
  }
  const tail = f[FIELDS - 1]!;
  if (tail === '') return { app: d(f[1]!), cgi, attributes: NO_ATTRIBUTES };
  const more = parseJson(tail);
  if (more === null || !isStringRecord(more.cgi) || !isStringRecord(more.attributes)) return null;
  return { app: d(f[1]!), cgi: Object.assign(cgi, more.cgi), attributes: more.attributes };
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
