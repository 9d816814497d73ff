/**
 * The decision pipeline: environ in, decision out, no HTTP objects inside (DESIGN).
 * access (allow_access) → userless Require pass → authentication → Require with the user.
 * @module
 */
import { createMemoryNonceCountStore, createNonceService, type NonceService } from '../authn/digest.js';
import { evaluateRequire, type RequireContext } from '../authz/require-eval.js';
import { callAllowAccess, callGroupsForUser } from '../hooks/call-hook.js';
import { normalizePath } from '../environ/normalize-path.js';
import { SILENT_LOGGER } from '../log.js';
import type { AuthhookModel, Policy } from '../config/model.js';
import type { Decision, Environ, GroupsResult, Logger } from '../types.js';
import { authenticate, challengeHeaders } from './authenticate.js';
import { allowAnonymous, allowUser, refuse, unavailable } from './decisions.js';
import { createPolicyLookup, type PolicyLookupResult } from './policy-lookup.js';
import { NO_ENV } from '../config/merge.js';

/** One request, as the engine sees it. */
export interface EngineInput {
  readonly environ: Environ;
  /** The Authorization header (first one), if any. */
  readonly authorization: string | undefined;
  /** How many Authorization headers came: more than one is malformed. */
  readonly authorizationCount: number;
  /** The client's host name if known (else its address is used), for allow_access. */
  readonly remoteHost?: string | undefined;
}

/** The decision engine for one model. */
export interface Engine {
  decide(input: EngineInput): Promise<Decision>;
  /** The merged policy for a path (already normalised), for check-config and fronts. */
  policyFor(path: string): PolicyLookupResult;
}

/** Options of `createEngine`. */
export interface EngineOptions {
  readonly logger?: Logger;
  /** Clock for nonces (ms since the epoch); tests freeze it. */
  readonly now?: () => number;
}

const NO_GROUPS: Promise<GroupsResult> = Promise.resolve(Object.freeze({ outcome: 'groups', groups: Object.freeze([]) }));

/** The Require context before authentication: no user, so no groups. */
class UserlessContext implements RequireContext {
  readonly user: string | null = null;
  readonly environ: Environ;
  readonly method: string;
  readonly remoteAddr: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ldap: Policy['ldap'];
  constructor(environ: Environ, env: Readonly<Record<string, string>>, ldap: Policy['ldap']) {
    this.environ = environ;
    this.method = environ.REQUEST_METHOD ?? 'GET';
    this.remoteAddr = environ.REMOTE_ADDR ?? '';
    this.env = env;
    this.ldap = ldap;
  }
  groups(): Promise<GroupsResult> {
    return NO_GROUPS;
  }
}

/**
 * The Require context with the user: groups come from the grant, or are looked up lazily,
 * at most once per request, from the location's group sources in order.
 */
class UserContext extends UserlessContext {
  override readonly user: string;
  /** Groups known so far (from the grant or a finished look-up), for the decision. */
  known: readonly string[] | null;
  #lookup: Promise<GroupsResult> | null = null;
  readonly #policy: Policy;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  constructor(base: UserlessContext, user: string, granted: readonly string[] | null, policy: Policy, timeoutMs: number, logger: Logger) {
    super(base.environ, base.env, base.ldap);
    this.user = user;
    this.known = granted;
    this.#policy = policy;
    this.#timeoutMs = timeoutMs;
    this.#logger = logger;
    if (granted !== null) this.#lookup = Promise.resolve({ outcome: 'groups', groups: granted });
  }
  override groups(): Promise<GroupsResult> {
    this.#lookup ??= this.#fetch();
    return this.#lookup;
  }
  async #fetch(): Promise<GroupsResult> {
    const { groupSources } = this.#policy;
    if (groupSources.length === 0) {
      this.#logger.warn('Require group needs a group source (WSGIAuthGroupScript or AuthGroupFile); denied', { user: this.user });
      return { outcome: 'groups', groups: [] };
    }
    const all: string[] = [];
    for (const source of groupSources) {
      const r = await callGroupsForUser(source, this.environ, this.user, this.#timeoutMs);
      if (r.outcome === 'error') {
        this.#logger.error(r.error.message, { code: r.error.code, hook: 'groups_for_user', user: this.user });
        return r;
      }
      all.push(...r.groups);
    }
    this.known = all;
    return { outcome: 'groups', groups: all };
  }
}

/** Creates the engine: the policy look-up and nonce services are prepared once here. */
export function createEngine(model: AuthhookModel, options: EngineOptions = {}): Engine {
  const logger = options.logger ?? SILENT_LOGGER;
  const timeoutMs = model.global.hookTimeoutMs;
  const lookup = createPolicyLookup(model);
  const now = options.now ?? Date.now;
  const countStore = createMemoryNonceCountStore({ now });
  const nonceServices = new Map<number, NonceService>();
  const nonces = (lifetimeS: number): NonceService => {
    let s = nonceServices.get(lifetimeS);
    if (s === undefined) {
      s = createNonceService({ secret: model.global.nonceSecret, lifetimeS, now, store: countStore });
      nonceServices.set(lifetimeS, s);
    }
    return s;
  };

  async function decide(input: EngineInput): Promise<Decision> {
    const { environ } = input;
    const path = normalizePath(environ.REQUEST_URI ?? '/');
    if (path === undefined) return refuse(400, 'bad-path');
    const policy = lookup(path);
    if (!('authType' in policy)) {
      logger.error(policy.message, { code: policy.code, path });
      return refuse(500, 'policy-incomplete');
    }
    if (policy.accessSource !== null) {
      const host = input.remoteHost ?? environ.REMOTE_ADDR ?? '';
      const a = await callAllowAccess(policy.accessSource, environ, host, timeoutMs);
      if (a.outcome === 'deny') {
        logger.info('client denied by access script', { script: policy.accessSource.label, path, client: host });
        return refuse(403, 'access-denied');
      }
      if (a.outcome === 'error') {
        logger.error(a.error.message, { code: a.error.code, hook: 'allow_access', path });
        return refuse(403, 'access-error');
      }
    }
    if (policy.require === null) {
      if (policy.authType !== null) {
        logger.error('AuthType configured with no corresponding Require', { path, sections: policy.from });
        return refuse(500, 'no-require');
      }
      return allowAnonymous('no-policy');
    }
    // Most locations set no variables: then the environ itself is the env (no copy per request).
    const env = policy.setEnv === NO_ENV ? environ : { ...policy.setEnv, ...environ };
    const userless = new UserlessContext(environ, env, policy.ldap);
    const before = await evaluateRequire(policy.require, userless);
    if (before === 'granted') return allowAnonymous('granted-without-user');
    if (before === 'error') return unavailable('authz-error');
    if (before !== 'denied-no-user') {
      logger.info('client denied by server configuration', { path, client: userless.remoteAddr });
      return refuse(403, 'forbidden');
    }
    if (policy.authType === null) {
      logger.error('Require needs a user but no AuthType is set', { path, sections: policy.from });
      return refuse(500, 'no-authtype');
    }
    if (policy.authName === null) {
      logger.error('AuthType needs AuthName', { path, sections: policy.from });
      return refuse(500, 'no-authname');
    }
    const realm = policy.authName;
    const authn = await authenticate({
      policy,
      realm,
      environ,
      authorization: input.authorization,
      authorizationCount: input.authorizationCount,
      timeoutMs,
      nonces,
      logger,
    });
    if (!authn.ok) {
      if (authn.status === 503) return unavailable(authn.reason);
      if (authn.status !== 401) return refuse(authn.status, authn.reason);
      return refuse(401, authn.reason, challengeHeaders({ policy, realm, nonces }, authn.stale));
    }
    const granted = authn.result;
    const ctx = new UserContext(userless, granted.user, granted.groups, policy, timeoutMs, logger);
    const after = await evaluateRequire(policy.require, ctx);
    if (after === 'granted') return allowUser(ctx.user, policy.authType, ctx.known, granted.attributes);
    if (after === 'error') return unavailable('authz-error');
    const user = ctx.user;
    logger.info('authorization failure', { user, path });
    if (policy.forbiddenOnFailure) return refuse(403, 'not-authorised');
    return refuse(401, 'not-authorised', challengeHeaders({ policy, realm, nonces }, false));
  }

  return { decide, policyFor: lookup };
}

