import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileText, configError } from '../helpers/apache.js';
import { memoryLogger } from '../helpers/index.js';

const AUTH = 'AuthType Basic\nAuthName Staff\nAuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\n';

test('a mistyped Require provider names file, line, directive and a suggestion', () => {
  const err = configError(`${AUTH}<Location /x>\n  Require grup staff\n</Location>\n`);
  assert.equal(err.where, 'authhook.conf:6');
  assert.equal(err.message, 'authhook.conf:6: Require: unknown provider "grup" (did you mean "group"?)');
});

test('an unknown directive is an error with a did-you-mean', () => {
  const err = configError(`${AUTH}AuthBasicProvder wsgi\nRequire valid-user\n`);
  assert.equal(err.where, 'authhook.conf:5');
  assert.equal(err.message, 'authhook.conf:5: AuthBasicProvder: unknown directive (did you mean "AuthBasicProvider"?)');
});

test('with unknownDirectives: warn an unknown directive is logged and skipped', () => {
  const logger = memoryLogger();
  const c = compileText(`${AUTH}FrobnicateHeaders On\nRequire valid-user\n`, { unknownDirectives: 'warn', logger });
  c.close();
  assert.equal(c.model.sections.length, 1);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && /authhook.conf:5: FrobnicateHeaders: unknown directive/.test(l.message)));
});

test('with unknownDirectives: warn an unknown section is skipped whole', () => {
  const logger = memoryLogger();
  const c = compileText(`${AUTH}<Frobnicate x>\nRequire all granted\n</Frobnicate>\nRequire valid-user\n`, { unknownDirectives: 'warn', logger });
  c.close();
  assert.equal(c.model.sections[0]!.directives.require!.kind, 'rule');
  assert.ok(logger.text().includes('unknown section'));
});

test('Order, Allow and Deny are refused even with warnings on: skipping them would open a door', () => {
  const err = configError(`${AUTH}<Location /x>\nOrder deny,allow\nDeny from all\n</Location>\n`, { unknownDirectives: 'warn' });
  assert.equal(err.where, 'authhook.conf:6');
  assert.match(err.message, /Apache 2\.2 access control/);
});

test('<Directory>, <Files> and <VirtualHost> are refused with what to write instead', () => {
  assert.match(configError(`${AUTH}<Directory /srv/app>\nRequire valid-user\n</Directory>\n`).message, /no file system sections/);
  assert.match(configError(`${AUTH}<Files secret.txt>\nRequire all denied\n</Files>\n`, { unknownDirectives: 'warn' }).message, /not supported/);
  assert.match(configError(`<VirtualHost *:80>\n${AUTH}</VirtualHost>\n`).message, /without <VirtualHost>/);
  assert.match(configError(`${AUTH}<Location /x>\n<Limit POST>\nRequire valid-user\n</Limit>\n</Location>\n`).message, /Require method/);
});

test('server-level directives are refused inside a location', () => {
  const err = configError(`${AUTH}Require valid-user\n<Location /x>\nWSGIScriptAlias /app app.ts\n</Location>\n`, { files: { 'app.ts': '' } });
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /WSGIScriptAlias: not allowed in <Location>/);
});

test('a location inside a location is refused', () => {
  assert.match(configError(`${AUTH}<Location /a>\n<Location /a/b>\n</Location>\n</Location>\n`).message, /<Location> cannot occur within <Location>/);
});

test('a <Location> path must be a URL path without wildcards; a <LocationMatch> must compile', () => {
  assert.match(configError(`${AUTH}<Location admin>\n</Location>\n`).message, /starts with "\/"/);
  assert.match(configError(`${AUTH}<Location /admin*>\n</Location>\n`).message, /wildcards are not supported/);
  assert.match(configError(`${AUTH}<LocationMatch "^/(a">\n</LocationMatch>\n`).message, /not a valid regular expression/);
});

test('an unknown AuthBasicProvider name is an error at its line with a suggestion', () => {
  const err = configError(`<AuthnProviderAlias wsgi agents>\nWSGIAuthUserScript auth.ts\n</AuthnProviderAlias>\n${AUTH.replace('AuthBasicProvider wsgi', 'AuthBasicProvider agent')}Require valid-user\n`);
  assert.equal(err.where, 'authhook.conf:6');
  assert.match(err.message, /AuthBasicProvider: unknown provider "agent" \(did you mean "agents"\?\)/);
});

test('the file provider without its factory is an error at the line that uses it', () => {
  const err = configError(`AuthType Basic\nAuthName S\nAuthBasicProvider wsgi file\nAuthUserFile users.txt\nWSGIAuthUserScript auth.ts\nRequire valid-user\n`, {
    files: { 'users.txt': 'a:b\n' },
    providerFactories: {},
  });
  assert.equal(err.where, 'authhook.conf:3');
  assert.match(err.message, /not available/);
});

test('an alias of a provider whose factory is missing is an error where a location uses it', () => {
  const conf = `<AuthnProviderAlias ldap corp>\nAuthLDAPURL ldap://ldap.example.com/dc=example,dc=com?uid\n</AuthnProviderAlias>\n<Location /x>\n${AUTH.replace('AuthBasicProvider wsgi', 'AuthBasicProvider corp wsgi')}Require valid-user\n</Location>\n`;
  // Factories without LDAP (the built-in ones have it).
  const err = configError(conf, { providerFactories: {} });
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /provider "corp" \(<AuthnProviderAlias ldap corp> at authhook.conf:1\) needs the LDAP provider, which is not available/);
});

test('an alias without what its provider needs is an error at the alias', () => {
  assert.match(configError(`<AuthnProviderAlias wsgi empty>\n</AuthnProviderAlias>\n`).message, /needs a WSGIAuthUserScript/);
  assert.match(configError(`<AuthnProviderAlias file f>\n</AuthnProviderAlias>\n`).message, /needs an AuthUserFile/);
});

test('an alias takes only its provider\'s directives', () => {
  const err = configError(`<AuthnProviderAlias wsgi a>\nWSGIAuthUserScript auth.ts\nAuthName Nope\n</AuthnProviderAlias>\n`);
  assert.equal(err.where, 'authhook.conf:3');
  assert.match(configError(`<AuthnProviderAlias wsgi a>\nAuthUserFile x\n</AuthnProviderAlias>\n`).message, /belongs in <AuthnProviderAlias file/);
});

test('alias names: unknown provider kind, a built-in name, or a duplicate are errors', () => {
  assert.match(configError(`<AuthnProviderAlias fiel x>\n</AuthnProviderAlias>\n`).message, /unknown provider "fiel" \(did you mean "file"\?\)/);
  assert.match(configError(`<AuthnProviderAlias wsgi file>\nWSGIAuthUserScript auth.ts\n</AuthnProviderAlias>\n`).message, /built-in provider name/);
  const dup = `<AuthnProviderAlias wsgi a>\nWSGIAuthUserScript auth.ts\n</AuthnProviderAlias>\n`;
  assert.match(configError(dup + dup).message, /already defined \(authhook.conf:1\)/);
});

test('AuthDigestProvider ldap is refused: LDAP has no realm hash', () => {
  assert.match(configError(`AuthType Digest\nAuthName S\nAuthDigestProvider ldap\nRequire valid-user\n`).message, /cannot answer Digest/);
});

test('a Require that needs a user where no AuthType applies is an error at the section', () => {
  const err = configError(`<Location /x>\nRequire valid-user\n</Location>\n`);
  assert.equal(err.where, 'authhook.conf:1');
  assert.match(err.message, /no AuthType applies/);
});

test('AuthType without AuthName is an error at the section', () => {
  assert.match(configError(`<Location /x>\nAuthType Basic\nAuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\nRequire valid-user\n</Location>\n`).message, /needs an AuthName/);
});

test('a directive with the wrong number of arguments says what it takes', () => {
  const err = configError(`${AUTH}AuthDigestNonceLifetime\nRequire valid-user\n`);
  assert.equal(err.where, 'authhook.conf:5');
  assert.match(err.message, /wrong number of arguments; expected AuthDigestNonceLifetime seconds/);
});

test('with warnings on, a near-miss of an access-control name is still an error, never skipped', () => {
  const err = configError(`${AUTH}<Location /x>\nRequir user spy\n</Location>\n`, { unknownDirectives: 'warn' });
  assert.equal(err.where, 'authhook.conf:6');
  assert.match(err.message, /Requir: unknown directive \(did you mean "Require"\?\); not skipped/);
  assert.match(configError(`${AUTH}<Location /x>\n<RequireAl>\nRequire user spy\n</RequireAl>\n</Location>\n`, { unknownDirectives: 'warn' }).message, /did you mean "RequireAll"/);
});
