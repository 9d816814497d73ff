/**
 * Builds the hook environ from a Node request (SPEC §2): CGI keys, every header as
 * `HTTP_*` except credentials headers, `Proxy` (httpoxy) and names holding characters other
 * than letters, digits and `-`. Built once per request, frozen.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Environ } from '../types.js';
import { VERSION } from '../version.js';

/** The parts of a Node `IncomingMessage` the environ is built from. */
export interface RequestLike {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly socket: {
    readonly remoteAddress?: string | undefined;
    readonly remotePort?: number | undefined;
    readonly localPort?: number | undefined;
    readonly encrypted?: boolean | undefined;
  };
}

/** What the front knows that the request does not say (mount, configured server name, proxy facts). */
export interface EnvironOptions {
  /** Configured server name (ServerName); else the Host header's host. */
  readonly serverName?: string | undefined;
  readonly serverPort?: number | undefined;
  /** The mount prefix (SCRIPT_NAME); the rest of the path is PATH_INFO. */
  readonly scriptName?: string | undefined;
  /** Override of the request target (a forward-auth front passes the original URI). */
  readonly requestUri?: string | undefined;
  readonly method?: string | undefined;
  /** Client address, when a trusted proxy told it. */
  readonly remoteAddr?: string | undefined;
  readonly https?: boolean | undefined;
  readonly applicationGroup?: string | undefined;
  readonly processGroup?: string | undefined;
  /** Extra keys (e.g. `authhook.queue_start`). */
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// Credentials headers never reach hooks (mod_wsgi); `Proxy` never becomes HTTP_PROXY, which
// HTTP clients read as their proxy setting (httpoxy, CVE-2016-5387): httpd leaves it out too.
const SKIPPED = new Set(['authorization', 'proxy-authorization', 'proxy']);
// Header name → environ key (null: left out). Names repeat across requests, so each is worked
// out once; the map is bounded so hostile names cannot grow it without end.
const KEYS = new Map<string, string | null>();
const MAX_KEYS = 2048;

/** The environ key of a header name (`HTTP_X_FOO`, `CONTENT_TYPE`), or `null` for one the environ leaves out. */
export function environKey(name: string): string | null {
  let key = KEYS.get(name);
  if (key !== undefined) return key;
  const lower = name.toLowerCase();
  if (SKIPPED.has(lower) || !HEADER_NAME.test(name)) key = null;
  else if (lower === 'content-type') key = 'CONTENT_TYPE';
  else if (lower === 'content-length') key = 'CONTENT_LENGTH';
  else key = 'HTTP_' + name.toUpperCase().replace(/-/g, '_');
  if (KEYS.size < MAX_KEYS) KEYS.set(name, key);
  return key;
}

/** Attributes as environ variables: `<prefix><NAME>`, the name upper-cased with `-` as `_` (mod_authnz_ldap's AUTHENTICATE_ and AUTHORIZE_). */
export function prefixedVariables(prefix: string, attributes: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attributes)) out[prefix + k.toUpperCase().replace(/-/g, '_')] = v;
  return out;
}

/** Decodes a percent-encoded path for PATH_INFO/SCRIPT_NAME; leaves bad escapes as they are. */
function decodePathLoose(path: string): string {
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

// Clients send the same Host header request after request: remember the last one worked out.
let lastHostHeader = '';
let lastHost = 'localhost';

function hostOf(hostHeader: string | undefined): string {
  if (hostHeader === undefined || hostHeader === '') return 'localhost';
  if (hostHeader === lastHostHeader) return lastHost;
  const end = hostHeader.startsWith('[') ? hostHeader.indexOf(']') + 1 : hostHeader.indexOf(':');
  const h = (end <= 0 ? hostHeader : hostHeader.slice(0, end)).toLowerCase();
  lastHostHeader = hostHeader;
  lastHost = h;
  return h;
}

/** Builds the frozen environ for a request. */
export function buildEnviron(req: RequestLike, options: EnvironOptions = {}): Environ {
  const uri = options.requestUri ?? req.url ?? '/';
  const q = uri.indexOf('?');
  const path = decodePathLoose(q === -1 ? uri : uri.slice(0, q));
  const scriptName = options.scriptName ?? '';
  const inMount = scriptName !== '' && path.startsWith(scriptName);
  const socket = req.socket;
  // The CGI keys in one literal: one allocation of a fixed shape, the headers added after.
  const env: Record<string, string> = {
    REQUEST_METHOD: options.method ?? req.method ?? 'GET',
    REQUEST_URI: uri,
    SCRIPT_NAME: inMount ? scriptName : path,
    PATH_INFO: inMount ? path.slice(scriptName.length) : '',
    QUERY_STRING: q === -1 ? '' : uri.slice(q + 1),
    SERVER_NAME: '',
    SERVER_PORT: portText(options.serverPort ?? socket.localPort),
    SERVER_PROTOCOL: req.httpVersion === '1.1' || req.httpVersion === undefined ? 'HTTP/1.1' : `HTTP/${req.httpVersion}`,
    REMOTE_ADDR: options.remoteAddr ?? socket.remoteAddress ?? '',
    REMOTE_PORT: portText(socket.remotePort),
    'authhook.version': VERSION,
    'authhook.application_group': options.applicationGroup ?? '',
    'authhook.process_group': options.processGroup ?? '',
  };
  if (options.https ?? socket.encrypted === true) env.HTTPS = 'on';
  let host: string | undefined;
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = environKey(raw[i]!);
    if (key === null) continue;
    const value = raw[i + 1]!;
    // Repeated headers merge with ", " as httpd does (the first Host names the server).
    if (env[key] === undefined) {
      env[key] = value;
      if (key === 'HTTP_HOST') host = value;
    } else env[key] = `${env[key]}, ${value}`;
  }
  env.SERVER_NAME = options.serverName ?? hostOf(host);
  if (options.extra !== undefined) Object.assign(env, options.extra);
  return Object.freeze(env);
}

/**
 * The parts of a request its environ is built from, taken now: for an environ built later,
 * when first read, which must still be the request as it came (the app may change the
 * request's target and headers before it reads its environ).
 */
export function requestAsSent(req: RequestLike): RequestLike {
  const s = req.socket;
  return {
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    headers: req.headers,
    rawHeaders: req.rawHeaders.slice(),
    socket: { remoteAddress: s.remoteAddress, remotePort: s.remotePort, localPort: s.localPort, encrypted: s.encrypted },
  };
}

function portText(port: number | undefined): string {
  return port === undefined ? '' : String(port);
}

/** The Authorization header as sent, and how many times it was sent (a repeat is malformed). */
export function readAuthorization(rawHeaders: readonly string[]): { value: string | undefined; count: number } {
  let value: string | undefined;
  let count = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 13 && name.toLowerCase() === 'authorization') {
      count++;
      value ??= rawHeaders[i + 1];
    }
  }
  return { value, count };
}
