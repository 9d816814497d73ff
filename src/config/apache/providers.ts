/**
 * Provider names after the walk: every `AuthBasicProvider`/`AuthDigestProvider` name must be
 * a built-in or an `<AuthnProviderAlias>`, and each alias in use is built through the script
 * registry or the provider factories. A factory that is not available is an error at the
 * line that uses it.
 * @module
 */
import { ConfigError } from '../../errors.js';
import { completeLdapSettings } from '../merge.js';
import type { HookSource, ProviderFactories } from '../model.js';
import type { HookModule } from '../../types.js';
import type { AliasSpec, CompileState, ProviderRef } from './state.js';
import { didYouMean } from './values.js';
import { BUILTIN_PROVIDERS } from './walk.js';

const directiveOf = (ref: ProviderRef): string => ref.directive ?? (ref.scheme === 'Basic' ? 'AuthBasicProvider' : 'AuthDigestProvider');

function unavailable(ref: ProviderRef, what: string): ConfigError {
  return new ConfigError(`${directiveOf(ref)}: ${what}, which is not available`, ref.where);
}

function checkBuiltin(ref: ProviderRef, factories: ProviderFactories): void {
  if (ref.name === 'file' && factories.userFile === undefined) throw unavailable(ref, 'provider "file" needs the file (htpasswd/htdigest) provider');
  if (ref.name !== 'ldap') return;
  if (ref.scheme === 'Digest') throw new ConfigError('AuthDigestProvider: ldap cannot answer Digest (it has no realm hash)', ref.where);
  if (factories.ldap === undefined) throw unavailable(ref, 'provider "ldap" needs the LDAP provider');
}

/** One source that asks the Basic build for passwords and the Digest build for realm hashes. */
function bothSchemes(label: string, basic: HookSource, digest: HookSource): HookSource {
  // The combined module is remade only when either build hands out a new one.
  let last: { b: HookModule; d: HookModule; out: HookModule } | null = null;
  const combine = (b: HookModule, d: HookModule): HookModule => {
    if (last !== null && last.b === b && last.d === d) return last.out;
    const out: HookModule = {};
    if (b.check_password !== undefined) out.check_password = b.check_password;
    if (d.get_realm_hash !== undefined) out.get_realm_hash = d.get_realm_hash;
    last = { b, d, out: Object.freeze(out) };
    return last.out;
  };
  return Object.freeze({
    label,
    peek(): HookModule | undefined {
      const b = basic.peek?.();
      const d = digest.peek?.();
      return b === undefined || d === undefined ? undefined : combine(b, d);
    },
    async current(): Promise<HookModule> {
      const [b, d] = await Promise.all([basic.current(), digest.current()]);
      return combine(b, d);
    },
  });
}

/** Checks that an alias holds what its provider needs, whether or not a location uses it. */
function checkAlias(alias: AliasSpec, state: CompileState): void {
  const { directives, ldap } = alias.section;
  const tag = `<AuthnProviderAlias ${alias.provider} ${alias.name}>`;
  if (alias.provider === 'wsgi' && directives.authUserScript == null) throw new ConfigError(`${tag} needs a WSGIAuthUserScript`, alias.where);
  if (alias.provider === 'file' && directives.authUserFile == null) throw new ConfigError(`${tag} needs an AuthUserFile`, alias.where);
  if (alias.provider === 'ldap' && ldap.url === undefined) throw new ConfigError(`${tag} needs an AuthLDAPURL`, alias.where);
  if (!state.providerRefs.some((r) => r.name === alias.name)) state.logger.info(`${alias.where}: ${tag} is not used by any location`);
}

function buildAlias(alias: AliasSpec, refs: readonly ProviderRef[], state: CompileState, factories: ProviderFactories): HookSource {
  const { directives } = alias.section;
  if (alias.provider === 'wsgi') return directives.authUserScript!;
  const first = refs[0]!;
  const tag = `provider "${alias.name}" (<AuthnProviderAlias ${alias.provider} ${alias.name}> at ${alias.where})`;
  if (alias.provider === 'ldap') {
    const digest = refs.find((r) => r.scheme === 'Digest');
    if (digest !== undefined) throw new ConfigError(`AuthDigestProvider: ${tag} is LDAP, which cannot answer Digest`, digest.where);
    if (factories.ldap === undefined) throw unavailable(first, `${tag} needs the LDAP provider`);
    return factories.ldap(completeLdapSettings({ ...state.ldapGlobal, ...alias.section.ldap })!);
  }
  const make = factories.userFile;
  if (make === undefined) throw unavailable(first, `${tag} needs the file (htpasswd/htdigest) provider`);
  const file = directives.authUserFile!;
  const basic = refs.some((r) => r.scheme === 'Basic') ? make(file, 'Basic') : null;
  const digest = refs.some((r) => r.scheme === 'Digest') ? make(file, 'Digest') : null;
  if (basic !== null && digest !== null) return bothSchemes(alias.name, basic, digest);
  return (basic ?? digest)!;
}

/** Checks every provider reference and builds the aliases in use into `model.providers`. */
export function resolveProviders(state: CompileState, factories: ProviderFactories): Record<string, HookSource> {
  for (const alias of state.aliases.values()) checkAlias(alias, state);
  const known = [...BUILTIN_PROVIDERS, ...state.aliases.keys()];
  for (const ref of state.providerRefs) {
    if (BUILTIN_PROVIDERS.includes(ref.name)) checkBuiltin(ref, factories);
    else if (!state.aliases.has(ref.name)) {
      throw new ConfigError(`${directiveOf(ref)}: unknown provider "${ref.name}"${didYouMean(ref.name, known)}`, ref.where);
    }
  }
  const providers: Record<string, HookSource> = {};
  for (const alias of state.aliases.values()) {
    const refs = state.providerRefs.filter((r) => r.name === alias.name);
    if (refs.length > 0) providers[alias.name] = buildAlias(alias, refs, state, factories);
  }
  return providers;
}

/** Every `process-group=` / `WSGIProcessGroup` name must be a `WSGIDaemonProcess`. */
export function checkProcessGroups(state: CompileState): void {
  for (const ref of state.processGroupRefs) {
    if (state.daemons.has(ref.name)) continue;
    const hint = didYouMean(ref.name, state.daemons.keys());
    throw new ConfigError(`${ref.directive}: no WSGIDaemonProcess named "${ref.name}"${hint}`, ref.where);
  }
}
