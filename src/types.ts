/**
 * The public contract: the environ, the four hooks, provider results and the decision.
 * @module
 */
import type { AnyAuthhookError } from './errors.js';

/**
 * The CGI/WSGI-style request dictionary handed to every hook (SPEC §2): a frozen object of
 * strings, built once per request. Never holds `Authorization` or `Proxy-Authorization`.
 */
export type Environ = Readonly<Record<string, string>>;

/** What a hook may return instead of `true` or a string: a grant with facts to pass on. */
export interface HookGrant {
  /** Canonical user name that replaces the one the client typed. */
  readonly user?: string;
  /** Groups of the user; they satisfy `Require group` without a `groups_for_user` call. */
  readonly groups?: readonly string[];
  /** Facts the fronts forward (environ keys, `Remote-<Name>` headers). */
  readonly attributes?: Readonly<Record<string, string>>;
}

type Awaitable<T> = T | Promise<T>;

/** `true` granted · `false` wrong password · `null`/`undefined` unknown user · string: granted as that user · object: granted with facts. */
export type CheckPasswordReturn = boolean | null | undefined | string | HookGrant;

/** The functions a hook script may export, under exactly the mod_wsgi names. */
export interface HookModule {
  check_password?(environ: Environ, user: string, password: string): Awaitable<CheckPasswordReturn>;
  /** Hex of H(user:realm:password) for the algorithm in `environ['authhook.digest_algorithm']`, or `null`. */
  get_realm_hash?(environ: Environ, user: string, realm: string): Awaitable<string | Uint8Array | null | undefined>;
  groups_for_user?(environ: Environ, user: string): Awaitable<Iterable<string | Uint8Array>>;
  allow_access?(environ: Environ, host: string): Awaitable<boolean | null | undefined>;
}

/** The name of one of the four hooks. */
export type HookName = keyof HookModule;

/** Tri-state result of an authentication provider, plus general error (SPEC §4). */
export type AuthnResult =
  | {
      readonly outcome: 'granted';
      readonly user: string;
      readonly groups: readonly string[] | null;
      readonly attributes: Readonly<Record<string, string>>;
    }
  | { readonly outcome: 'denied' }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'error'; readonly error: AnyAuthhookError };

/** Result of a Digest provider's `get_realm_hash`. */
export type RealmHashResult =
  | { readonly outcome: 'found'; readonly hash: string }
  | { readonly outcome: 'not-found' }
  | { readonly outcome: 'error'; readonly error: AnyAuthhookError };

/** Result of a group look-up. */
export type GroupsResult =
  | { readonly outcome: 'groups'; readonly groups: readonly string[] }
  | { readonly outcome: 'error'; readonly error: AnyAuthhookError };

/** Result of `allow_access`. */
export type AccessResult =
  | { readonly outcome: 'allow' }
  | { readonly outcome: 'deny' }
  | { readonly outcome: 'no-opinion' }
  | { readonly outcome: 'error'; readonly error: AnyAuthhookError };

/** The authentication scheme in force. */
export type AuthType = 'Basic' | 'Digest';

/** Response headers a decision asks the front to send (a name may carry several values). */
export type DecisionHeaders = Readonly<Record<string, string | readonly string[]>>;

/** What the engine decided for one request; fronts render it. */
export interface Decision {
  /** 200 to let the request through; otherwise the status to answer with. */
  readonly status: 200 | 400 | 401 | 403 | 404 | 500 | 503;
  readonly headers: DecisionHeaders;
  /** The authenticated (possibly canonicalised) user, or `null`. */
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly authType: AuthType | null;
  /** Variables for the app's environ that a Require rule set on the way (mod_authnz_ldap's AUTHORIZE_<ATTR>). */
  readonly variables?: Readonly<Record<string, string>>;
  /** Short machine reason (`no-credentials`, `bad-password`, `forbidden`, …) for logs and status pages. */
  readonly reason: string;
}

/** Where authhook writes what happened. Never given a password. */
export interface Logger {
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}
