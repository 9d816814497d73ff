/**
 * `AuthLDAPURL` as mod_authnz_ldap reads it (RFC 4516):
 * `ldap[s]://host[:port][ host2[:port]…]/BASE?ATTR[,ATTR…]?SCOPE?FILTER`.
 * @module
 */
import { FilterParser } from 'ldapts';
import { ConfigError } from '../../src/errors.js';
import { parenthesize } from './escape.js';

/** One server of the URL, tried in order. */
export interface LdapHost {
  readonly host: string;
  readonly port: number;
}

/** A parsed `AuthLDAPURL`. */
export interface LdapUrl {
  readonly secure: boolean;
  readonly hosts: readonly LdapHost[];
  readonly base: string;
  /** The attributes named in the URL; the first is the one the user name is matched against. */
  readonly attributes: readonly string[];
  readonly scope: 'base' | 'one' | 'sub';
  /** The filter with its outer parentheses, checked to parse. */
  readonly filter: string;
}

const ATTRIBUTE = /^[A-Za-z][A-Za-z0-9-]*$/;
const SCOPES: Readonly<Record<string, LdapUrl['scope']>> = { base: 'base', one: 'one', sub: 'sub', '': 'sub' };

function decode(part: string, what: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch (err) {
    throw new ConfigError(`AuthLDAPURL: bad percent-encoding in the ${what} of ${url}`, undefined, { cause: err });
  }
}

function parseHost(text: string, secure: boolean, url: string): LdapHost {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]/]+)?(?::(\d{1,5}))?$/.exec(text);
  if (m === null) throw new ConfigError(`AuthLDAPURL: bad host "${text}" in ${url}`);
  const port = m[2] === undefined ? (secure ? 636 : 389) : Number(m[2]);
  if (port < 1 || port > 65535) throw new ConfigError(`AuthLDAPURL: bad port in ${url}`);
  const host = (m[1] ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
  return Object.freeze({ host, port });
}

/** Checks a filter from the configuration and returns it with outer parentheses. */
export function checkFilter(filter: string, what: string, where?: string): string {
  const f = parenthesize(filter);
  try {
    FilterParser.parseString(`(&${f}(objectClass=*))`);
  } catch (err) {
    throw new ConfigError(`${what}: not a valid LDAP filter: ${filter}`, where, { cause: err });
  }
  return f;
}

/**
 * Parses an `AuthLDAPURL`; defaults as mod_authnz_ldap: attribute `uid`, scope `sub`,
 * filter `(objectClass=*)`. Throws a ConfigError for anything it cannot use.
 * @example parseLdapUrl('ldap://ldap.example.com/ou=people,dc=example,dc=com?uid,cn?sub?(objectClass=person)')
 */
export function parseLdapUrl(url: string): LdapUrl {
  const m = /^(ldaps?):\/\/([^/]*)(?:\/([^?]*)(?:\?([^?]*)(?:\?([^?]*)(?:\?([^?]*)(?:\?(.*))?)?)?)?)?$/i.exec(url.trim());
  if (m === null) throw new ConfigError(`AuthLDAPURL: not an ldap:// or ldaps:// URL: ${url}`);
  const secure = m[1]!.toLowerCase() === 'ldaps';
  const hosts = m[2]!.split(/\s+/).filter(Boolean).map((h) => parseHost(h, secure, url));
  if (hosts.length === 0) hosts.push(parseHost('', secure, url));
  const attributes = (m[4] ?? '').split(',').map((a) => decode(a, 'attributes', url).trim()).filter(Boolean);
  if (attributes.length === 0) attributes.push('uid');
  for (const a of attributes) if (!ATTRIBUTE.test(a)) throw new ConfigError(`AuthLDAPURL: "${a}" is not an attribute name (${url})`);
  const scope = SCOPES[decode(m[5] ?? '', 'scope', url).toLowerCase()];
  if (scope === undefined) throw new ConfigError(`AuthLDAPURL: scope must be base, one or sub (${url})`);
  const extensions = decode(m[7] ?? '', 'extensions', url);
  // RFC 4516 §2: a critical extension that is not understood makes the URL unusable.
  if (extensions.split(',').some((e) => e.trim().startsWith('!'))) throw new ConfigError(`AuthLDAPURL: critical extensions are not supported (${url})`);
  const filterText = decode(m[6] ?? '', 'filter', url).trim();
  const filter = checkFilter(filterText === '' ? 'objectClass=*' : filterText, 'AuthLDAPURL');
  return Object.freeze({
    secure,
    hosts: Object.freeze(hosts),
    base: decode(m[3] ?? '', 'base DN', url),
    attributes: Object.freeze(attributes),
    scope,
    filter,
  });
}
