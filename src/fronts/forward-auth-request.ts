/**
 * The original request a forward-auth sub-request asks about. From a trusted proxy it comes
 * from the forwarded headers (or, in Envoy's path-prefix mode, from the path itself); from any
 * other peer every forwarded header is ignored and the sub-request itself is what is checked,
 * except that one naming an original URI is refused (403): that peer is a proxy asking about
 * another path, and the sub-request's own path would be the wrong one to check.
 * Headers of one family that disagree are refused: a client must not choose the path that is
 * checked (SPEC §7: Caddy passes a client's own `X-Original-URI` through).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { clientFromForwardedFor, parseClientAddress } from '../environ/trusted-proxy.js';
import type { ScannedHeaders } from './forward-auth-headers.js';
import type { ForwardHeaderNames, ResolvedForwardAuth } from './forward-auth-options.js';

/** What the proxy says the original request was. */
export interface OriginalRequest {
  readonly uri: string;
  readonly method: string;
  /** Host name, lower-case, without port. */
  readonly host: string;
  /** The Host header value the original request had (name and port). */
  readonly hostHeader: string | undefined;
  readonly port: number | undefined;
  readonly https: boolean;
  readonly remoteAddr: string;
  /** Whether the peer is a trusted proxy. */
  readonly trusted: boolean;
  /** An untrusted peer sent forwarded headers (they were ignored). */
  readonly ignoredForwarded: boolean;
  /** A trusted proxy sent no method header: the sub-request's own method was used. */
  readonly methodAssumed: boolean;
}

/** The original request, or why the sub-request is refused. */
export type ReadOriginalResult =
  | { readonly ok: true; readonly original: OriginalRequest }
  | { readonly ok: false; readonly status: 400 | 403 | 404 | 414; readonly reason: string };

const CONFLICT = Symbol('conflict');
type Agreed = string | undefined | typeof CONFLICT;
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A Host header value: a name or a bracketed IPv6 address, and an optional port (`m[1]`, `m[2]`). */
export const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::([0-9]{1,5}))?$/;

type Refusal = Extract<ReadOriginalResult, { ok: false }>;
const refuse = (status: Refusal['status'], reason: string): Refusal => ({ ok: false, status, reason });

const NONE: readonly string[] = Object.freeze([]);

/** The one value every header of a family (and `own`, when given) carries; `CONFLICT` when two differ. */
function agreed(found: ReadonlyMap<string, readonly string[]>, names: readonly string[], own?: string): Agreed {
  let value = own;
  if (found.size === 0) return value;
  for (const name of names) {
    for (const v of found.get(name) ?? NONE) {
      if (value === undefined) value = v;
      else if (v !== value) return CONFLICT;
    }
  }
  return value;
}

/** The client addresses the trusted chain reports, in order (`undefined` for one that is not an address). */
function clientAddresses(found: ReadonlyMap<string, readonly string[]>, names: ForwardHeaderNames, o: ResolvedForwardAuth): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const name of names.forwardedFor) {
    const lines = found.get(name);
    // Repeated X-Forwarded-For lines are one list (RFC 9110 §5.3).
    if (lines !== undefined) out.push(clientFromForwardedFor(lines.join(','), o.isTrusted));
  }
  for (const name of names.realIp) for (const v of found.get(name) ?? NONE) out.push(parseClientAddress(v));
  return out;
}

/** The client address the trusted chain reports; `CONFLICT` when its headers disagree, `null` when one is not an address. */
function forwardedClient(found: ReadonlyMap<string, readonly string[]>, names: ForwardHeaderNames, o: ResolvedForwardAuth): Agreed | null {
  if (found.size === 0) return undefined;
  let client: string | undefined;
  for (const addr of clientAddresses(found, names, o)) {
    if (addr === undefined) return null;
    if (client !== undefined && client !== addr) return CONFLICT;
    client = addr;
  }
  return client;
}

/** The request target under the Envoy path prefix, or `undefined` when it is outside it. */
function underPrefix(url: string, prefix: string): string | undefined {
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  if (rest === '') return '/';
  if (rest.startsWith('?')) return '/' + rest;
  return rest.startsWith('/') ? rest : undefined;
}

type Host = { readonly host: string; readonly port: number | undefined };
const LOCALHOST: Host = Object.freeze({ host: 'localhost', port: undefined });
// Proxies send the same host request after request: remember the last one worked out.
let lastHostValue = '';
let lastHost: Host = LOCALHOST;

function parseHost(value: string | undefined): Host | undefined {
  if (value === undefined || value === '') return LOCALHOST;
  if (value === lastHostValue) return lastHost;
  const m = HOST.exec(value);
  if (m === null) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65535) return undefined;
  lastHostValue = value;
  lastHost = Object.freeze({ host: m[1]!.toLowerCase(), port });
  return lastHost;
}

function isTls(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function untrusted(req: IncomingMessage, scan: ScannedHeaders, uri: string): ReadOriginalResult {
  const h = parseHost(scan.host);
  if (h === undefined) return refuse(400, 'bad-host');
  const original: OriginalRequest = {
    uri,
    method: req.method ?? 'GET',
    host: h.host,
    hostHeader: scan.host,
    port: h.port,
    https: isTls(req),
    remoteAddr: req.socket.remoteAddress ?? '',
    trusted: false,
    ignoredForwarded: scan.ignoredForwarded,
    methodAssumed: false,
  };
  return { ok: true, original };
}

type Part<T> = { readonly ok: true; readonly value: T } | Refusal;
type Found = ReadonlyMap<string, readonly string[]>;
type Target = { readonly uri: string; readonly method: string | undefined };
type Origin = Pick<OriginalRequest, 'hostHeader' | 'host' | 'port' | 'https'> & { readonly client: string | undefined };

/** The original target and method, from the forwarded headers (and the path in prefix mode). */
function target(req: IncomingMessage, o: ResolvedForwardAuth, found: Found, own: string | undefined): Part<Target> {
  const uri = agreed(found, o.names.uri, own);
  if (uri === CONFLICT) return refuse(403, 'conflicting-original-uri');
  if (uri === undefined || uri === '') return refuse(400, 'missing-original-uri');
  if (uri.length > o.maxUriLength) return refuse(414, 'uri-too-long');
  // In prefix mode the sub-request's own method is Envoy's copy of the original one.
  const method = agreed(found, o.names.method, o.pathPrefix === null ? undefined : req.method);
  if (method === CONFLICT) return refuse(403, 'conflicting-original-method');
  if (method !== undefined && !METHOD.test(method)) return refuse(400, 'bad-original-method');
  return { ok: true, value: { uri, method } };
}

/** Host, scheme and client address of the original request, from the forwarded headers. */
function origin(req: IncomingMessage, o: ResolvedForwardAuth, found: Found, host: string | undefined): Part<Origin> {
  const hostValue = agreed(found, o.names.host);
  if (hostValue === CONFLICT) return refuse(403, 'conflicting-forwarded-host');
  const hostHeader = hostValue ?? host;
  const h = parseHost(hostHeader);
  if (h === undefined) return refuse(400, 'bad-forwarded-host');
  const proto = agreed(found, o.names.proto);
  if (proto === CONFLICT) return refuse(403, 'conflicting-forwarded-proto');
  if (proto !== undefined && !/^https?$/i.test(proto)) return refuse(400, 'bad-forwarded-proto');
  const client = forwardedClient(found, o.names, o);
  if (client === CONFLICT) return refuse(403, 'conflicting-client-address');
  if (client === null) return refuse(400, 'bad-client-address');
  const https = proto === undefined ? isTls(req) : proto.toLowerCase() === 'https';
  const port = h.port ?? (proto === undefined ? undefined : https ? 443 : 80);
  return { ok: true, value: { hostHeader, host: h.host, port, https, client } };
}

function trusted(req: IncomingMessage, o: ResolvedForwardAuth, scan: ScannedHeaders, own: string | undefined): ReadOriginalResult {
  const found = scan.forwarded;
  const t = target(req, o, found, own);
  if (!t.ok) return t;
  const p = origin(req, o, found, scan.host);
  if (!p.ok) return p;
  const original: OriginalRequest = {
    uri: t.value.uri,
    method: t.value.method ?? req.method ?? 'GET',
    host: p.value.host,
    hostHeader: p.value.hostHeader,
    port: p.value.port,
    https: p.value.https,
    remoteAddr: p.value.client ?? req.socket.remoteAddress ?? '',
    trusted: true,
    ignoredForwarded: false,
    methodAssumed: t.value.method === undefined && o.pathPrefix === null,
  };
  return { ok: true, original };
}

/** Works out the original request of a sub-request from its scanned headers; `isTrusted`: the peer is a trusted proxy. */
export function readOriginalRequest(req: IncomingMessage, o: ResolvedForwardAuth, scan: ScannedHeaders, isTrusted: boolean): ReadOriginalResult {
  const url = req.url ?? '/';
  let own: string | undefined;
  if (o.pathPrefix !== null) {
    own = underPrefix(url, o.pathPrefix);
    if (own === undefined) return refuse(404, 'outside-path-prefix');
  }
  if (!isTrusted) {
    // A proxy naming the original URI from a peer not on the list (a missing --trusted-proxy, or
    // a client): checking the sub-request's own path instead would grant /admin by the policy of
    // /_auth. Fail closed (Envoy's prefix mode has the original path in the path itself).
    if (scan.ignoredUri && own === undefined) return refuse(403, 'original-uri-from-untrusted-peer');
    const uri = own ?? url;
    return uri.length > o.maxUriLength ? refuse(414, 'uri-too-long') : untrusted(req, scan, uri);
  }
  return trusted(req, o, scan, own);
}
