/**
 * The shared translation of a Node request into an engine decision, used by the Express
 * middleware, the Passport strategy and the gateway.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { buildEnviron, readAuthorization, type EnvironOptions } from '../environ/build-environ.js';
import { stripIdentityHeaders } from '../environ/strip-identity.js';
import type { Engine, EngineInput } from '../engine/decide.js';
import type { Decision, Environ } from '../types.js';

export { attachIdentity, type AuthhookRequestFields, type RequestAuth } from './request-identity.js';

/** How the app behind a front reads the path (see `EngineInput`). */
export interface PathReading {
  readonly appSeesNormalisedPath?: boolean;
  readonly caseInsensitivePath?: boolean;
}

const AS_SENT: PathReading = Object.freeze({});

/** Strips identity headers and builds what the engine decides on. */
export function engineInputFor(req: IncomingMessage, options: EnvironOptions, reading: PathReading = AS_SENT): EngineInput {
  stripIdentityHeaders(req);
  const { value, count } = readAuthorization(req.rawHeaders);
  return {
    environ: buildEnviron(req, options),
    authorization: value,
    authorizationCount: count,
    appSeesNormalisedPath: reading.appSeesNormalisedPath === true,
    caseInsensitivePath: reading.caseInsensitivePath === true,
    // Express, Passport and the gateway hand the groups on (`req.auth.groups`, Remote-Groups).
    exportGroups: true,
  };
}

/** Strips identity headers, builds the environ, asks the engine (for fronts that await anyway). */
export async function decideNodeRequest(engine: Engine, req: IncomingMessage, options: EnvironOptions): Promise<{ decision: Decision; environ: Environ }> {
  const input = engineInputFor(req, options);
  return { decision: await engine.evaluate(input), environ: input.environ };
}
