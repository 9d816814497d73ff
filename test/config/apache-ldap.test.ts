import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileText, configError } from '../helpers/apache.js';
import { parseLdapUrl } from '../../src/config/apache/ldap-url.js';
import { foldDirectives } from '../../src/config/merge.js';
import type { LdapSettings, ProviderFactories } from '../../src/config/model.js';
import { staticSource } from '../../src/hooks/load-script.js';

const URL = 'ldap://ldap.example.com/ou=people,dc=example,dc=com?uid?sub?(objectClass=person)';

test('an LDAP URL is taken apart with mod_authnz_ldap\'s defaults', () => {
  assert.deepEqual(parseLdapUrl('ldap://ldap.example.com/dc=example,dc=com'), {
    secure: false, host: 'ldap.example.com', port: 389, base: 'dc=example,dc=com', attributes: ['uid'], scope: 'sub', filter: '(objectClass=*)',
  });
  const u = parseLdapUrl('ldaps://[::1]:1636/ou=people,dc=x?uid,cn,mail?one?objectClass=person');
  assert.ok(typeof u !== 'string');
  assert.deepEqual([u.secure, u.host, u.port, u.attributes, u.scope, u.filter], [true, '[::1]', 1636, ['uid', 'cn', 'mail'], 'one', 'objectClass=person']);
});

test('LDAP URLs that are not the right shape are refused with the reason', () => {
  assert.match(String(parseLdapUrl('http://ldap.example.com/dc=x')), /expected ldap:\/\//);
  assert.match(String(parseLdapUrl('ldap://ldap.example.com/dc=x?uid?tree')), /scope must be one, sub or base/);
  assert.match(String(parseLdapUrl('ldap://ldap.example.com:99999/dc=x')), /out of range/);
  assert.match(String(parseLdapUrl('ldap://ldap.example.com/dc=x?u_id')), /not an attribute name/);
  assert.match(String(parseLdapUrl('ldap://ldap.example.com/dc=x?uid?sub?(uid=a')), /parentheses do not balance/);
  assert.match(String(parseLdapUrl('ldap://ldap.example.com/dc=x?uid?sub?(a=b)?ext')), /extensions/);
});

test('AuthLDAP* directives fill the location\'s ldap settings', () => {
  const conf = `<Location /x>\nAuthLDAPURL "${URL}" STARTTLS\nAuthLDAPBindDN "cn=search,dc=example,dc=com"\nAuthLDAPBindPassword "\${LDAP_PW}"\nAuthLDAPRemoteUserAttribute uid\nAuthLDAPGroupAttribute member\nAuthLDAPGroupAttribute uniqueMember\nAuthLDAPGroupAttributeIsDN off\nAuthLDAPMaxSubGroupDepth 3\n</Location>\n`;
  const c = compileText(conf, { env: { LDAP_PW: 'pw from env' } });
  c.close();
  assert.deepEqual(c.model.sections[0]!.directives.ldap, {
    url: URL, startTls: true, bindDN: 'cn=search,dc=example,dc=com', bindPassword: 'pw from env', remoteUserAttribute: 'uid',
    groupAttributes: ['member', 'uniqueMember'], groupAttributeIsDN: false, maxSubGroupDepth: 3,
  });
});

test('server-wide LDAP settings go into the top level, so every location inherits them', () => {
  const c = compileText('LDAPTrustedGlobalCert CA_BASE64 ca.pem\nLDAPVerifyServerCert On\nLDAPTimeout 3\n', { files: { 'ca.pem': 'pem' } });
  c.close();
  assert.deepEqual(c.model.sections[0]!.directives.ldap, { trustedCert: join(c.file, '..', 'ca.pem'), verifyServerCert: true, timeoutMs: 3000 });
});

test('AuthLDAPURL mode words must agree with the scheme', () => {
  assert.match(configError(`AuthLDAPURL "ldaps://h/dc=x" STARTTLS\n`).message, /contradicts an ldaps:\/\/ URL/);
  assert.match(configError(`AuthLDAPURL "ldap://h/dc=x" SSL\n`).message, /SSL needs an ldaps:\/\/ URL/);
  assert.match(configError(`AuthLDAPURL "ldap://h/dc=x" SOMETIMES\n`).message, /expected STARTTLS, TLS, SSL or NONE/);
  const err = configError('\nAuthLDAPURL "ldap://h/dc=x?uid?tree"\n');
  assert.equal(err.where, 'authhook.conf:2');
  assert.match(err.message, /AuthLDAPURL: the scope must be one, sub or base/);
});

test('LDAP value errors: exec: passwords, bad attributes, bad depth, other certificate types', () => {
  assert.match(configError('AuthLDAPBindPassword exec:/bin/get-pw\n').message, /exec: is not supported/);
  assert.match(configError('AuthLDAPGroupAttribute "member of"\n').message, /not an attribute name/);
  assert.match(configError('AuthLDAPMaxSubGroupDepth deep\n').message, /whole number/);
  assert.match(configError('LDAPTrustedGlobalCert CA_DER ca.der\n').message, /only CA_BASE64/);
  assert.match(configError('<Location /x>\nLDAPVerifyServerCert Off\n</Location>\n').message, /only at the top level/);
});

test('an <AuthnProviderAlias ldap> is built through the LDAP factory with defaults and the server-wide settings', () => {
  const seen: LdapSettings[] = [];
  const factories: ProviderFactories = {
    ldap(settings) {
      seen.push(settings);
      return staticSource('ldap', { check_password: () => null });
    },
  };
  const conf = `LDAPVerifyServerCert Off\n<AuthnProviderAlias ldap corp>\nAuthLDAPURL "${URL}"\nAuthLDAPBindDN cn=s\n</AuthnProviderAlias>\nAuthType Basic\nAuthName Corp\nAuthBasicProvider corp\nRequire valid-user\n`;
  const c = compileText(conf, { providerFactories: factories });
  c.close();
  assert.ok(c.model.providers.corp);
  assert.equal(seen.length, 1);
  assert.deepEqual(
    [seen[0]!.url, seen[0]!.bindDN, seen[0]!.verifyServerCert, seen[0]!.groupAttributes, seen[0]!.maxSubGroupDepth],
    [URL, 'cn=s', false, ['member', 'uniqueMember'], 10],
  );
});

test('Require ldap-* lines are unknown until the LDAP provider registers them', () => {
  // The LDAP work registers these; until then, the reader reports them like any unknown provider.
  const c = (() => {
    try {
      return compileText('AuthType Basic\nAuthName A\nAuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\nRequire ldap-group cn=admins,dc=x\n');
    } catch (err) {
      return err as Error;
    }
  })();
  if (c instanceof Error) assert.match(c.message, /authhook.conf:5: Require: unknown provider "ldap-group"/);
  else c.close();
});

test('a section with any AuthLDAP* directive has none of the outer ones (mod_authnz_ldap has no merger); mod_ldap\'s server-wide settings stay', () => {
  const conf = `LDAPTimeout 3\n<Location /x>\nAuthLDAPURL "${URL}"\nAuthLDAPBindDN cn=s\nAuthLDAPBindPassword pw\n</Location>\n<Location /x/group>\nAuthLDAPGroupAttribute uniqueMember\n</Location>\n<Location /x/plain>\nRequire all granted\n</Location>\n`;
  const c = compileText(conf);
  c.close();
  const [top, x, group, plain] = c.model.sections;
  assert.deepEqual(foldDirectives([top!, x!, group!]).ldap, { timeoutMs: 3000, groupAttributes: ['uniqueMember'] });
  assert.deepEqual(foldDirectives([top!, x!, plain!]).ldap, { timeoutMs: 3000, url: URL, startTls: false, bindDN: 'cn=s', bindPassword: 'pw' });
});

test('an LDAP provider in a section that dropped the outer AuthLDAPURL is a start-up error that says why', () => {
  const conf = `<Location /x>\nAuthType Basic\nAuthName X\nAuthBasicProvider ldap\nAuthLDAPURL "${URL}"\nRequire valid-user\n</Location>\n<Location /x/y>\nAuthLDAPGroupAttribute uniqueMember\n</Location>\n`;
  const err = configError(conf, { providerFactories: { ldap: () => staticSource('ldap', { check_password: () => null }) } });
  assert.match(err.message, /AuthBasicProvider ldap needs AuthLDAPURL \(a section that sets any AuthLDAP\* directive has none of the outer sections' ones/);
});
