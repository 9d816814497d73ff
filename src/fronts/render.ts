/**
 * Rendering a refusal on a Node response: status, challenge headers, a short text body.
 * @module
 */
import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { describeError } from '../log.js';
import type { Decision, Logger } from '../types.js';

const BODIES: Readonly<Record<number, string>> = Object.freeze({
  400: 'Bad Request\n',
  401: 'Unauthorized\n',
  403: 'Forbidden\n',
  404: 'Not Found\n',
  500: 'Internal Server Error\n',
  503: 'Service Unavailable\n',
});

/** Writes a refusal decision; every refusal is uncacheable. */
export function renderRefusal(res: ServerResponse, decision: Decision): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = decision.status;
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value as string | string[]);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(BODIES[decision.status] ?? '');
}

/** Writes a 500 for a fault that escaped the engine (a bug): fail closed. */
export function renderFault(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(BODIES[500]);
}

/** A fault that escaped the engine: logged, and answered as `renderFault` does (never a grant). */
export function refuseOnFault(res: ServerResponse, logger: Logger, err: unknown): void {
  logger.error('authhook fault; request refused', describeError(err));
  renderFault(res);
}

/**
 * Answers CONNECT with 501 rather than dropping the connection (node:http closes it without
 * a word when nobody listens for 'connect'): authhook's servers tunnel nothing.
 */
export function refuseConnect(server: Server): void {
  server.on('connect', (_req: unknown, socket: Duplex) => {
    socket.end('HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\nConnection: close\r\n\r\nNot Implemented\n');
  });
}
