/**
 * The shared translation of a Node request into an engine decision, used by the Express
 * middleware and the in-process server.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { buildEnviron, readAuthorization, type EnvironOptions } from '../environ/build-environ.js';
import { stripIdentityHeaders } from '../environ/strip-identity.js';
import type { Engine } from '../engine/decide.js';
import type { Decision, Environ } from '../types.js';

/** What authhook hands to an in-process app (as `req.auth`). */
export interface RequestAuth {
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly authType: 'Basic' | 'Digest' | null;
}

/** The request properties authhook sets before the app runs. */
export interface AuthhookRequestFields {
  remoteUser?: string | undefined;
  authType?: 'Basic' | 'Digest' | undefined;
  auth?: RequestAuth;
  /** The environ, with REMOTE_USER and AUTH_TYPE once known. */
  environ?: Environ;
}

/** Strips identity headers, builds the environ, asks the engine. */
export async function decideNodeRequest(
  engine: Engine,
  req: IncomingMessage,
  options: EnvironOptions,
): Promise<{ decision: Decision; environ: Environ }> {
  stripIdentityHeaders(req);
  const environ = buildEnviron(req, options);
  const { value, count } = readAuthorization(req.rawHeaders);
  const decision = await engine.decide({ environ, authorization: value, authorizationCount: count });
  return { decision, environ };
}

/** Sets `remoteUser`, `authType`, `auth` and `environ` on the request for the app. */
export function attachIdentity(req: IncomingMessage & AuthhookRequestFields, decision: Decision, environ: Environ): void {
  req.auth = Object.freeze({ user: decision.user, groups: decision.groups, attributes: decision.attributes, authType: decision.authType });
  if (decision.user === null) {
    req.environ = environ;
    return;
  }
  req.remoteUser = decision.user;
  req.authType = decision.authType ?? undefined;
  // Most apps never read req.environ: the copy with REMOTE_USER is made on first read only.
  let appEnviron: Environ | undefined;
  Object.defineProperty(req, 'environ', {
    configurable: true,
    enumerable: true,
    get: () => (appEnviron ??= appEnvironFor(decision, environ)),
    set: (value: Environ) => {
      appEnviron = value;
    },
  });
}

/** The app's environ: the hooks' one plus REMOTE_USER, AUTH_TYPE and AUTHENTICATE_<NAME> per attribute. */
function appEnvironFor(decision: Decision, environ: Environ): Environ {
  const out: Record<string, string> = { ...environ, REMOTE_USER: decision.user ?? '', AUTH_TYPE: decision.authType ?? '' };
  // As mod_authnz_ldap: each attribute the provider returned is AUTHENTICATE_<NAME> for the app.
  for (const [k, v] of Object.entries(decision.attributes)) out[`AUTHENTICATE_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  return Object.freeze(out);
}
