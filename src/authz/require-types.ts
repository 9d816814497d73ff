/**
 * The shapes shared by the Require parser, its providers and its evaluator.
 * @module
 */
import type { Environ, GroupsResult } from '../types.js';
import type { LdapSettings } from '../config/model.js';

/**
 * Outcome of a Require rule or section, as mod_authz_core's `authz_status`. `error` is
 * AUTHZ_GENERAL_ERROR: a backend a rule needs failed; it ends the evaluation and no
 * negation turns it into anything else (so a `not` rule cannot fail open).
 */
export type AuthzStatus = 'granted' | 'denied' | 'denied-no-user' | 'neutral' | 'error';

/** What a Require rule may look at for one request. */
export interface RequireContext {
  readonly environ: Environ;
  /** The authenticated user, or `null` before (or without) authentication. */
  readonly user: string | null;
  readonly method: string;
  readonly remoteAddr: string;
  /** Variables `Require env` tests: those SetEnvIf / BrowserMatch set for the request (never SetEnv's, never headers). */
  readonly env: Readonly<Record<string, string>>;
  /** The user's groups; the caller memoises it per request. Only called when `user` is set. */
  groups(): Promise<GroupsResult>;
  /** The location's merged AuthLDAP* settings, for the `ldap-*` rules. */
  readonly ldap: LdapSettings | null;
  /** Adds variables to the app's environ on a grant (mod_authnz_ldap's AUTHORIZE_<ATTR>); never the hooks'. */
  noteAppVariables?(variables: Readonly<Record<string, string>>): void;
}

/** A compiled rule: run per request. Called only with a user when its provider `needsUser`. */
export type RuleCheck = (ctx: RequireContext) => AuthzStatus | Promise<AuthzStatus>;

/** A `Require <name> …` provider: checks its arguments once, at start-up, and returns the per-request check. */
export interface RequireProvider {
  readonly name: string;
  /** Rules that need a user give `denied-no-user` without one, and make authentication happen. */
  readonly needsUser: boolean;
  compile(args: readonly string[], where: string | undefined): RuleCheck;
}

/** One `Require [not] <provider> <args…>` line, compiled. */
export interface RequireRule {
  readonly kind: 'rule';
  readonly negate: boolean;
  readonly provider: string;
  readonly args: readonly string[];
  readonly needsUser: boolean;
  readonly check: RuleCheck;
}

/** `<RequireAll>`, `<RequireAny>` (also the implicit top level) or `<RequireNone>` (always negated). */
export interface RequireSection {
  readonly kind: 'all' | 'any' | 'none';
  readonly negate: boolean;
  /** Whether any rule below needs a user. */
  readonly needsUser: boolean;
  readonly children: readonly RequireNode[];
}

/** A parsed, frozen Require tree. */
export type RequireNode = RequireRule | RequireSection;
