/**
 * The built-in file providers as `ProviderFactories`: `AuthUserFile` is an htpasswd file
 * for Basic and an htdigest file for Digest, `AuthGroupFile` an htgroup file. One watched
 * provider per absolute path (and kind), however many locations name it.
 * @module
 */
import { resolve } from 'node:path';
import { htdigestProvider } from '../../providers/htdigest/index.js';
import { htgroupProvider } from '../../providers/htgroup/index.js';
import { htpasswdProvider, type FileProvider, type FileProviderOptions } from '../../providers/htpasswd/index.js';
import { ldapProviderFactory } from '../../providers/ldap/index.js';
import { extractHooks } from '../hooks/load-script.js';
import type { AuthType, HookModule } from '../types.js';
import type { HookSource, LdapSettings, ProviderFactories } from './model.js';

/** Provider factories that own watched files: `close()` stops watching them. */
export interface DefaultProviderFactories extends ProviderFactories {
  userFile(path: string, scheme: AuthType): HookSource;
  groupFile(path: string): HookSource;
  ldap(settings: LdapSettings): HookSource;
  close(): void;
}

/** A source over a file provider that passes on its `generation` (and `slow`) to a credential cache. */
function fileSource(label: string, provider: HookModule & FileProvider & { readonly slow?: boolean }): HookSource {
  const hooks = extractHooks(provider as unknown as Record<string, unknown>, label);
  const mod = Promise.resolve(hooks);
  const source: HookSource & { readonly generation: number; readonly slow?: boolean } = {
    label,
    current: () => mod,
    peek: () => hooks,
    get generation() {
      return provider.generation;
    },
  };
  if ('slow' in provider) Object.defineProperty(source, 'slow', { get: () => provider.slow === true, enumerable: true });
  return Object.freeze(source);
}

/**
 * Creates the factories `compileConfig` uses when none are given.
 * @example compileConfig(config, { providerFactories: defaultProviderFactories({ logger }) })
 */
export function defaultProviderFactories(options: FileProviderOptions = {}): DefaultProviderFactories {
  const providers = new Map<string, { source: HookSource; provider: FileProvider }>();
  const get = (key: string, make: () => { source: HookSource; provider: FileProvider }): HookSource => {
    let p = providers.get(key);
    if (p === undefined) {
      p = make();
      providers.set(key, p);
    }
    return p.source;
  };
  // Importing providers/ldap also registers the Require ldap-* rules.
  const ldap = ldapProviderFactory(options.logger === undefined ? {} : { logger: options.logger });
  return {
    ldap,
    userFile(path: string, scheme: AuthType): HookSource {
      const abs = resolve(path);
      return get(`${scheme}\u0000${abs}`, () => {
        const provider = scheme === 'Digest' ? htdigestProvider(abs, options) : htpasswdProvider(abs, options);
        return { provider, source: fileSource(`file ${abs}`, provider) };
      });
    },
    groupFile(path: string): HookSource {
      const abs = resolve(path);
      return get(`group\u0000${abs}`, () => {
        const provider = htgroupProvider(abs, options);
        return { provider, source: fileSource(`group file ${abs}`, provider) };
      });
    },
    close() {
      for (const p of providers.values()) p.provider.close();
      providers.clear();
      void ldap.close();
    },
  };
}
