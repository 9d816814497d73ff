/**
 * The decision pipeline: environ in, decision out, no HTTP objects inside (DESIGN).
 * access (allow_access) → userless Require pass → authentication → Require with the user.
 * @module
 */
import { createMemoryNonceCountStore, createNonceService, type NonceService } from '../authn/digest.js';
import { evaluateRequire, type AuthzStatus, type RequireContext } from '../authz/require-eval.js';
import { callAllowAccess, callGroupsForUser } from '../hooks/call-hook.js';
import { hiddenStructure, normalizePath, rawStructure } from '../environ/normalize-path.js';
import { SILENT_LOGGER } from '../log.js';
import type { AuthhookModel, Policy } from '../config/model.js';
import type { AccessResult, AuthnResult, Decision, Environ, GroupsResult, Logger } from '../types.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';
import { authenticate, challengeHeaders, type AuthenticateContext, type AuthenticateOutcome } from './authenticate.js';
import { allowAnonymous, allowUser, refuse, unavailable } from './decisions.js';
import { createPolicyLookup, type PolicyLookupResult } from './policy-lookup.js';
import { NO_ENV } from '../config/merge.js';
import { evaluateSetEnvIf } from '../config/set-env-if.js';

/** One request, as the engine sees it. */
export interface EngineInput {
  readonly environ: Environ;
  /** The Authorization header (first one), if any. */
  readonly authorization: string | undefined;
  /** How many Authorization headers came: more than one is malformed. */
  readonly authorizationCount: number;
  /** The client's host name if known (else its address is used), for allow_access. */
  readonly remoteHost?: string | undefined;
  /**
   * The app is handed the normalised path, not the target as sent (the gateway): then an
   * encoded dot segment (`%2e%2e`) is resolved, as httpd does. Elsewhere the app routes on the
   * target as sent, so such a target is refused (400) rather than checked as another path.
   */
  readonly appSeesNormalisedPath?: boolean;
  /** The app routes without regard to case (Express by default): so do the locations. */
  readonly caseInsensitivePath?: boolean;
  /**
   * The front hands the user's groups on (`req.auth.groups`, `Remote-Groups`): on a grant
   * that brought no groups, they are looked up from the location's group sources even when no
   * Require rule asked for them. The look-up only informs: it never changes the decision, and
   * one that fails is logged and leaves the groups empty.
   */
  readonly exportGroups?: boolean;
}

/** The decision engine for one model. */
export interface Engine {
  decide(input: EngineInput): Promise<Decision>;
  /**
   * The same decision, given synchronously when every hook on the way answered synchronously
   * (the fronts' hot path: no promise, no microtask). It may throw where `decide` rejects.
   */
  evaluate(input: EngineInput): MaybePromise<Decision>;
  /** The merged policy for a path (already normalised), for check-config and fronts. */
  policyFor(path: string): PolicyLookupResult;
}

/** Options of `createEngine`. */
export interface EngineOptions {
  readonly logger?: Logger;
  /** Clock for nonces (ms since the epoch); tests freeze it. */
  readonly now?: () => number;
}

/** The decision at a path no section asks anything of. */
export const OPEN_DECISION: Decision = allowAnonymous('no-policy');

/**
 * Whether a policy asks nothing of a request (no allow_access, no Require, no AuthType):
 * then every request at its paths is let through with nobody authenticated, and the decision
 * needs neither the environ nor the credentials.
 */
export function isOpenPolicy(policy: PolicyLookupResult): policy is Policy {
  return 'authType' in policy && policy.accessSource === null && policy.require === null && policy.authType === null;
}

const NO_GROUPS: Promise<GroupsResult> = Promise.resolve(Object.freeze({ outcome: 'groups', groups: Object.freeze([]) }));

/** What every request of one engine shares. */
interface EngineShared {
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly nonces: (lifetimeS: number) => NonceService;
}

/**
 * One request on its way through the pipeline. Each stage returns a decision, or the next
 * stage's result, synchronously while the hooks answer synchronously; a stage that has to wait
 * continues in a `.then`. The run is also what authentication and both Require passes read
 * (one object per request instead of three).
 */
class Run implements AuthenticateContext, RequireContext {
  /** `null` for the userless Require pass; the authenticated user for the second pass. */
  user: string | null = null;
  /** Groups known so far (from the grant or a finished look-up), for the decision. */
  known: readonly string[] | null = null;
  #lookup: Promise<GroupsResult> | null = null;
  /** What the Require rules set for the app's environ, if any. */
  #variables: Record<string, string> | undefined;
  readonly environ: Environ;
  readonly method: string;
  readonly remoteAddr: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ldap: Policy['ldap'];
  readonly policy: Policy;
  readonly realm: string;
  readonly authorization: string | undefined;
  readonly authorizationCount: number;
  readonly remoteHost: string | undefined;
  readonly exportGroups: boolean;
  readonly timeoutMs: number;
  readonly nonces: (lifetimeS: number) => NonceService;
  readonly logger: Logger;
  readonly path: string;
  constructor(shared: EngineShared, input: EngineInput, path: string, policy: Policy) {
    const { environ } = input;
    this.environ = environ;
    this.method = environ.REQUEST_METHOD ?? 'GET';
    this.remoteAddr = environ.REMOTE_ADDR ?? '';
    // What `Require env` tests: the SetEnvIf variables, as httpd's mod_setenvif sets them before
    // authorisation; never SetEnv's (httpd sets those after it) nor the environ's CGI and HTTP_*
    // keys (a client could name a header after the variable).
    this.env = policy.setEnvIf.length === 0 ? NO_ENV : evaluateSetEnvIf(policy.setEnvIf, { environ, path, remoteHost: input.remoteHost ?? this.remoteAddr });
    this.ldap = policy.ldap;
    this.policy = policy;
    this.realm = policy.authName ?? '';
    this.authorization = input.authorization;
    this.authorizationCount = input.authorizationCount;
    this.remoteHost = input.remoteHost;
    this.exportGroups = input.exportGroups === true;
    this.timeoutMs = shared.timeoutMs;
    this.nonces = shared.nonces;
    this.logger = shared.logger;
    this.path = path;
  }

  noteAppVariables(variables: Readonly<Record<string, string>>): void {
    this.#variables = { ...this.#variables, ...variables };
  }

  /** The user's groups: from the grant, or looked up at most once per request, from the location's group sources in order. */
  groups(): Promise<GroupsResult> {
    if (this.user === null) return NO_GROUPS;
    this.#lookup ??= this.known !== null ? Promise.resolve({ outcome: 'groups', groups: this.known }) : this.#fetch(this.user);
    return this.#lookup;
  }

  async #fetch(user: string): Promise<GroupsResult> {
    const { groupSources } = this.policy;
    if (groupSources.length === 0) {
      this.logger.warn('Require group needs a group source (WSGIAuthGroupScript or AuthGroupFile); denied', { user });
      return { outcome: 'groups', groups: [] };
    }
    const all: string[] = [];
    for (const source of groupSources) {
      const r = await callGroupsForUser(source, this.environ, user, this.timeoutMs);
      if (r.outcome === 'error') {
        this.logger.error(r.error.message, { code: r.error.code, hook: 'groups_for_user', user });
        return r;
      }
      all.push(...r.groups);
    }
    this.known = all;
    return { outcome: 'groups', groups: all };
  }

  start(): MaybePromise<Decision> {
    const source = this.policy.accessSource;
    if (source === null) return this.authorize();
    const host = this.remoteHost ?? this.remoteAddr;
    const a = callAllowAccess(source, this.environ, host, this.timeoutMs);
    return isPending(a) ? a.then((x) => this.afterAccess(x, host)) : this.afterAccess(a, host);
  }

  afterAccess(a: AccessResult, host: string): MaybePromise<Decision> {
    if (a.outcome === 'deny') {
      this.logger.info('client denied by access script', { script: this.policy.accessSource?.label, path: this.path, client: host });
      return refuse(403, 'access-denied');
    }
    if (a.outcome === 'error') {
      this.logger.error(a.error.message, { code: a.error.code, hook: 'allow_access', path: this.path });
      return refuse(403, 'access-error');
    }
    return this.authorize();
  }

  /** The Require pass without a user: a rule that needs none can decide before authentication. */
  authorize(): MaybePromise<Decision> {
    const { policy } = this;
    if (policy.require === null) {
      if (policy.authType !== null) {
        this.logger.error('AuthType configured with no corresponding Require', { path: this.path, sections: policy.from });
        return refuse(500, 'no-require');
      }
      return OPEN_DECISION;
    }
    const before = evaluateRequire(policy.require, this);
    return isPending(before) ? before.then((x) => this.afterUserless(x)) : this.afterUserless(before);
  }

  afterUserless(before: AuthzStatus): MaybePromise<Decision> {
    if (before === 'granted') return allowAnonymous('granted-without-user');
    if (before === 'error') return unavailable('authz-error');
    const { policy } = this;
    if (before !== 'denied-no-user') {
      this.logger.info('client denied by server configuration', { path: this.path, client: this.remoteAddr });
      return refuse(403, 'forbidden');
    }
    if (policy.authType === null) {
      this.logger.error('Require needs a user but no AuthType is set', { path: this.path, sections: policy.from });
      return refuse(500, 'no-authtype');
    }
    if (policy.authName === null) {
      this.logger.error('AuthType needs AuthName', { path: this.path, sections: policy.from });
      return refuse(500, 'no-authname');
    }
    const authn = authenticate(this);
    return isPending(authn) ? authn.then((x) => this.afterAuthn(x)) : this.afterAuthn(authn);
  }

  afterAuthn(authn: AuthenticateOutcome): MaybePromise<Decision> {
    if (!authn.ok) {
      if (authn.status === 503) return unavailable(authn.reason);
      if (authn.status !== 401) return refuse(authn.status, authn.reason);
      return refuse(401, authn.reason, challengeHeaders(this, authn.stale));
    }
    const granted = authn.result;
    // The second pass, with the user: the run is its context too.
    this.user = granted.user;
    this.known = granted.groups;
    const after = evaluateRequire(this.policy.require!, this);
    return isPending(after) ? after.then((x) => this.afterUser(granted, x)) : this.afterUser(granted, after);
  }

  afterUser(granted: Granted, after: AuthzStatus): MaybePromise<Decision> {
    const { policy } = this;
    const user = granted.user;
    if (after === 'granted') {
      if (this.known === null && this.exportGroups && policy.groupSources.length > 0) return this.grantWithGroups(granted);
      return allowUser(user, policy.authType!, this.known, granted.attributes, this.#variables);
    }
    if (after === 'error') return unavailable('authz-error');
    this.logger.info('authorization failure', { user, path: this.path });
    if (policy.forbiddenOnFailure) return refuse(403, 'not-authorised');
    return refuse(401, 'not-authorised', challengeHeaders(this, false));
  }

  /** The grant, with the groups the front hands on looked up (a failed look-up is logged by `#fetch`). */
  async grantWithGroups(granted: Granted): Promise<Decision> {
    const r = await this.groups();
    return allowUser(granted.user, this.policy.authType!, r.outcome === 'groups' ? r.groups : [], granted.attributes, this.#variables);
  }
}

type Granted = Extract<AuthnResult, { outcome: 'granted' }>;

/** Creates the engine: the policy look-up and nonce services are prepared once here. */
export function createEngine(model: AuthhookModel, options: EngineOptions = {}): Engine {
  const logger = options.logger ?? SILENT_LOGGER;
  const lookup = createPolicyLookup(model);
  // Made on first use: only fronts whose router ignores case ask for it.
  let folded: ReturnType<typeof createPolicyLookup> | undefined;
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
  const shared: EngineShared = { logger, timeoutMs: model.global.hookTimeoutMs, nonces };

  function evaluate(input: EngineInput): MaybePromise<Decision> {
    const uri = input.environ.REQUEST_URI ?? '/';
    const hidden = hiddenStructure(uri);
    // httpd refuses an encoded slash with 404 (AllowEncodedSlashes Off, its default), and an encoded NUL alike.
    if (hidden === 'encoded-slash' || hidden === 'encoded-nul') return refuse(404, hidden);
    if (hidden !== null && input.appSeesNormalisedPath !== true) return refuse(400, hidden);
    const raw = rawStructure(uri);
    if (raw === 'backslash' || (raw !== null && input.appSeesNormalisedPath !== true)) return refuse(400, raw);
    const path = normalizePath(uri);
    if (path === undefined) return refuse(400, 'bad-path');
    const policy = input.caseInsensitivePath === true ? (folded ??= createPolicyLookup(model, true))(path) : lookup(path);
    if (!('authType' in policy)) {
      logger.error(policy.message, { code: policy.code, path });
      return refuse(500, 'policy-incomplete');
    }
    return new Run(shared, input, path, policy).start();
  }

  return { decide: async (input) => evaluate(input), evaluate, policyFor: lookup };
}
