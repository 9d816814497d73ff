/**
 * Handlers of the mod_authnz_ldap and mod_ldap directives (SPEC §8): parsed and checked
 * into the model's `ldap` settings now; the LDAP provider gives them effect.
 * @module
 */
import { existsSync } from 'node:fs';
import { parseLdapUrl } from './ldap-url.js';
import { fail, flag, integer, type DirectiveCall } from './values.js';

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

function attribute(call: DirectiveCall): string {
  const a = call.args[0]!;
  if (!ATTRIBUTE.test(a)) throw fail(call, `"${a}" is not an attribute name`);
  return a;
}

/** `AuthLDAPURL "ldap[s]://host:port/BASE?ATTR?SCOPE?FILTER" [STARTTLS|TLS|SSL|NONE]`. */
export function ldapUrl(call: DirectiveCall): void {
  const [url, mode] = call.args as [string, string?];
  const parsed = parseLdapUrl(url);
  if (typeof parsed === 'string') throw fail(call, `${parsed}: "${url}"`);
  const m = mode?.toUpperCase();
  if (m !== undefined && !['STARTTLS', 'TLS', 'SSL', 'NONE'].includes(m)) throw fail(call, `expected STARTTLS, TLS, SSL or NONE after the URL, not "${mode!}"`);
  if (parsed.secure && (m === 'STARTTLS' || m === 'TLS' || m === 'NONE')) throw fail(call, `${mode!} contradicts an ldaps:// URL`);
  if (!parsed.secure && m === 'SSL') throw fail(call, 'SSL needs an ldaps:// URL');
  const ldap = call.section().ldap;
  ldap.url = url;
  ldap.startTls = m === 'STARTTLS' || m === 'TLS';
}

/** `AuthLDAPBindDN dn`. */
export function ldapBindDN(call: DirectiveCall): void {
  call.section().ldap.bindDN = call.args[0]!;
}

/** `AuthLDAPBindPassword secret` (`${VAR}` reads it from the environment; httpd's `exec:` is not supported). */
export function ldapBindPassword(call: DirectiveCall): void {
  const pw = call.args[0]!;
  if (pw.startsWith('exec:')) throw fail(call, 'exec: is not supported; put the password in the environment and write ${VARIABLE}');
  call.section().ldap.bindPassword = pw;
}

/** `AuthLDAPRemoteUserAttribute attr`. */
export function ldapRemoteUserAttribute(call: DirectiveCall): void {
  call.section().ldap.remoteUserAttribute = attribute(call);
}

/** `AuthLDAPGroupAttribute attr`: repeatable; the first in a section replaces the inherited list. */
export function ldapGroupAttribute(call: DirectiveCall): void {
  const ldap = call.section().ldap;
  const a = attribute(call);
  const list = ldap.groupAttributes ?? [];
  if (!list.includes(a)) ldap.groupAttributes = Object.freeze([...list, a]);
}

/** `AuthLDAPGroupAttributeIsDN On|Off`. */
export function ldapGroupAttributeIsDN(call: DirectiveCall): void {
  call.section().ldap.groupAttributeIsDN = flag(call);
}

/** `AuthLDAPMaxSubGroupDepth N` (0 = direct members only). */
export function ldapMaxSubGroupDepth(call: DirectiveCall): void {
  call.section().ldap.maxSubGroupDepth = integer(call, call.args[0]!, 'the depth', 0, 1000);
}

/** `LDAPTrustedGlobalCert CA_BASE64 path` (server-wide): the CA file the LDAP server's certificate is checked against. */
export function ldapTrustedGlobalCert(call: DirectiveCall): void {
  const [type, path] = call.args as [string, string];
  if (type.toUpperCase() !== 'CA_BASE64') throw fail(call, `only CA_BASE64 (a PEM file of CA certificates) is supported, not "${type}"`);
  const abs = call.state.file(path);
  if (!existsSync(abs)) throw fail(call, `file not found: ${abs}`);
  call.state.ldapGlobal.trustedCert = abs;
  call.section().ldap.trustedCert = abs;
}

/** `LDAPVerifyServerCert On|Off` (server-wide). */
export function ldapVerifyServerCert(call: DirectiveCall): void {
  const on = flag(call);
  call.state.ldapGlobal.verifyServerCert = on;
  call.section().ldap.verifyServerCert = on;
}

/** `LDAPTimeout seconds` / `LDAPConnectionTimeout seconds` (server-wide): the time limit of one LDAP operation. */
export function ldapTimeout(call: DirectiveCall): void {
  const ms = integer(call, call.args[0]!, 'the time-out in seconds', 1, 600) * 1000;
  call.state.ldapGlobal.timeoutMs = ms;
  call.section().ldap.timeoutMs = ms;
}
