/**
 * Escaping of untrusted text for LDAP: filter assertion values (RFC 4515 §3) and DN
 * attribute values (RFC 4514 §2.4). A user name never reaches a filter or DN unescaped.
 * @module
 */

const FILTER_SPECIALS = /[*()\\\u0000]/g;

/**
 * Escapes a value for an LDAP filter (RFC 4515 §3): `*` `(` `)` `\` and NUL become `\2a`
 * `\28` `\29` `\5c` `\00`. Other characters, non-ASCII included, go through as UTF-8.
 * @example escapeFilterValue('*)(uid=*') // '\\2a\\29\\28uid=\\2a'
 */
export function escapeFilterValue(value: string): string {
  return value.replace(FILTER_SPECIALS, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

/**
 * Escapes a value for one RDN of a DN (RFC 4514 §2.4): `"` `+` `,` `;` `<` `>` `\` and `=`
 * get a backslash, as do a leading `#` or space and a trailing space; NUL becomes `\00`.
 * @example escapeDnValue('Smith, John') // 'Smith\\, John'
 */
export function escapeDnValue(value: string): string {
  let out = value.replace(/["+,;<>\\=]/g, '\\$&').replace(/\u0000/g, '\\00');
  if (out.startsWith('#') || out.startsWith(' ')) out = '\\' + out;
  // A trailing space is escaped (RFC 4514 §2.4); a lone space already was, as the leading one.
  if (value.length > 1 && value.endsWith(' ')) out = out.slice(0, -1) + '\\ ';
  return out;
}

/** `(F)` for a filter written with or without its outer parentheses. */
export function parenthesize(filter: string): string {
  const f = filter.trim();
  return f.startsWith('(') ? f : `(${f})`;
}
