/**
 * LdapSettings checked and compiled once: the URL parsed, the TLS options read, and the keys
 * that tell which providers and pools may be shared.
 * @module
 */
import { createHash } from 'node:crypto';
import { ConfigError } from '../../src/errors.js';
import type { LdapSettings } from '../../src/config/model.js';
import { tlsOptions, type ConnectionSettings } from './connection.js';
import { parseLdapUrl, type LdapUrl } from './url.js';

/** Settings ready for use. */
export interface LdapConfig {
  /** Same key = same behaviour: one provider serves every location with these settings. */
  readonly key: string;
  /** Same key = same server and search identity: one pool. */
  readonly directoryKey: string;
  readonly url: LdapUrl;
  /** The attribute the user name is matched against (the URL's first). */
  readonly attribute: string;
  /** What the authentication search asks for: the URL's attributes and the remote-user one. */
  readonly searchAttributes: readonly string[];
  readonly connection: ConnectionSettings;
  readonly bindDN: string | null;
  readonly bindPassword: string | null;
  readonly remoteUserAttribute: string | null;
  readonly groupAttributes: readonly string[];
  readonly groupAttributeIsDN: boolean;
  readonly maxSubGroupDepth: number;
}

const compiled = new WeakMap<LdapSettings, LdapConfig>();

function check(s: LdapSettings): void {
  if (s.url.trim().toLowerCase().startsWith('ldaps:') && s.startTls) {
    throw new ConfigError('AuthLDAPURL: STARTTLS cannot be used with an ldaps:// URL');
  }
  // A DN with an empty password is an unauthenticated bind, which many servers answer as anonymous success.
  if (s.bindDN !== null && (s.bindPassword === null || s.bindPassword === '')) {
    throw new ConfigError('AuthLDAPBindDN needs a non-empty AuthLDAPBindPassword');
  }
  if (!Number.isInteger(s.maxSubGroupDepth) || s.maxSubGroupDepth < 0) {
    throw new ConfigError('AuthLDAPMaxSubGroupDepth must be a whole number, 0 or more');
  }
  if (!(s.timeoutMs > 0)) throw new ConfigError('the LDAP time limit must be a positive number of milliseconds');
  if (s.groupAttributes.length === 0) throw new ConfigError('AuthLDAPGroupAttribute: at least one attribute is needed');
}

// The bind password goes into a key only as a hash, so a key in a log or heap dump gives nothing away.
function secretPart(secret: string | null): string | null {
  return secret === null ? null : createHash('sha256').update(secret, 'utf8').digest('base64');
}

/** Compiles settings (memoised per settings object); throws a ConfigError for unusable ones. */
export function compileLdapSettings(s: LdapSettings): LdapConfig {
  const hit = compiled.get(s);
  if (hit !== undefined) return hit;
  check(s);
  const url = parseLdapUrl(s.url);
  const connection: ConnectionSettings = Object.freeze({
    url,
    startTls: s.startTls,
    timeoutMs: s.timeoutMs,
    tls: tlsOptions(s.trustedCert, s.verifyServerCert),
  });
  const directoryKey = JSON.stringify([
    url.secure,
    url.hosts,
    s.startTls,
    s.timeoutMs,
    s.trustedCert,
    s.verifyServerCert,
    s.bindDN,
    secretPart(s.bindPassword),
  ]);
  const rest = [s.url, s.remoteUserAttribute, s.groupAttributes, s.groupAttributeIsDN, s.maxSubGroupDepth];
  const searchAttributes = [...url.attributes];
  if (s.remoteUserAttribute !== null && !searchAttributes.some((a) => a.toLowerCase() === s.remoteUserAttribute!.toLowerCase())) {
    searchAttributes.push(s.remoteUserAttribute);
  }
  const config: LdapConfig = Object.freeze({
    key: JSON.stringify([directoryKey, ...rest]),
    directoryKey,
    url,
    attribute: url.attributes[0]!,
    searchAttributes: Object.freeze(searchAttributes),
    connection,
    bindDN: s.bindDN,
    bindPassword: s.bindPassword,
    remoteUserAttribute: s.remoteUserAttribute,
    groupAttributes: Object.freeze([...s.groupAttributes]),
    groupAttributeIsDN: s.groupAttributeIsDN,
    maxSubGroupDepth: s.maxSubGroupDepth,
  });
  compiled.set(s, config);
  return config;
}
