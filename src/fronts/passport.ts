/**
 * `authhook/passport`: a Passport strategy on the engine, so hook scripts decide exactly as
 * in the Express middleware (Basic or Digest, Require, groups, time limits, reloading).
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { parseRequireSpec, type RequireSpec } from '../authz/require-parse.js';
import { quoteRequireArg } from '../authz/require-tokenize.js';
import { createEngine, type Engine } from '../engine/decide.js';
import { createPolicyLookup } from '../engine/policy-lookup.js';
import { AuthhookError, ConfigError, ERROR_CLASSES } from '../errors.js';
import { createScriptSource, staticSource } from '../hooks/load-script.js';
import { createConsoleLogger } from '../log.js';
import {
  DEFAULT_DIGEST_ALGORITHMS,
  DEFAULT_HOOK_TIMEOUT_MS,
  DEFAULT_NONCE_LIFETIME_S,
  type AuthhookModel,
  type DigestAlgorithm,
  type HookSource,
} from '../config/model.js';
import type { AuthType, Decision, HookModule, Logger } from '../types.js';
import { decideNodeRequest } from './node-request.js';

/** Options of `HookStrategy`. */
export interface HookStrategyOptions {
  /** The hook script (a path, resolved from the working directory) or a module object. */
  readonly script: string | HookModule;
  /** `Basic` (default) or `Digest`. */
  readonly scheme?: AuthType;
  /** The realm (AuthName) of the challenge. */
  readonly realm: string;
  /** The user must be in one of these groups (`Require group …`, fed by `groups_for_user`). */
  readonly groups?: readonly string[];
  /** Where `groups_for_user` lives, when not in `script`. */
  readonly groupScript?: string | HookModule;
  /** A whole `Require` tree instead (`'valid-user'` by default); `groups` is then not allowed. */
  readonly require?: RequireSpec;
  readonly digestAlgorithms?: readonly DigestAlgorithm[];
  readonly nonceLifetimeS?: number;
  readonly hookTimeoutMs?: number;
  /** Secret that signs Digest nonces (random per process by default; share it across instances). */
  readonly nonceSecret?: string;
  /** Reload a script file when it changes (default `true`). */
  readonly scriptReloading?: boolean;
  /** Configured server name for SERVER_NAME (else the Host header). */
  readonly serverName?: string;
  readonly logger?: Logger;
  /** The strategy name for `passport.authenticate(name)`; default `authhook`. */
  readonly name?: string;
}

/** What `req.user` is after a successful authentication. */
export interface HookUser {
  readonly username: string;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
}

/** The actions passport adds to a strategy for one request (passport-strategy conventions). */
export interface StrategyActions {
  success(user: HookUser, info?: object): void;
  fail(challenge?: string | number, status?: number): void;
  pass(): void;
  error(err: unknown): void;
}

/** An operational fault handed to `this.error`: the hook's error class and code, plus the HTTP status. */
export type HookStrategyFault = AuthhookError & { readonly status: 500 | 503; readonly headers: Readonly<Record<string, string>> };

interface Capture {
  last: { message: string; code: string } | null;
}

interface State {
  readonly engine: Engine;
  readonly capture: AsyncLocalStorage<Capture>;
  readonly serverName: string | undefined;
  readonly realm: string;
  readonly close: () => void;
}

// Passport runs each request on Object.create(strategy), where #private fields are out of reach.
const STATES = new WeakMap<object, State>();

function stateOf(obj: object): State {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const s = STATES.get(o);
    if (s !== undefined) return s;
  }
  throw new TypeError('HookStrategy#authenticate called on something that is not a HookStrategy');
}

/** Remembers the last coded error the engine logs during a request, to hand it to `this.error`. */
function capturingLogger(base: Logger, capture: AsyncLocalStorage<Capture>): Logger {
  return Object.freeze({
    info: (m: string, f?: Readonly<Record<string, unknown>>) => base.info(m, f),
    warn: (m: string, f?: Readonly<Record<string, unknown>>) => base.warn(m, f),
    error: (m: string, f?: Readonly<Record<string, unknown>>) => {
      const store = capture.getStore();
      if (store !== undefined && typeof f?.code === 'string') store.last = { message: m, code: f.code };
      base.error(m, f);
    },
  });
}

function sourceOf(script: string | HookModule, option: string, reloading: boolean, logger: Logger): HookSource & { close?(): void } {
  if (typeof script !== 'string') return staticSource(`HookStrategy.${option}`, script);
  const abs = resolve(script);
  if (!existsSync(abs)) throw new ConfigError(`hook script not found: ${abs}`, `HookStrategy.${option}`);
  return createScriptSource(abs, { reloading, logger });
}

function requireOf(o: HookStrategyOptions): RequireSpec {
  if (o.require !== undefined && o.groups !== undefined) throw new ConfigError('give either groups or require, not both', 'HookStrategy.groups');
  if (o.require !== undefined) return o.require;
  if (o.groups === undefined) return 'valid-user';
  if (!Array.isArray(o.groups) || o.groups.length === 0 || !o.groups.every((g) => typeof g === 'string' && g !== '')) {
    throw new ConfigError('groups must be a non-empty array of group names', 'HookStrategy.groups');
  }
  return { all: ['valid-user', `group ${o.groups.map(quoteRequireArg).join(' ')}`] };
}

function checkOptions(o: HookStrategyOptions): void {
  if (typeof o !== 'object' || o === null) throw new TypeError('HookStrategy needs an options object');
  if (typeof o.realm !== 'string' || o.realm === '') throw new ConfigError('realm must be a non-empty string', 'HookStrategy.realm');
  if (o.scheme !== undefined && o.scheme !== 'Basic' && o.scheme !== 'Digest') throw new ConfigError('scheme must be Basic or Digest', 'HookStrategy.scheme');
  const timeout = o.hookTimeoutMs;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0)) throw new ConfigError('hookTimeoutMs must be a positive integer', 'HookStrategy.hookTimeoutMs');
  if (o.nonceSecret !== undefined && o.nonceSecret.length < 16) throw new ConfigError('nonceSecret needs at least 16 characters', 'HookStrategy.nonceSecret');
}

/** The one-location model: everything under `/` is this strategy's policy. */
function buildModel(o: HookStrategyOptions, logger: Logger): { model: AuthhookModel; close(): void } {
  const reloading = o.scriptReloading ?? true;
  const user = sourceOf(o.script, 'script', reloading, logger);
  const group = o.groupScript === undefined ? user : sourceOf(o.groupScript, 'groupScript', reloading, logger);
  const directives = Object.freeze({
    authType: o.scheme ?? 'Basic',
    authName: o.realm,
    authUserScript: user,
    authGroupScript: group,
    basicProviders: Object.freeze(['wsgi']),
    digestProviders: Object.freeze(['wsgi']),
    digestAlgorithms: Object.freeze([...(o.digestAlgorithms ?? DEFAULT_DIGEST_ALGORITHMS)]),
    nonceLifetimeS: o.nonceLifetimeS ?? DEFAULT_NONCE_LIFETIME_S,
    require: parseRequireSpec(requireOf(o), 'HookStrategy.require'),
  });
  const model: AuthhookModel = Object.freeze({
    global: Object.freeze({
      hookTimeoutMs: o.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
      scriptReloading: reloading,
      nonceSecret: o.nonceSecret !== undefined ? Buffer.from(o.nonceSecret, 'utf8') : randomBytes(32),
    }),
    sections: Object.freeze([Object.freeze({ kind: 'prefix' as const, path: '/', regex: null, directives, where: 'HookStrategy' })]),
    providers: Object.freeze({}),
    providerFactories: Object.freeze({}),
  });
  const policy = createPolicyLookup(model)('/');
  if (!('authType' in policy)) throw new ConfigError(policy.message, 'HookStrategy', { cause: policy });
  return { model, close: () => [user, group].forEach((s) => s.close?.()) };
}

/** The error for a 500/503 decision: the class and code of what the engine logged, when it logged one. */
function faultOf(decision: Decision, captured: Capture['last']): HookStrategyFault {
  const Cls = ERROR_CLASSES.find((c) => c.code === captured?.code) as (new (m: string) => AuthhookError) | undefined;
  const err = Cls !== undefined ? new Cls(captured!.message) : new AuthhookError(`authhook refused the request (${decision.reason})`);
  const headers: Readonly<Record<string, string>> = decision.status === 503 ? { 'Retry-After': '5' } : {};
  return Object.assign(err, { status: decision.status as 500 | 503, headers, expose: false });
}

function settle(actions: StrategyActions, decision: Decision, captured: Capture['last'], realm: string): void {
  if (decision.status === 200) {
    if (decision.user === null) return actions.pass();
    const user: HookUser = Object.freeze({ username: decision.user, groups: decision.groups, attributes: decision.attributes });
    return actions.success(user, { authType: decision.authType, realm });
  }
  if (decision.status === 401) {
    const challenge = decision.headers['WWW-Authenticate'];
    // passport sends one WWW-Authenticate value per failed strategy: several challenges share it.
    return actions.fail(Array.isArray(challenge) ? challenge.join(', ') : (challenge as string | undefined), 401);
  }
  if (decision.status === 400 || decision.status === 403 || decision.status === 404) return actions.fail(decision.status);
  actions.error(faultOf(decision, captured));
}

/**
 * A Passport strategy that authenticates with authhook hook scripts: `success(user, info)`
 * with `{ username, groups, attributes }`, `fail(challenge, 401)` with the Basic or Digest
 * challenge (a fresh nonce each time), `error(err)` when a hook throws, times out or returns
 * a wrong type — never a success.
 * @example
 * passport.use(new HookStrategy({ script: './auth.ts', realm: 'Staff', groups: ['staff'] }));
 * app.get('/admin', passport.authenticate('authhook', { session: false }), handler);
 */
export class HookStrategy {
  /** The name passport knows the strategy by. */
  readonly name: string;
  /** The decision engine behind the strategy (for inspection). */
  readonly engine: Engine;

  constructor(options: HookStrategyOptions) {
    checkOptions(options);
    const base = options.logger ?? createConsoleLogger();
    const capture = new AsyncLocalStorage<Capture>();
    const logger = capturingLogger(base, capture);
    const { model, close } = buildModel(options, logger);
    this.name = options.name ?? 'authhook';
    this.engine = createEngine(model, { logger });
    STATES.set(this, { engine: this.engine, capture, serverName: options.serverName, realm: options.realm, close });
  }

  /** Decides one request and calls exactly one of passport's actions. */
  authenticate(this: StrategyActions, req: IncomingMessage, _options?: unknown): void {
    const state = stateOf(this);
    const r = req as IncomingMessage & { originalUrl?: string; baseUrl?: string };
    const store: Capture = { last: null };
    state.capture
      .run(store, () => decideNodeRequest(state.engine, r, { requestUri: r.originalUrl ?? r.url, serverName: state.serverName }))
      .then(
        ({ decision }) => settle(this, decision, store.last, state.realm),
        (err: unknown) => this.error(err),
      );
  }

  /** Stops watching script files. */
  close(): void {
    stateOf(this).close();
  }
}
