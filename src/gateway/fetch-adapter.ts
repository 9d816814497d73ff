/**
 * Serving a `fetch(Request) → Response` handler (Hono, itty, a plain function) as a Node
 * request listener: the request body and the response body stream both ways.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { HOST } from '../fronts/forward-auth-request.js';
import type { AuthhookRequestFields } from '../fronts/node-request.js';
import type { RequestListener } from './load-app.js';

/** What a fetch handler gets besides the request: the facts authhook attached. */
export interface FetchContext {
  readonly environ: AuthhookRequestFields['environ'];
  readonly auth: AuthhookRequestFields['auth'];
  readonly remoteUser: string | undefined;
}

/** A `fetch`-style app: `(request, context) → Response`. */
export type FetchHandler = (request: Request, context: FetchContext) => Response | Promise<Response>;

function requestHeaders(raw: readonly string[]): Headers {
  const h = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // Hop-by-hop headers belong to this connection, not to the app's request.
    if (name.length === 10 && name.toLowerCase() === 'connection') continue;
    h.append(name, raw[i + 1]!);
  }
  return h;
}

function toRequest(req: IncomingMessage & AuthhookRequestFields, signal: AbortSignal): Request {
  const method = req.method ?? 'GET';
  const https = req.environ?.HTTPS === 'on';
  const host = req.headers.host ?? req.environ?.SERVER_NAME ?? 'localhost';
  // A host and port and nothing else: a Host of `gw.example/admin?` would otherwise become the
  // request's path (`new Request('http://gw.example/admin?/public')`) behind the policy's back.
  if (!HOST.test(host)) throw new TypeError('the Host header is no URL authority');
  const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders(req.rawHeaders), signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(`${https ? 'https' : 'http'}://${host}${req.url ?? '/'}`, init);
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText !== '') res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) if (name !== 'set-cookie') res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
  await new Promise<void>((resolve, reject) => {
    body.once('error', reject);
    res.once('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}

function fail(res: ServerResponse, status: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(status === 400 ? 'Bad Request\n' : 'Internal Server Error\n');
}

/** Wraps a fetch handler as a request listener; a throw or rejection is a 500 (passed to `next` when given). */
export function fetchListener(handler: FetchHandler): RequestListener {
  return function authhookFetchApp(req: IncomingMessage & AuthhookRequestFields, res: ServerResponse, next?: (err?: unknown) => void) {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let request: Request;
    try {
      request = toRequest(req, abort.signal);
    } catch {
      // A Host header that is no valid URL authority: the client's mistake.
      fail(res, 400);
      return;
    }
    const context: FetchContext = Object.freeze({ environ: req.environ, auth: req.auth, remoteUser: req.remoteUser });
    Promise.resolve()
      .then(() => handler(request, context))
      .then((response) => {
        if (!(response instanceof Response)) throw new TypeError('the fetch handler did not return a Response');
        return writeResponse(res, response);
      })
      .catch((err: unknown) => {
        if (next !== undefined && !res.headersSent) next(err);
        else fail(res, 500);
      });
  };
}
