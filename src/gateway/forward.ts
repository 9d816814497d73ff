/**
 * Proxying one granted request to an app in a worker thread or a daemon process: request
 * and response bodies stream, hop-by-hop and client-sent identity headers stay behind, the
 * gateway's trusted headers go along.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision } from '../types.js';
import { exchange, type HopPool } from './hop-client.js';
import { FACTS_HEADER, HOP_BY_HOP, HOP_OWNED, identityHeaders, REQUEST_START_HEADER } from './hop.js';

/** How a forwarded request ended, for the group's bookkeeping. */
export type ForwardOutcome = 'ok' | 'upstream-error' | 'timeout' | 'client-abort';

/** One request to forward. */
export interface ForwardJob {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request target the app sees (PATH_INFO and query). */
  readonly url: string;
  /** The headers to send, as a flat raw list (`gatewayHeaders` or `relayHeaders`). */
  readonly headers: readonly string[];
}

/** What the gateway adds to a granted request it forwards. */
export interface GatewayHop {
  /** `encodeFacts(…)` of the request. */
  readonly facts: string;
  readonly decision: Decision;
  /** Accept time, 16 digits of µs. */
  readonly queueStart: string;
  /** `pass-authorization=On`: the app may see the Authorization header. */
  readonly passAuthorization: boolean;
}

/** Where to send it. */
export interface ForwardTarget {
  readonly pool: HopPool;
  /** Milliseconds before the request is answered 500 (`request-timeout`); 0 for none. */
  readonly timeoutMs: number;
}

/** The client's headers minus hop-by-hop and gateway-owned ones, plus the gateway's trusted headers. */
export function gatewayHeaders(req: IncomingMessage, hop: GatewayHop): string[] {
  const raw = req.rawHeaders;
  // The gateway's own headers first: however many the client sent, they are never the ones a
  // header limit at the other end drops.
  const out: string[] = [REQUEST_START_HEADER, `t=${hop.queueStart}`, FACTS_HEADER, hop.facts, ...identityHeaders(hop.decision)];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || HOP_OWNED.has(lower) || lower === 'content-length') continue;
    if (lower === 'authorization' && !hop.passAuthorization) continue;
    // For a proxy, which authhook is not: never an app's.
    if (lower === 'proxy-authorization') continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  withLength(req, out);
  return out;
}

/** A hop's headers passed on unchanged (a daemon process relaying to its own worker thread). */
export function relayHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && lower !== 'content-length') out.push(raw[i]!, raw[i + 1]!);
  }
  withLength(req, out);
  return out;
}

/** The body's length, once (node:http has already refused a request with conflicting ones). */
function withLength(req: IncomingMessage, out: string[]): void {
  const cl = req.headers['content-length'];
  if (cl !== undefined && req.headers['transfer-encoding'] === undefined) out.push('Content-Length', cl);
}

function answer(res: ServerResponse, status: 500 | 502): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(status === 502 ? 'Bad Gateway\n' : 'Internal Server Error\n');
}

/** Forwards the request; `done` is called exactly once, when the exchange is over. */
export function forward(job: ForwardJob, target: ForwardTarget, done: (outcome: ForwardOutcome) => void): void {
  const { res } = job;
  let settled = false;
  let timer: NodeJS.Timeout | null = null;
  const finish = (outcome: ForwardOutcome): void => {
    if (settled) return;
    settled = true;
    if (timer !== null) clearTimeout(timer);
    done(outcome);
  };
  const abort = exchange(target.pool, {
    ...job,
    settle(ok) {
      if (!ok && !settled) answer(res, 502);
      finish(ok ? 'ok' : 'upstream-error');
    },
  });
  res.once('close', () => {
    if (settled || res.writableFinished) return;
    abort();
    finish('client-abort');
  });
  if (target.timeoutMs > 0) {
    timer = setTimeout(() => {
      if (settled) return;
      finish('timeout');
      abort();
      answer(res, 500);
    }, target.timeoutMs);
  }
}
