/**
 * The one policy model. Both readers (typed `defineConfig` and the Apache-style
 * `authhook.conf`) produce `LocationSection`s; `merge.ts` folds the sections that match a
 * request into one frozen `Policy` the engine reads.
 * @module
 */
import type { SetEnvIfRule } from './set-env-if.js';
import type { AuthType, HookModule } from '../types.js';
import type { RequireNode } from '../authz/require-parse.js';

/** Something that hands out the current version of a hook module (a watched script, or a built-in provider). */
export interface HookSource {
  /** For logs: the script path or the provider name. Never a secret. */
  readonly label: string;
  /** The current module; rejects with a `HookLoadError` when no version ever loaded. */
  current(): Promise<HookModule>;
  /** The current module when it is loaded and known fresh, without waiting (the hot path); else `undefined`. */
  peek?(): HookModule | undefined;
}

/** Digest algorithms offered, in the order they are offered. */
export type DigestAlgorithm = 'SHA-256' | 'MD5';

/** The directives one section may set. Absent = inherited from less specific sections. */
export interface PolicyDirectives {
  /** `null` is `AuthType None`. */
  readonly authType?: AuthType | null;
  readonly authName?: string;
  /** AuthBasicProvider: `wsgi`/`script`, `file`, or a named provider (alias), in order. */
  readonly basicProviders?: readonly string[];
  /** AuthDigestProvider, as above. */
  readonly digestProviders?: readonly string[];
  readonly digestAlgorithms?: readonly DigestAlgorithm[];
  /** Seconds a Digest nonce stays fresh. */
  readonly nonceLifetimeS?: number;
  /** WSGIAuthUserScript: the `wsgi` provider's script. */
  readonly authUserScript?: HookSource | null;
  /** WSGIAuthGroupScript: where `Require group` asks `groups_for_user`. */
  readonly authGroupScript?: HookSource | null;
  /** AuthUserFile (htpasswd, or htdigest for Digest): the `file` provider's file. */
  readonly authUserFile?: string | null;
  /** AuthGroupFile (htgroup). */
  readonly authGroupFile?: string | null;
  /** WSGIAccessScript: `null` turns an inherited one off. */
  readonly accessScript?: HookSource | null;
  readonly require?: RequireNode | null;
  readonly forbiddenOnFailure?: boolean;
  /** `WSGIPassAuthorization` in a section: whether the app gets the Authorization header there. */
  readonly passAuthorization?: boolean;
  readonly setEnv?: Readonly<Record<string, string>>;
  /** SetEnvIf / BrowserMatch rules, outer sections' first: what `Require env` tests. */
  readonly setEnvIf?: readonly SetEnvIfRule[];
  /** AuthLDAP* directives (mod_authnz_ldap), merged key by key. */
  readonly ldap?: Partial<LdapSettings>;
  /** The credential cache in front of the Basic providers: absent = on for slow providers only. */
  readonly authnCache?: boolean | AuthnCacheSettings;
  /**
   * mod_authn_socache's form (authhook.conf): `socache` was in the last AuthBasicProvider
   * list. Then the cache serves the `AuthnCacheProvideFor` providers (none listed: none, as
   * in httpd) for `AuthnCacheTimeout` seconds, in place of `authnCache`.
   */
  readonly authnCacheSocache?: boolean;
  readonly authnCacheProvideFor?: readonly string[];
  readonly authnCacheTimeoutS?: number;
}

/** Settings of a location's credential cache (mod_authn_socache). */
export interface AuthnCacheSettings {
  /** Seconds a grant stays cached (AuthnCacheTimeout). Default 300. */
  readonly ttlS?: number;
  /** Most entries kept. Default 10 000. */
  readonly max?: number;
  /** Seconds a refusal stays cached; 0 (the default) caches none. */
  readonly negativeTtlS?: number;
  /** The Basic providers (by name) whose answers are cached; absent = all of the location's. */
  readonly providers?: readonly string[];
}

/** The AuthLDAP* settings of a location (SPEC §8). */
export interface LdapSettings {
  /** `AuthLDAPURL`: `ldap[s]://host:port/BASE?ATTR[,ATTR…]?SCOPE?FILTER`. */
  readonly url: string;
  /** The `STARTTLS` (or `TLS`) flag after the URL. */
  readonly startTls: boolean;
  readonly bindDN: string | null;
  readonly bindPassword: string | null;
  readonly remoteUserAttribute: string | null;
  /** `AuthLDAPGroupAttribute` (repeatable); default `member`, `uniqueMember`. */
  readonly groupAttributes: readonly string[];
  readonly groupAttributeIsDN: boolean;
  readonly maxSubGroupDepth: number;
  /** `LDAPTrustedGlobalCert` file (CA). */
  readonly trustedCert: string | null;
  readonly verifyServerCert: boolean;
  /** Time limit of one LDAP operation. */
  readonly timeoutMs: number;
}

/** Makes providers from directives: the built-in file and LDAP providers plug in here. */
export interface ProviderFactories {
  /** `AuthUserFile` (htpasswd for Basic, htdigest for Digest). */
  userFile?(path: string, scheme: AuthType): HookSource;
  /** `AuthGroupFile` (htgroup). */
  groupFile?(path: string): HookSource;
  /** `AuthBasicProvider ldap` with the merged AuthLDAP* settings. */
  ldap?(settings: LdapSettings): HookSource;
}

/** A `<Location>` (prefix) or `<LocationMatch>` (regex) section, in config order. */
export interface LocationSection {
  readonly kind: 'prefix' | 'regex';
  /** The prefix (normalised), or the regex source. */
  readonly path: string;
  readonly regex: RegExp | null;
  readonly directives: PolicyDirectives;
  /** `authhook.conf:12` or `locations.2`, for messages. */
  readonly where: string;
}

/** Settings that are not per location. */
export interface GlobalSettings {
  /** Time limit for one hook call. */
  readonly hookTimeoutMs: number;
  /** Re-load scripts whose file changed (WSGIScriptReloading). */
  readonly scriptReloading: boolean;
  /** Secret that signs Digest nonces; random per process when not configured. */
  readonly nonceSecret: Uint8Array;
}

/** A whole checked configuration: frozen, read by the engine. */
export interface AuthhookModel {
  readonly global: GlobalSettings;
  readonly sections: readonly LocationSection[];
  /** Named providers (`<AuthnProviderAlias>`, or hook modules given in the typed config). */
  readonly providers: Readonly<Record<string, HookSource>>;
  /** Factories for `file` and `ldap`; a missing one makes that provider a policy error. */
  readonly providerFactories: ProviderFactories;
}

/** The merged, complete policy for one request path. Providers are resolved. */
export interface Policy {
  readonly authType: AuthType | null;
  readonly authName: string | null;
  readonly basicProviders: readonly HookSource[];
  readonly digestProviders: readonly HookSource[];
  readonly digestAlgorithms: readonly DigestAlgorithm[];
  readonly nonceLifetimeS: number;
  /** Group sources in order: the group script, then the group file. */
  readonly groupSources: readonly HookSource[];
  readonly accessSource: HookSource | null;
  readonly require: RequireNode | null;
  readonly forbiddenOnFailure: boolean;
  /** `WSGIPassAuthorization` of the sections; `null`: the mount's `pass-authorization=` (or the top-level default) decides. */
  readonly passAuthorization: boolean | null;
  readonly setEnv: Readonly<Record<string, string>>;
  /** The SetEnvIf rules in order (outer sections first). */
  readonly setEnvIf: readonly SetEnvIfRule[];
  /** The merged AuthLDAP* settings, when an AuthLDAPURL applies. */
  readonly ldap: LdapSettings | null;
  /** Which sections made it, for check-config and logs. */
  readonly from: readonly string[];
}

export const DEFAULT_HOOK_TIMEOUT_MS = 5000;
export const DEFAULT_NONCE_LIFETIME_S = 300;
export const DEFAULT_LDAP_TIMEOUT_MS = 5000;
export const DEFAULT_DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze(['SHA-256', 'MD5']);
