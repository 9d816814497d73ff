/**
 * The table of `Require` providers. Built-ins register in require-builtins.ts; later
 * features (LDAP) add theirs with {@link registerRequireProvider}.
 * @module
 */
import { ConfigError } from '../errors.js';
import type { RequireProvider } from './require-types.js';
import { suggest } from '../suggest.js';

const PROVIDERS = new Map<string, RequireProvider>();

/** Adds a `Require <name>` provider; the name must be new. */
export function registerRequireProvider(provider: RequireProvider): void {
  const { name } = provider;
  if (!/^[^\s"']+$/.test(name) || name.toLowerCase() === 'not') {
    throw new ConfigError(`Require provider name "${name}" is not usable (one word, not "not")`);
  }
  if (PROVIDERS.has(name)) throw new ConfigError(`Require provider "${name}" is already registered`);
  PROVIDERS.set(name, Object.freeze({ name, needsUser: provider.needsUser, compile: provider.compile.bind(provider) }));
}

/** The provider registered under `name` (case-sensitive, as Apache's provider table). */
export function lookupRequireProvider(name: string): RequireProvider | undefined {
  return PROVIDERS.get(name);
}

/** The registered provider name closest to a mistyped one, or `undefined`. */
export function suggestRequireProvider(name: string): string | undefined {
  return suggest(name, PROVIDERS.keys());
}
