import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileText, configError, PLAIN_FILE_PROVIDERS } from '../helpers/apache.js';
import { describeRequire } from '../../src/authz/require-parse.js';
import type { PolicyDirectives } from '../../src/config/model.js';
import { createEngine } from '../../src/engine/decide.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';

const SCRIPT = 'AuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\n';

/** The directives of the section at `path` (the top level is `/`). */
function at(conf: string, path = '/x', options: Parameters<typeof compileText>[1] = {}): PolicyDirectives {
  const c = compileText(conf, options);
  c.close();
  const s = c.model.sections.find((x) => x.path === path);
  assert.ok(s, `no section ${path}`);
  return s.directives;
}

const loc = (body: string) => `AuthType Basic\nAuthName Top\n${SCRIPT}Require valid-user\n<Location /x>\n${body}\n</Location>\n`;

test('AuthType Basic, Digest and None map to the model (case-insensitive)', () => {
  assert.equal(at(loc('AuthType digest\nAuthDigestProvider wsgi')).authType, 'Digest');
  assert.equal(at(loc('AuthType BASIC')).authType, 'Basic');
  assert.equal(at(loc('AuthType None\nRequire all granted')).authType, null);
});

test('AuthType with another scheme is an error naming what is expected', () => {
  const err = configError(loc('AuthType Form'));
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /AuthType: expected Basic, Digest or None, not "Form"/);
});

test('AuthName takes one quoted realm', () => {
  assert.equal(at(loc('AuthName "Back Office"')).authName, 'Back Office');
  assert.match(configError(loc('AuthName Back Office')).message, /AuthName: wrong number of arguments; expected AuthName "realm"/);
});

test('AuthBasicProvider and AuthDigestProvider keep their order', () => {
  const d = at(loc('AuthBasicProvider wsgi file\nAuthDigestProvider file wsgi\nAuthUserFile users.txt'), '/x', {
    providerFactories: PLAIN_FILE_PROVIDERS,
    files: { 'users.txt': 'alice:wonderland\n' },
  });
  assert.deepEqual(d.basicProviders, ['wsgi', 'file']);
  assert.deepEqual(d.digestProviders, ['file', 'wsgi']);
});

test('AuthUserFile and AuthGroupFile are relative to the config file and must exist', () => {
  const c = compileText(loc('AuthUserFile etc/users.txt\nAuthGroupFile etc/groups.txt'), {
    providerFactories: PLAIN_FILE_PROVIDERS,
    files: { 'etc/users.txt': 'alice:x\n', 'etc/groups.txt': 'staff: alice\n' },
  });
  c.close();
  const d = c.model.sections.find((s) => s.path === '/x')!.directives;
  assert.equal(d.authUserFile, join(c.file, '..', 'etc', 'users.txt'));
  assert.equal(d.authGroupFile, join(c.file, '..', 'etc', 'groups.txt'));
  assert.match(configError(loc('AuthUserFile nope.txt')).message, /AuthUserFile: file not found/);
});

test('AuthDigestAlgorithm takes one or both algorithms, in the order offered', () => {
  assert.deepEqual(at(loc('AuthDigestAlgorithm MD5')).digestAlgorithms, ['MD5']);
  assert.deepEqual(at(loc('AuthDigestAlgorithm sha-256 MD5')).digestAlgorithms, ['SHA-256', 'MD5']);
  assert.match(configError(loc('AuthDigestAlgorithm MD5-sess')).message, /not supported/);
  assert.match(configError(loc('AuthDigestAlgorithm SHA-512')).message, /expected MD5 or SHA-256/);
});

test('AuthDigestNonceLifetime takes a positive number of seconds', () => {
  assert.equal(at(loc('AuthDigestNonceLifetime 60')).nonceLifetimeS, 60);
  assert.equal(configError(loc('AuthDigestNonceLifetime 0')).where, 'authhook.conf:7');
  configError(loc('AuthDigestNonceLifetime -5'));
});

test('several Require lines at one level are an implicit <RequireAny>', () => {
  const d = at(loc('Require user spy\nRequire ip 10.0.0.0/8'));
  assert.equal(describeRequire(d.require!), '<RequireAny>\n  Require user spy\n  Require ip 10.0.0.0/8\n</RequireAny>');
});

test('<RequireAll>, <RequireAny> and <RequireNone> nest', () => {
  const body = '<RequireAll>\n  Require valid-user\n  <RequireAny>\n    Require wsgi-group secret-agents\n    Require user witness\n  </RequireAny>\n  <RequireNone>\n    Require ip 192.0.2.0/24\n  </RequireNone>\n</RequireAll>';
  assert.equal(
    describeRequire(at(loc(body)).require!),
    '<RequireAll>\n  Require valid-user\n  <RequireAny>\n    Require wsgi-group secret-agents\n    Require user witness\n  </RequireAny>\n  <RequireNone>\n    Require ip 192.0.2.0/24\n  </RequireNone>\n</RequireAll>',
  );
});

test('a Require line next to a <RequireAll> at one level joins the same implicit <RequireAny>', () => {
  const d = at(loc('Require ip 127.0.0.1\n<RequireAll>\nRequire valid-user\nRequire method GET\n</RequireAll>'));
  assert.equal(d.require!.kind, 'any');
});

test('a negative Require at the section level is refused, as Apache does', () => {
  const err = configError(loc('Require valid-user\nRequire not ip 10.0.0.0/8'));
  assert.equal(err.where, 'authhook.conf:8');
  assert.match(err.message, /has no effect in <RequireAny>/);
});

test('an empty <RequireAll> is an error at its line', () => {
  assert.equal(configError(loc('<RequireAll>\n</RequireAll>')).where, 'authhook.conf:7');
});

test('only Require lines may stand in a <RequireAll>', () => {
  const err = configError(loc('<RequireAll>\nRequire valid-user\nAuthName Nope\n</RequireAll>'));
  assert.equal(err.where, 'authhook.conf:9');
  assert.match(err.message, /not allowed in <RequireAll>/);
});

test('Require arguments keep their quoting', () => {
  assert.equal(describeRequire(at(loc('Require wsgi-group "secret agents" staff')).require!), 'Require wsgi-group "secret agents" staff');
});

test('AuthzSendForbiddenOnFailure takes On or Off', () => {
  assert.equal(at(loc('AuthzSendForbiddenOnFailure On')).forbiddenOnFailure, true);
  assert.equal(at(loc('AuthzSendForbiddenOnFailure off')).forbiddenOnFailure, false);
  assert.match(configError(loc('AuthzSendForbiddenOnFailure yes')).message, /expected On or Off/);
});

test('WSGIAuthUserScript, WSGIAuthGroupScript and WSGIAccessScript are one source per script path', () => {
  const c = compileText(loc('WSGIAuthUserScript auth.ts\nWSGIAuthGroupScript auth.ts\nWSGIAccessScript access.ts'), {
    files: { 'access.ts': 'export function allow_access() { return null; }\n' },
  });
  c.close();
  const d = c.model.sections.find((s) => s.path === '/x')!.directives;
  assert.equal(d.authUserScript, d.authGroupScript);
  assert.equal(d.accessScript!.label, join(c.file, '..', 'access.ts'));
  assert.deepEqual(c.hookScripts.map((h) => [h.directive, h.applicationGroup]), [
    ['WSGIAuthUserScript', '%{GLOBAL}'],
    ['WSGIAuthUserScript', '%{GLOBAL}'],
    ['WSGIAuthGroupScript', '%{GLOBAL}'],
    ['WSGIAccessScript', '%{GLOBAL}'],
  ]);
});

test('a hook script takes application-group= and records it', () => {
  const c = compileText(loc('WSGIAuthGroupScript auth.ts application-group=agents'));
  c.close();
  assert.equal(c.hookScripts.at(-1)!.applicationGroup, 'agents');
});

test('any other hook script option, process-group= included, is mod_wsgi\'s "Invalid option" error', () => {
  const err = configError(loc('WSGIAuthUserScript auth.ts process-group=site'));
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /WSGIAuthUserScript: Invalid option to WSGI auth user script definition\./);
  assert.match(configError(loc('WSGIAccessScript auth.ts foo')).message, /Invalid option to WSGI access script definition\./);
});

test('an empty application-group= is an error', () => {
  assert.match(configError(loc('WSGIAuthUserScript auth.ts application-group=')).message, /Invalid name for WSGI application group\./);
});

test('a hook script that does not exist is an error at its line', () => {
  const err = configError(loc('WSGIAuthUserScript missing.ts'));
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /hook script not found/);
});

test('SetEnv sets variables for the section; a value may be left out', () => {
  assert.deepEqual(at(loc('SetEnv AREA staff\nSetEnv EMPTY')).setEnv, { AREA: 'staff', EMPTY: '' });
  assert.match(configError(loc('SetEnv 1BAD x')).message, /not a usable variable name/);
});

test('AuthMerging Off is accepted; And and Or are refused rather than ignored', () => {
  at(loc('AuthMerging Off'));
  assert.match(configError(loc('AuthMerging And')).message, /not supported/);
});

test('WSGIScriptReloading Off makes scripts load once', () => {
  const c = compileText(`WSGIScriptReloading Off\n${loc('')}`);
  c.close();
  assert.equal(c.model.global.scriptReloading, false);
  assert.equal(compileText(loc('')).model.global.scriptReloading, true);
});

test('authhook\'s own AuthhookHookTimeout and AuthhookNonceSecret set the global settings', () => {
  const c = compileText(`AuthhookHookTimeout 2.5\nAuthhookNonceSecret "a secret of some length"\n${loc('')}`);
  c.close();
  assert.equal(c.model.global.hookTimeoutMs, 2500);
  assert.equal(Buffer.from(c.model.global.nonceSecret).toString(), 'a secret of some length');
  assert.match(configError(`AuthhookNonceSecret short\n${loc('')}`).message, /16 characters/);
});

test('ServerName and Listen are recorded for serve; LoadModule is accepted and ignored', () => {
  const c = compileText(`LoadModule wsgi_module modules/mod_wsgi.so\nServerName https://WWW.Example.com:8443\nListen 127.0.0.1:8080\n${loc('')}`);
  c.close();
  assert.deepEqual(c.server, { serverName: 'www.example.com', listen: ['127.0.0.1:8080'] });
  assert.match(configError(`Listen eighty\n${loc('')}`).message, /expected \[address:\]port/);
});

test('<AuthnProviderAlias file NAME> becomes a named provider a location can chain', async () => {
  const conf = '<AuthnProviderAlias file staff>\n  AuthUserFile staff.txt\n</AuthnProviderAlias>\nAuthType Basic\nAuthName S\nAuthBasicProvider staff wsgi\nWSGIAuthUserScript auth.ts\nRequire valid-user\n';
  const c = compileText(conf, { providerFactories: PLAIN_FILE_PROVIDERS, files: { 'staff.txt': 'alice:wonderland\n' } });
  c.close();
  assert.deepEqual(Object.keys(c.model.providers), ['staff']);
  const engine = createEngine(c.model, { logger: memoryLogger() });
  const ask = (u: string, p: string) => engine.decide({ environ: environ(), authorization: basic(u, p), authorizationCount: 1 });
  assert.equal((await ask('alice', 'wonderland')).status, 200);
  assert.equal((await ask('spy', 'secret')).status, 200);
  assert.equal((await ask('alice', 'nope')).status, 401);
});

test('a file alias used for both Basic and Digest answers both', async () => {
  const conf = '<AuthnProviderAlias file staff>\n  AuthUserFile staff.txt\n</AuthnProviderAlias>\nAuthType Basic\nAuthName S\nAuthBasicProvider staff\nRequire valid-user\n<Location /d>\nAuthType Digest\nAuthDigestProvider staff\n</Location>\n';
  const c = compileText(conf, { providerFactories: PLAIN_FILE_PROVIDERS, files: { 'staff.txt': 'alice:wonderland\n' } });
  c.close();
  const mod = await c.model.providers.staff!.current();
  assert.equal(typeof mod.check_password, 'function');
  assert.equal(typeof mod.get_realm_hash, 'function');
});

test('<AuthnProviderAlias wsgi NAME> is that script, with its application-group', () => {
  const conf = '<AuthnProviderAlias wsgi agents>\n  WSGIAuthUserScript auth.ts application-group=agents\n</AuthnProviderAlias>\nAuthType Basic\nAuthName S\nAuthBasicProvider agents\nRequire valid-user\n';
  const c = compileText(conf);
  c.close();
  assert.equal(c.model.providers.agents!.label, join(c.file, '..', 'auth.ts'));
  assert.deepEqual(c.hookScripts.map((h) => [h.applicationGroup, h.where]), [['agents', 'authhook.conf:2']]);
  assert.deepEqual(c.model.sections.map((s) => s.path), ['/']);
});
