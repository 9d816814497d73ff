/**
 * Authentication: the credentials scheme (Basic or Digest) and the provider chain with
 * mod_wsgi's tri-state results (SPEC §3, §4).
 * @module
 */
import { basicChallenge, parseBasic, type BasicCredentials } from '../authn/basic.js';
import { digestChallenges, digestUriMatches, parseDigest, verifyDigestResponse } from '../authn/digest.js';
import type { NonceService } from '../authn/digest.js';
import { HookTimeoutError, ProviderUnavailableError, type AnyAuthhookError } from '../errors.js';
import { callCheckPassword, callGetRealmHash } from '../hooks/call-hook.js';
import type { HookSource, Policy } from '../config/model.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';
import type { AuthnResult, Environ, Logger } from '../types.js';

/** Outcome of authentication: a user (with facts), or the status and challenge to answer with. */
export type AuthenticateOutcome =
  | { readonly ok: true; readonly result: Extract<AuthnResult, { outcome: 'granted' }> }
  | { readonly ok: false; readonly status: 400 | 401 | 500 | 503; readonly reason: string; readonly stale: boolean };

/** What authentication needs from the engine. */
export interface AuthenticateContext {
  readonly policy: Policy;
  readonly realm: string;
  readonly environ: Environ;
  readonly authorization: string | undefined;
  readonly authorizationCount: number;
  readonly timeoutMs: number;
  readonly nonces: (lifetimeS: number) => NonceService;
  readonly logger: Logger;
}

const fail = (status: 400 | 401 | 500 | 503, reason: string, stale = false): AuthenticateOutcome => ({ ok: false, status, reason, stale });

/** Maps a provider error to 500, or 503 for a time-out / unreachable backend, and logs it. */
export function errorStatus(error: AnyAuthhookError, logger: Logger, fields: Record<string, unknown>): 500 | 503 {
  const transient = error instanceof HookTimeoutError || error instanceof ProviderUnavailableError;
  logger.error(error.message, { code: error.code, ...fields, cause: error.cause instanceof Error ? error.cause.message : undefined });
  return transient ? 503 : 500;
}

/** Builds the challenge header(s) for the policy. */
export function challengeHeaders(ctx: Pick<AuthenticateContext, 'policy' | 'realm' | 'nonces'>, stale: boolean): Record<string, string | string[]> {
  const { policy, realm } = ctx;
  if (policy.authType === 'Digest') {
    const nonce = ctx.nonces(policy.nonceLifetimeS).issue(realm);
    return { 'WWW-Authenticate': digestChallenges({ realm, algorithms: policy.digestAlgorithms, nonce, stale }) };
  }
  return { 'WWW-Authenticate': basicChallenge(realm) };
}

function authenticateBasic(ctx: AuthenticateContext): MaybePromise<AuthenticateOutcome> {
  if (ctx.authorization === undefined) return fail(401, 'no-credentials');
  if (ctx.authorizationCount > 1) return fail(401, 'repeated-authorization');
  const creds = parseBasic(ctx.authorization);
  if (creds === undefined) return fail(401, 'malformed-credentials');
  return tryBasicProviders(ctx, creds, 0);
}

/** The Basic provider chain from `from` on; synchronous while the providers answer synchronously. */
function tryBasicProviders(ctx: AuthenticateContext, creds: BasicCredentials, from: number): MaybePromise<AuthenticateOutcome> {
  const providers = ctx.policy.basicProviders;
  for (let i = from; i < providers.length; i++) {
    const source = providers[i]!;
    const r = callCheckPassword(source, ctx.environ, creds.user, creds.password, ctx.timeoutMs);
    if (isPending(r)) return r.then((x) => basicOutcome(ctx, creds, source, x) ?? tryBasicProviders(ctx, creds, i + 1));
    const out = basicOutcome(ctx, creds, source, r);
    if (out !== undefined) return out;
  }
  ctx.logger.info('user not found', { user: creds.user });
  return fail(401, 'user-not-found');
}

/** What one provider's answer means; `undefined` (not found) asks the next provider. */
function basicOutcome(ctx: AuthenticateContext, creds: BasicCredentials, source: HookSource, r: AuthnResult): AuthenticateOutcome | undefined {
  if (r.outcome === 'granted') return { ok: true, result: r };
  if (r.outcome === 'denied') {
    ctx.logger.info('authentication failure: password mismatch', { user: creds.user, provider: source.label });
    return fail(401, 'password-mismatch');
  }
  if (r.outcome === 'error') {
    return fail(errorStatus(r.error, ctx.logger, { hook: 'check_password', provider: source.label, user: creds.user }), 'provider-error');
  }
  return undefined;
}

async function authenticateDigest(ctx: AuthenticateContext): Promise<AuthenticateOutcome> {
  const { policy, environ, logger, realm } = ctx;
  if (ctx.authorization === undefined) return fail(401, 'no-credentials');
  if (ctx.authorizationCount > 1) return fail(401, 'repeated-authorization');
  const creds = parseDigest(ctx.authorization);
  if (creds === undefined) return fail(401, 'malformed-credentials');
  if (creds.realm !== realm) return fail(401, 'realm-mismatch');
  if (!policy.digestAlgorithms.includes(creds.algorithm)) return fail(401, 'algorithm-not-offered');
  // The challenge carries no opaque, so one in the answer is not ours: mod_auth_digest refuses an
  // opaque it did not issue too (an absent one is fine to both).
  if (creds.opaque !== null) return fail(401, 'unknown-opaque');
  // As mod_auth_digest: a uri that is not the request's is a bad request, not a challenge.
  if (!digestUriMatches(creds.uri, environ.REQUEST_URI ?? '')) return fail(400, 'uri-mismatch');
  const nonces = ctx.nonces(policy.nonceLifetimeS);
  const nonceState = nonces.check(creds.nonce, realm);
  if (nonceState === 'invalid') return fail(401, 'bad-nonce');
  const hookEnviron = Object.freeze({ ...environ, 'authhook.digest_algorithm': creds.algorithm });
  for (const source of policy.digestProviders) {
    const r = await callGetRealmHash(source, hookEnviron, creds.username, realm, ctx.timeoutMs);
    if (r.outcome === 'not-found') continue;
    if (r.outcome === 'error') {
      return fail(errorStatus(r.error, logger, { hook: 'get_realm_hash', provider: source.label, user: creds.username }), 'provider-error');
    }
    if (!verifyDigestResponse(creds, environ.REQUEST_METHOD ?? 'GET', r.hash)) {
      logger.info('authentication failure: digest mismatch', { user: creds.username, provider: source.label });
      return fail(401, 'password-mismatch');
    }
    if (nonceState === 'stale') return fail(401, 'stale-nonce', true);
    if (!(await nonces.useCount(creds.nonce, creds.ncValue))) return fail(401, 'replayed-nonce-count');
    return { ok: true, result: { outcome: 'granted', user: creds.username, groups: null, attributes: Object.freeze({}) } };
  }
  logger.info('user not found', { user: creds.username, realm });
  return fail(401, 'user-not-found');
}

/** Runs the policy's scheme and provider chain; Basic stays synchronous while its providers do. */
export function authenticate(ctx: AuthenticateContext): MaybePromise<AuthenticateOutcome> {
  return ctx.policy.authType === 'Digest' ? authenticateDigest(ctx) : authenticateBasic(ctx);
}
