/**
 * The table of `Require` providers. Built-ins register in require-builtins.ts; later
 * features (LDAP) add theirs with {@link registerRequireProvider}.
 * @module
 */
import { ConfigError } from '../errors.js';
import type { RequireProvider } from './require-types.js';

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

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The registered provider name closest to a mistyped one (edit distance 2 or less), or `undefined`. */
export function suggestRequireProvider(name: string): string | undefined {
  const typed = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of PROVIDERS.keys()) {
    const distance = editDistance(typed, known.toLowerCase());
    // A distance as long as the word itself would suggest "ip" for any two letters.
    if (distance < bestDistance && distance < known.length) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}
