/**
 * The LDAP provider (`AuthBasicProvider ldap`) and the `Require ldap-*` rules, as
 * mod_authnz_ldap does them (SPEC §8), over ldapts. Importing this module registers the
 * Require providers.
 * @module
 */
import { staticSource } from '../../src/hooks/load-script.js';
import { SILENT_LOGGER } from '../../src/log.js';
import type { HookSource, LdapSettings, ProviderFactories } from '../../src/config/model.js';
import type { HookModule, Logger } from '../../src/types.js';
import { createDirectory } from './directory.js';
import { createCheckPassword, type LdapCheckPassword } from './provider.js';
import { compileLdapSettings } from './settings.js';
import { closeSharedDirectories, configureShared, sharedDirectory } from './shared.js';
import './require.js';

export { escapeDnValue, escapeFilterValue } from './escape.js';
export { parseLdapUrl, type LdapHost, type LdapUrl } from './url.js';
export { DEFAULT_POOL_SIZE } from './directory.js';

/** Options of the LDAP provider. */
export interface LdapProviderOptions {
  /** Where warnings go (ambiguous user searches, a missing remote-user attribute, failed Require look-ups). */
  readonly logger?: Logger;
  /** Clock (ms) for retiring idle connections; tests inject one. */
  readonly now?: () => number;
  /** Connections per pool (searches; user binds). Default 4. */
  readonly poolSize?: number;
}

/** An LDAP provider: the `check_password` hook, and `close()` for its connections. */
export interface LdapProvider extends HookModule {
  check_password: LdapCheckPassword;
  close(): Promise<void>;
}

/**
 * Creates a stand-alone LDAP provider with its own connection pool.
 * @example
 * const ldap = createLdapProvider({ ...settings, url: 'ldap://127.0.0.1/ou=people,dc=example,dc=com?uid' });
 * await ldap.check_password(environ, 'alice', 'secret'); // { attributes: { uid: 'alice' } }
 */
export function createLdapProvider(settings: LdapSettings, options: LdapProviderOptions = {}): LdapProvider {
  const config = compileLdapSettings(settings);
  const directory = createDirectory({
    connection: config.connection,
    bindDN: config.bindDN,
    bindPassword: config.bindPassword,
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return Object.freeze({
    check_password: createCheckPassword(config, directory, options.logger ?? SILENT_LOGGER),
    close: async () => directory.close(),
  });
}

/** The `ldap` entry of ProviderFactories, with `close()` for every pool it opened. */
export type LdapProviderFactory = NonNullable<ProviderFactories['ldap']> & { close(): Promise<void> };

/**
 * The factory `AuthBasicProvider ldap` resolves through: one provider per distinct settings,
 * pools shared per server and search identity (with the Require rules, too).
 * @example compileConfig(config, { providerFactories: { ldap: ldapProviderFactory({ logger }) } })
 */
export function ldapProviderFactory(options: LdapProviderOptions = {}): LdapProviderFactory {
  const logger = options.logger ?? SILENT_LOGGER;
  configureShared({
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const sources = new Map<string, HookSource>();
  const factory = (settings: LdapSettings): HookSource => {
    const config = compileLdapSettings(settings);
    let source = sources.get(config.key);
    if (source === undefined) {
      const check_password = createCheckPassword(config, sharedDirectory(config), logger);
      source = staticSource(`ldap ${config.url.hosts.map((h) => `${h.host}:${h.port}`).join(' ')}`, { check_password });
      sources.set(config.key, source);
    }
    return source;
  };
  return Object.assign(factory, { close: closeLdapConnections });
}

/** Closes every shared LDAP connection (the factory's and the Require rules'). */
export async function closeLdapConnections(): Promise<void> {
  closeSharedDirectories();
}
