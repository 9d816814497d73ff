/**
 * The forward-auth server: answers the sub-requests of nginx `auth_request`, Traefik
 * ForwardAuth, Caddy `forward_auth` and Envoy `ext_authz` (HTTP mode) with 200 + identity
 * headers, 401 + the challenge to relay, or 403 (DESIGN: "the standalone auth server").
 * It holds no auth logic: it turns the sub-request into the original request's environ and
 * the engine's decision into a reply.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { buildEnviron, type RequestLike } from '../environ/build-environ.js';
import { compileConfig } from '../config/compile.js';
import { createEngine, type Engine } from '../engine/decide.js';
import { createConsoleLogger, describeError } from '../log.js';
import type { Decision, Environ, Logger } from '../types.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';
import { createHeaderScanner, type ScannedHeaders } from './forward-auth-headers.js';
import { resolveForwardAuthOptions, type ForwardAuthOptions } from './forward-auth-options.js';
import { writeDecision, writeEmpty } from './forward-auth-reply.js';
import { readOriginalRequest, type OriginalRequest } from './forward-auth-request.js';
import { refuseConnect } from './render.js';

export type { ForwardAuthOptions, ForwardHeaderNames, IdentityHeaderNames } from './forward-auth-options.js';

/** The request listener, plus the engine it asks and `close()` to release a config it compiled. */
export interface ForwardAuthHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly engine: Engine;
  close(): void;
}

const NO_HEADERS = Object.freeze({});

/** The environ of the original request: its target, method, host and client; `Host` is the original one. */
function originalEnviron(req: IncomingMessage, original: OriginalRequest, scan: ScannedHeaders): Environ {
  const rawHeaders = scan.environ;
  if (original.hostHeader !== undefined && original.hostHeader !== scan.host) {
    if (scan.hostIndex === -1) rawHeaders.push('Host', original.hostHeader);
    else rawHeaders[scan.hostIndex] = original.hostHeader;
  }
  const view: RequestLike = {
    method: original.method,
    url: original.uri,
    httpVersion: req.httpVersion,
    // req.headers is never read: Node builds it lazily, and the scan has what is needed.
    headers: NO_HEADERS,
    rawHeaders,
    socket: { remoteAddress: original.remoteAddr, remotePort: original.trusted ? undefined : req.socket.remotePort, localPort: req.socket.localPort },
  };
  return buildEnviron(view, {
    requestUri: original.uri,
    method: original.method,
    remoteAddr: original.remoteAddr,
    https: original.https,
    serverName: original.host,
    serverPort: original.port,
  });
}

const MAX_WARNINGS = 64;

/** Logs a misconfiguration once per handler (and peer), not once per request; bounded, as peers are many. */
function warnOnce(logger: Logger): (key: string, message: string, fields: Record<string, unknown>) => void {
  const said = new Set<string>();
  return (key, message, fields) => {
    if (said.has(key) || said.size >= MAX_WARNINGS) return;
    said.add(key);
    logger.warn(message, fields);
  };
}

function engineOf(options: ForwardAuthOptions, logger: Logger): { engine: Engine; close: () => void } {
  if (options.engine !== undefined) return { engine: options.engine, close: () => {} };
  const compiled = compileConfig(options.config!, { ...options.compileOptions, logger });
  return { engine: createEngine(compiled.model, { logger }), close: () => compiled.close() };
}

/**
 * Creates the forward-auth request listener. Config errors throw here, at start-up.
 * @example
 * const handler = createForwardAuthHandler({ engine, trustedProxies: ['127.0.0.1'] });
 * createServer(handler).listen(9091, '127.0.0.1');
 */
export function createForwardAuthHandler(options: ForwardAuthOptions): ForwardAuthHandler {
  const o = resolveForwardAuthOptions(options);
  const logger = options.logger ?? createConsoleLogger();
  const { engine, close } = engineOf(options, logger);
  const warn = warnOnce(logger);
  const scanHeaders = createHeaderScanner(o);
  const handler = function authhookForwardAuth(req: IncomingMessage, res: ServerResponse): void {
    const peer = req.socket.remoteAddress ?? '';
    const isTrusted = o.isTrusted(peer);
    const scan = scanHeaders(req.rawHeaders, isTrusted);
    const r = readOriginalRequest(req, o, scan, isTrusted);
    if (!r.ok) {
      if (r.reason === 'original-uri-from-untrusted-peer') {
        warn(`untrusted:${peer}`, 'a peer that is not a trusted proxy sent an original-URI header: refused (403); list the proxy with --trusted-proxy', { peer });
      }
      logger.info('forward-auth sub-request refused', { reason: r.reason, status: r.status, peer });
      return writeEmpty(res, r.status, []);
    }
    const original = r.original;
    if (original.ignoredForwarded) warn(`untrusted:${peer}`, 'forwarded headers from a peer that is not a trusted proxy were ignored; the sub-request itself was checked', { peer });
    if (original.methodAssumed) warn('method', 'a trusted proxy sent no original-method header; the sub-request method was used', { peer, headers: o.names.method });
    const environ = originalEnviron(req, original, scan);
    let decision: MaybePromise<Decision>;
    try {
      decision = engine.evaluate({ environ, authorization: scan.authorization, authorizationCount: scan.authorizationCount, exportGroups: true, caseInsensitivePath: o.caseInsensitivePaths });
    } catch (err) {
      return refuseOnFault(res, logger, err);
    }
    // Synchronous hooks give the decision now: answered without a promise or a microtask.
    if (isPending(decision)) decision.then((d) => writeDecision(res, d, o, logger)).catch((err: unknown) => refuseOnFault(res, logger, err));
    else writeDecision(res, decision, o, logger);
  } as ForwardAuthHandler;
  Object.defineProperty(handler, 'engine', { value: engine });
  Object.defineProperty(handler, 'close', { value: close });
  return handler;
}

/** A fault in the engine: logged, and an empty 500 (never a grant). */
function refuseOnFault(res: ServerResponse, logger: Logger, err: unknown): void {
  logger.error('authhook fault; request refused', describeError(err));
  writeEmpty(res, 500, []);
}

/**
 * Creates (does not start) a node:http server answering forward-auth sub-requests; closing
 * the server releases what the handler compiled.
 * @example
 * const server = createAuthServer({ config, trustedProxies: ['127.0.0.1'] });
 * server.listen(9091, '127.0.0.1');
 */
export function createAuthServer(options: ForwardAuthOptions): Server {
  const handler = createForwardAuthHandler(options);
  const server = createServer(handler);
  refuseConnect(server);
  // Longer than nginx's upstream keepalive_timeout (60 s), so nginx closes idle connections
  // first and never sends a sub-request on one this side is closing.
  server.keepAliveTimeout = 75_000;
  server.once('close', () => handler.close());
  return server;
}
