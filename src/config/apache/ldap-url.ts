/**
 * The `AuthLDAPURL` shape (RFC 4516, as mod_authnz_ldap reads it):
 * `ldap[s]://host[:port]/BASE?ATTR[,ATTR…]?SCOPE?FILTER`.
 * @module
 */

/** An `AuthLDAPURL`, taken apart, with mod_authnz_ldap's defaults filled in. */
export interface LdapUrl {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly base: string;
  /** The first is the attribute the user name is matched against (default `uid`). */
  readonly attributes: readonly string[];
  readonly scope: 'one' | 'sub' | 'base';
  /** Default `(objectClass=*)`. */
  readonly filter: string;
}

const URL_SHAPE = /^(ldaps?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?(?:\/([^?]*)(.*))?$/s;
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function balanced(filter: string): boolean {
  let depth = 0;
  for (const c of filter) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function queryParts(query: string): { attributes: string[]; scope: LdapUrl['scope']; filter: string } | string {
  const [attrs = '', scopeText = '', filterText = '', ...extensions] = query === '' ? [] : query.slice(1).split('?');
  if (extensions.length > 0) return 'URL extensions are not supported';
  const attributes = attrs === '' ? ['uid'] : attrs.split(',');
  const badAttr = attributes.find((a) => !ATTRIBUTE.test(a));
  if (badAttr !== undefined) return `"${badAttr}" is not an attribute name`;
  const scope = (scopeText === '' ? 'sub' : scopeText.toLowerCase()) as LdapUrl['scope'];
  if (scope !== 'one' && scope !== 'sub' && scope !== 'base') return `the scope must be one, sub or base, not "${scopeText}"`;
  const filter = decode(filterText);
  if (filter === undefined) return 'the filter has a bad %-escape';
  if (!balanced(filter)) return `the filter's parentheses do not balance: ${filter}`;
  return { attributes, scope, filter: filter === '' ? '(objectClass=*)' : filter };
}

/**
 * Parses an `AuthLDAPURL`; returns the reason as a string when it is not one.
 * @example parseLdapUrl('ldap://ldap.example.com/ou=people,dc=example,dc=com?uid?sub?(objectClass=person)')
 */
export function parseLdapUrl(url: string): LdapUrl | string {
  const m = URL_SHAPE.exec(url);
  if (m === null) return 'expected ldap://host[:port]/base?attributes?scope?filter (or ldaps://)';
  const secure = m[1] === 'ldaps';
  const port = m[3] === undefined ? (secure ? 636 : 389) : Number(m[3]);
  if (port < 1 || port > 65535) return `port ${m[3]!} is out of range`;
  const base = decode(m[4] ?? '');
  if (base === undefined) return 'the base DN has a bad %-escape';
  const query = queryParts(m[5] ?? '');
  if (typeof query === 'string') return query;
  return Object.freeze({ secure, host: m[2]!, port, base, ...query, attributes: Object.freeze(query.attributes) });
}
