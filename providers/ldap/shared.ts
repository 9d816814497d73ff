/**
 * Process-wide LDAP state: one pool per server and search identity (shared by providers
 * and Require rules), and what the provider learned about the user of each request.
 * @module
 */
import { createConsoleLogger } from '../../src/log.js';
import type { Environ, Logger } from '../../src/types.js';
import { createDirectory, type Directory } from './directory.js';
import type { LdapConfig } from './settings.js';

/** The user as the LDAP provider authenticated them, for the Require rules of the same request. */
export interface UserRecord {
  /** The settings key it was found under. */
  readonly key: string;
  /** The name as the client typed it (compared with memberUid). */
  readonly typed: string;
  /** The name the request goes on as (REMOTE_USER). */
  readonly user: string;
  readonly dn: string;
  /** The URL's attributes of the entry (absent ones empty), for AUTHORIZE_<ATTR> on a granting ldap-* rule. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Pool options shared by every directory the process opens. */
export interface SharedOptions {
  readonly logger: Logger;
  readonly poolSize?: number;
  readonly now?: () => number;
}

const directories = new Map<string, Directory>();
// The engine hands the same frozen environ to every hook and rule of one request.
const records = new WeakMap<Environ, UserRecord>();
let shared: SharedOptions = { logger: createConsoleLogger() };

/** Sets the logger and pool options for shared pools opened from now on. */
export function configureShared(options: Partial<SharedOptions>): void {
  shared = { ...shared, ...options };
}

/** The logger Require rules report to. */
export function sharedLogger(): Logger {
  return shared.logger;
}

/** The shared directory for a configuration's server and search identity. */
export function sharedDirectory(config: LdapConfig): Directory {
  let d = directories.get(config.directoryKey);
  if (d === undefined) {
    d = createDirectory({
      connection: config.connection,
      bindDN: config.bindDN,
      bindPassword: config.bindPassword,
      ...(shared.poolSize === undefined ? {} : { poolSize: shared.poolSize }),
      ...(shared.now === undefined ? {} : { now: shared.now }),
    });
    directories.set(config.directoryKey, d);
  }
  return d;
}

/** Closes every shared pool (at shutdown, or between tests). */
export function closeSharedDirectories(): void {
  for (const d of directories.values()) d.close();
  directories.clear();
}

/** Notes who the provider authenticated on this request. */
export function rememberUser(environ: Environ, record: UserRecord): void {
  records.set(environ, Object.freeze(record));
}

/** Who the provider authenticated on this request, if it did. */
export function recallUser(environ: Environ): UserRecord | undefined {
  return records.get(environ);
}
