/**
 * The other end of a hop (a worker thread or a daemon process): turns the gateway's trusted
 * headers back into the request properties an in-process app gets (`req.remoteUser`,
 * `req.authType`, `req.auth`, `req.environ`) and removes them, so an app sees the same
 * request in both modes.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { buildEnviron, requestAsSent } from '../environ/build-environ.js';
import { isIdentityHeader, removeHeaders } from '../environ/strip-identity.js';
import { attachIdentity, type AuthhookRequestFields } from '../fronts/node-request.js';
import type { Decision, Environ } from '../types.js';
import { decodeFacts, FACTS_HEADER, readIdentity, type HopFacts } from './hop.js';

/** Which app, in which application group, a received request is for. */
export interface ReceivedRequest {
  readonly app: string;
  readonly applicationGroup: string;
}

const isHopOnly = (lower: string): boolean => lower === FACTS_HEADER || lower === 'auth-type' || isIdentityHeader(lower);

/** Removes the hop's own headers, so the app sees the request an in-process app would see. */
function dropHopHeaders(req: IncomingMessage): void {
  removeHeaders(req, isHopOnly);
}

/**
 * Reads a hop's facts and identity into the request; `null` when the request did not come
 * from a gateway (no or malformed facts header), which the caller refuses.
 */
export function receiveHop(req: IncomingMessage & AuthhookRequestFields, decoded?: HopFacts): ReceivedRequest | null {
  const facts = decoded ?? decodeFacts(req.headers[FACTS_HEADER]);
  if (facts === null) return null;
  const identity = readIdentity(req.headers);
  dropHopHeaders(req);
  // Built if the app reads it: from the hop request as it came, with the gateway's CGI keys over it.
  const asSent = requestAsSent(req);
  const environ = (): Environ => Object.freeze({ ...buildEnviron(asSent), ...facts.cgi });
  const decision: Decision = {
    status: 200,
    headers: {},
    user: identity.user,
    groups: identity.groups,
    attributes: facts.attributes,
    authType: identity.authType,
    reason: 'gateway',
  };
  attachIdentity(req, decision, environ);
  (req as { originalUrl?: string }).originalUrl = facts.cgi.REQUEST_URI ?? req.url;
  return { app: facts.app, applicationGroup: facts.cgi['authhook.application_group'] ?? '' };
}
