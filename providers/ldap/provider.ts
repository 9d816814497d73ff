/**
 * `AuthBasicProvider ldap`: mod_authnz_ldap's search-then-bind as a `check_password` hook
 * (SPEC §8). Tri-state: one entry and a good bind grant, a refused bind denies, no entry or
 * two entries mean "not found"; anything else throws ProviderUnavailableError (→ 503).
 * @module
 */
import type { Entry } from 'ldapts';
import type { Environ, HookGrant, Logger } from '../../src/types.js';
import type { Directory } from './directory.js';
import { escapeFilterValue } from './escape.js';
import type { LdapConfig } from './settings.js';
import { rememberUser } from './shared.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The `check_password` hook an LDAP provider exports. */
export type LdapCheckPassword = (environ: Environ, user: string, password: string) => Promise<boolean | null | HookGrant>;

/** `(&(FILTER)(ATTR=name))` with the name escaped (RFC 4515). */
export function userFilter(config: LdapConfig, name: string, filter = config.url.filter): string {
  return `(&${filter}(${config.attribute}=${escapeFilterValue(name)}))`;
}

/** Finds the user's single entry by the URL's filter; none or several → `null`. */
export async function findUser(config: LdapConfig, directory: Directory, name: string, logger: Logger): Promise<Entry | null> {
  if (name === '') return null;
  const entries = await directory.search({
    base: config.url.base,
    scope: config.url.scope,
    filter: userFilter(config, name),
    attributes: config.searchAttributes,
    sizeLimit: 2,
  });
  if (entries.length > 1) logger.warn('LDAP user search found more than one entry; treated as not found', { user: name });
  return entries.length === 1 ? entries[0]! : null;
}

/** The values of an attribute of an entry, looked up case-insensitively, strings only. */
export function attributeValues(entry: Entry, name: string): string[] {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry)) {
    if (k.toLowerCase() !== lower || k === 'dn') continue;
    const list = Array.isArray(v) ? v : [v];
    return list.filter((x): x is string => typeof x === 'string');
  }
  return [];
}

/**
 * The URL's attributes as grant facts (`AUTHENTICATE_<ATTR>`), several values joined by "; ";
 * one the entry lacks is the empty string, as mod_authnz_ldap sets it (real httpd hands the
 * app AUTHENTICATE_MAIL="" for an entry without mail).
 */
export function grantAttributes(config: LdapConfig, entry: Entry): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of config.url.attributes) out[a] = attributeValues(entry, a).filter((v) => !CONTROL.test(v)).join('; ');
  return out;
}

/**
 * The user name for the app. An entry without the AuthLDAPRemoteUserAttribute has no user
 * name: a fault (500), never the name as typed, as httpd answers it (mod_authnz_ldap leaves
 * no user, and the core refuses the request: "No authentication done").
 */
function remoteUser(config: LdapConfig, entry: Entry, typed: string): string {
  if (config.remoteUserAttribute === null) return typed;
  const value = attributeValues(entry, config.remoteUserAttribute).find((v) => v !== '' && !CONTROL.test(v));
  if (value !== undefined) return value;
  throw new Error(`AuthLDAPRemoteUserAttribute ${config.remoteUserAttribute} is absent from ${entry.dn}: no user name to give the app`);
}

/** Builds the hook over a directory. */
export function createCheckPassword(config: LdapConfig, directory: Directory, logger: Logger): LdapCheckPassword {
  return async function check_password(environ, user, password) {
    // An empty simple bind is an anonymous success on many servers: refused before any traffic.
    if (password === '') return false;
    const entry = await findUser(config, directory, user, logger);
    if (entry === null) return null;
    const bound = await directory.checkPassword(entry.dn, password);
    if (bound === 'gone') return null;
    if (bound === 'denied') return false;
    const name = remoteUser(config, entry, user);
    const attributes = grantAttributes(config, entry);
    rememberUser(environ, { key: config.key, typed: user, user: name, dn: entry.dn, attributes });
    return name === user ? { attributes } : { user: name, attributes };
  };
}
