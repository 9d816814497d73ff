/**
 * Section merging as httpd does it: each matching section overrides, per directive, what
 * the less specific ones set. Provider names resolve against the merged directives, so
 * `AuthBasicProvider wsgi` at `/` works with a `WSGIAuthUserScript` set deeper.
 * @module
 */
import type { SetEnvIfRule } from './set-env-if.js';
import { PolicyError } from '../errors.js';
import { withAuthnCache } from '../state/cached-source.js';
import type { AuthType } from '../types.js';
import {
  DEFAULT_DIGEST_ALGORITHMS,
  DEFAULT_LDAP_TIMEOUT_MS,
  DEFAULT_NONCE_LIFETIME_S,
  type AuthhookModel,
  type AuthnCacheSettings,
  type HookSource,
  type LdapSettings,
  type LocationSection,
  type Policy,
  type PolicyDirectives,
} from './model.js';

/** The setEnv of a location that sets none (compared by identity on the hot path). */
export const NO_ENV: Readonly<Record<string, string>> = Object.freeze({});
const NO_RULES: readonly SetEnvIfRule[] = Object.freeze([]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The settings of mod_authnz_ldap's directives (per section); the rest are mod_ldap's (server-wide). */
const AUTHNZ_LDAP_KEYS = ['url', 'startTls', 'bindDN', 'bindPassword', 'remoteUserAttribute', 'groupAttributes', 'groupAttributeIsDN', 'maxSubGroupDepth'] as const;

/**
 * mod_authnz_ldap has no per-directory merger ("default is to override"): a section that sets
 * any of its directives has all of them from that section alone, the others at their defaults
 * and AuthLDAPURL unset unless the section gives it. httpd then answers a nested section that
 * only adds `AuthLDAPGroupAttribute` with 500 ("no AuthLDAPURL"); so does authhook. A section
 * with none of them inherits them all. mod_ldap's server-wide settings (LDAPTrustedGlobalCert,
 * LDAPVerifyServerCert, LDAPTimeout) merge one at a time.
 */
function mergeLdap(outer: Partial<LdapSettings> | undefined, inner: Partial<LdapSettings>): Partial<LdapSettings> {
  if (outer === undefined) return Object.freeze({ ...inner });
  if (!AUTHNZ_LDAP_KEYS.some((k) => inner[k] !== undefined)) return Object.freeze({ ...outer, ...inner });
  const kept: Mutable<Partial<LdapSettings>> = { ...outer };
  for (const k of AUTHNZ_LDAP_KEYS) delete kept[k];
  return Object.freeze({ ...kept, ...inner });
}

/** Folds directives in order; later wins per directive. */
export function foldDirectives(sections: readonly LocationSection[]): PolicyDirectives {
  const out: Mutable<PolicyDirectives> = {};
  for (const s of sections) {
    for (const [k, v] of Object.entries(s.directives)) {
      if (v === undefined) continue;
      if (k === 'ldap') {
        out.ldap = mergeLdap(out.ldap, v as Partial<LdapSettings>);
      } else if (k === 'setEnv') {
        // SetEnv adds to what outer sections set.
        (out as Record<string, unknown>)[k] = Object.freeze({ ...(out[k] as object | undefined), ...(v as object) });
      } else if (k === 'setEnvIf') {
        // SetEnvIf rules add to the outer sections' ones and run after them, as mod_setenvif merges.
        out.setEnvIf = Object.freeze([...(out.setEnvIf ?? []), ...(v as readonly SetEnvIfRule[])]);
      } else {
        (out as Record<string, unknown>)[k] = v;
      }
    }
  }
  return out;
}

function resolveProviders(
  names: readonly string[],
  d: PolicyDirectives,
  model: AuthhookModel,
  scheme: AuthType,
): HookSource[] {
  const directive = scheme === 'Basic' ? 'AuthBasicProvider' : 'AuthDigestProvider';
  return names.map((name) => {
    if (name === 'wsgi' || name === 'script') {
      const s = d.authUserScript ?? null;
      if (s === null) throw new PolicyError(`${directive} ${name} needs WSGIAuthUserScript (authUserScript)`);
      return s;
    }
    if (name === 'file') {
      const file = d.authUserFile ?? null;
      if (file === null) throw new PolicyError(`${directive} file needs AuthUserFile (authUserFile)`);
      const make = model.providerFactories.userFile;
      if (make === undefined) throw new PolicyError(`${directive} file: the file provider is not available`);
      return make(file, scheme);
    }
    if (name === 'ldap') {
      const settings = ldapSettings(d);
      if (settings === null) {
        throw new PolicyError(`${directive} ldap needs AuthLDAPURL (a section that sets any AuthLDAP* directive has none of the outer sections' ones, as in mod_authnz_ldap: give AuthLDAPURL there too)`);
      }
      const make = model.providerFactories.ldap;
      if (make === undefined) throw new PolicyError(`${directive} ldap: the LDAP provider is not available`);
      if (scheme === 'Digest') throw new PolicyError('AuthDigestProvider ldap: LDAP cannot answer Digest (no realm hash)');
      return make(settings);
    }
    const named = model.providers[name];
    if (named === undefined) throw new PolicyError(`${directive}: unknown provider "${name}"`);
    return named;
  });
}

/** The merged AuthLDAP* settings with defaults, or `null` without an AuthLDAPURL. */
function ldapSettings(d: PolicyDirectives): LdapSettings | null {
  const l = d.ldap;
  if (l === undefined || l.url === undefined) return null;
  return Object.freeze({
    url: l.url,
    startTls: l.startTls ?? false,
    bindDN: l.bindDN ?? null,
    bindPassword: l.bindPassword ?? null,
    remoteUserAttribute: l.remoteUserAttribute ?? null,
    groupAttributes: l.groupAttributes ?? Object.freeze(['member', 'uniqueMember']),
    groupAttributeIsDN: l.groupAttributeIsDN ?? true,
    maxSubGroupDepth: l.maxSubGroupDepth ?? 10,
    trustedCert: l.trustedCert ?? null,
    verifyServerCert: l.verifyServerCert ?? true,
    timeoutMs: l.timeoutMs ?? DEFAULT_LDAP_TIMEOUT_MS,
  });
}

/** The AuthLDAP* settings of a provider alias with defaults filled in, or `null` without an AuthLDAPURL. */
export function completeLdapSettings(ldap: Partial<LdapSettings>): LdapSettings | null {
  return ldapSettings({ ldap });
}

/** The cache of mod_authn_socache's directives: the providers of AuthnCacheProvideFor, for AuthnCacheTimeout. */
function socacheSetting(d: PolicyDirectives): AuthnCacheSettings {
  const providers = d.authnCacheProvideFor ?? [];
  return Object.freeze(d.authnCacheTimeoutS === undefined ? { providers } : { providers, ttlS: d.authnCacheTimeoutS });
}

/** Merges the matching sections (least specific first) into a complete, frozen policy. */
export function mergeSections(sections: readonly LocationSection[], model: AuthhookModel): Policy {
  const d = foldDirectives(sections);
  const authType = d.authType ?? null;
  const groupSources: HookSource[] = [];
  if (d.authGroupScript) groupSources.push(d.authGroupScript);
  if (d.authGroupFile) {
    const make = model.providerFactories.groupFile;
    if (make === undefined) throw new PolicyError('AuthGroupFile: the file provider is not available');
    groupSources.push(make(d.authGroupFile));
  }
  const basicNames = d.basicProviders ?? ['file'];
  const cache = d.authnCacheSocache === true ? socacheSetting(d) : d.authnCache;
  const digestNames = d.digestProviders ?? ['file'];
  const policy: Policy = {
    authType,
    authName: d.authName ?? null,
    basicProviders: Object.freeze(
      authType === 'Basic' ? withAuthnCache(resolveProviders(basicNames, d, model, 'Basic'), basicNames, cache, d.authName ?? '') : [],
    ),
    digestProviders: Object.freeze(authType === 'Digest' ? resolveProviders(digestNames, d, model, 'Digest') : []),
    digestAlgorithms: d.digestAlgorithms ?? DEFAULT_DIGEST_ALGORITHMS,
    nonceLifetimeS: d.nonceLifetimeS ?? DEFAULT_NONCE_LIFETIME_S,
    groupSources: Object.freeze(groupSources),
    accessSource: d.accessScript ?? null,
    require: d.require ?? null,
    forbiddenOnFailure: d.forbiddenOnFailure ?? false,
    passAuthorization: d.passAuthorization ?? null,
    setEnv: d.setEnv !== undefined && Object.keys(d.setEnv).length > 0 ? d.setEnv : NO_ENV,
    setEnvIf: d.setEnvIf ?? NO_RULES,
    ldap: ldapSettings(d),
    from: Object.freeze(sections.map((s) => s.where)),
  };
  return Object.freeze(policy);
}
