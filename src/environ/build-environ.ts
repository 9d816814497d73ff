/**
 * Builds the hook environ from a Node request (SPEC §2): CGI keys, every header as
 * `HTTP_*` except credentials headers and names holding characters other than letters,
 * digits and `-`. Built once per request, frozen.
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
const SKIPPED = new Set(['authorization', 'proxy-authorization']);
// Header name → environ key (null: left out). Names repeat across requests, so each is worked
// out once; the map is bounded so hostile names cannot grow it without end.
const KEYS = new Map<string, string | null>();
const MAX_KEYS = 2048;

function environKey(name: string): string | null {
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
  const env: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = environKey(raw[i]!);
    if (key === null) continue;
    const value = raw[i + 1]!;
    // Repeated headers merge with ", " as httpd does.
    env[key] = env[key] === undefined ? value : `${env[key]}, ${value}`;
  }
  const uri = options.requestUri ?? req.url ?? '/';
  const q = uri.indexOf('?');
  const rawPath = q === -1 ? uri : uri.slice(0, q);
  const path = decodePathLoose(rawPath);
  const scriptName = options.scriptName ?? '';
  const inMount = scriptName !== '' && path.startsWith(scriptName);
  env.REQUEST_METHOD = options.method ?? req.method ?? 'GET';
  env.REQUEST_URI = uri;
  env.SCRIPT_NAME = inMount ? scriptName : path;
  env.PATH_INFO = inMount ? path.slice(scriptName.length) : '';
  env.QUERY_STRING = q === -1 ? '' : uri.slice(q + 1);
  env.SERVER_NAME = options.serverName ?? hostOf(req.headers.host);
  env.SERVER_PORT = String(options.serverPort ?? req.socket.localPort ?? '');
  env.SERVER_PROTOCOL = `HTTP/${req.httpVersion ?? '1.1'}`;
  env.REMOTE_ADDR = options.remoteAddr ?? req.socket.remoteAddress ?? '';
  env.REMOTE_PORT = String(req.socket.remotePort ?? '');
  if (options.https ?? req.socket.encrypted === true) env.HTTPS = 'on';
  env['authhook.version'] = VERSION;
  env['authhook.application_group'] = options.applicationGroup ?? '';
  env['authhook.process_group'] = options.processGroup ?? '';
  if (options.extra !== undefined) Object.assign(env, options.extra);
  return Object.freeze(env);
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
