import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeConfig, verifyHooks } from '../../src/config/check-config.js';
import { compileConfig } from '../../src/config/compile.js';
import { compileText, PLAIN_FILE_PROVIDERS } from '../helpers/apache.js';
import { tempDir, writeScript } from '../helpers/index.js';

const CONF = `AuthType Basic
AuthName Staff
AuthBasicProvider file wsgi
AuthUserFile users.txt
WSGIAuthUserScript auth.ts
Require valid-user
<Location /digest>
  AuthType Digest
  AuthDigestProvider wsgi
  AuthDigestAlgorithm MD5
  AuthDigestNonceLifetime 60
  WSGIAccessScript auth.ts
  SetEnv TIER gold
</Location>
<Location /open>
  AuthType None
  Require all granted
</Location>
<LocationMatch "\\.pdf$">
  Require user spy
</LocationMatch>
<Location /ldap>
  AuthLDAPURL "ldap://ldap.example.com/dc=example,dc=com?uid" STARTTLS
  WSGIApplicationGroup %{GLOBAL}
</Location>
WSGIDaemonProcess site processes=2 threads=4
`;

function describe(): string {
  const c = compileText(CONF, { providerFactories: PLAIN_FILE_PROVIDERS, files: { 'users.txt': 'alice:x\n' } });
  c.close();
  return describeConfig(c);
}

test('check-config lists the providers in chain order with what each is', () => {
  assert.match(describe(), /<Location \/>  \(authhook\.conf:1\)\n  AuthType Basic, AuthName "Staff"\n  Basic providers, in order:\n    1\. file \(file:.*users\.txt:Basic\)\n    2\. wsgi \(.*auth\.ts\)\n/);
});

test('check-config shows a deeper location merged: Digest settings, the access script, SetEnv', () => {
  const out = describe();
  assert.match(out, /<Location \/digest>  \(authhook\.conf:1 \+ authhook\.conf:7\)\n  AuthType Digest, AuthName "Staff"\n  Digest providers, in order:\n    1\. wsgi .*\n  digest algorithms: MD5; nonce lifetime 60 s\n  Require:\n    Require valid-user\n/);
  assert.match(out, /access script \(allow_access\): .*auth\.ts\n  SetEnv: TIER="gold"/);
});

test('check-config says plainly when a location is open, and shows regex sections and LDAP and groups', () => {
  const out = describe();
  assert.match(out, /<Location \/open>.*\n  AuthType None\n  Require:\n    Require all granted\n/);
  assert.match(out, /<LocationMatch "\\\\.pdf\$">  \(authhook\.conf:19; applies over the prefix sections that cover the request\)/);
  assert.match(out, /LDAP: ldap:\/\/ldap\.example\.com\/dc=example,dc=com\?uid STARTTLS\n  WSGIApplicationGroup %\{GLOBAL\}/);
  assert.match(out, /Daemon process groups .*\n  site: processes=2 threads=4  \(authhook\.conf:26\)/);
});

test('check-config describes a typed config too (it has no mounts)', () => {
  const dir = tempDir();
  writeScript('export const check_password = () => true;\n', 'auth.ts', dir);
  const c = compileConfig({ baseDir: dir, locations: [{ path: '/', authType: 'Basic', authName: 'T', authUserScript: 'auth.ts', require: 'valid-user' }] });
  c.close();
  assert.match(describeConfig(c), /<Location \/>  \(locations\.0\)\n  AuthType Basic, AuthName "T"/);
  assert.doesNotMatch(describeConfig(c), /Mounts/);
});

test('verifyHooks refuses a script that lacks the hook its location calls', async () => {
  const c = compileText('AuthType Basic\nAuthName S\nAuthBasicProvider wsgi\nWSGIAuthUserScript hooks.ts\nRequire valid-user\n', {
    files: { 'hooks.ts': 'export function groups_for_user() { return []; }\n' },
  });
  await assert.rejects(verifyHooks(c.model), (err: Error & { code?: string; where?: string }) => {
    assert.equal(err.code, 'AUTHHOOK_ERR_CONFIG_INVALID');
    assert.equal(err.where, 'authhook.conf:1');
    assert.match(err.message, /exports no check_password/);
    return true;
  });
  c.close();
});

test('verifyHooks refuses a script that does not load', async () => {
  const c = compileText('AuthType Basic\nAuthName S\nAuthBasicProvider wsgi\nWSGIAuthUserScript broken.ts\nRequire valid-user\n', {
    files: { 'broken.ts': 'export function check_password( {\n' },
  });
  await assert.rejects(verifyHooks(c.model), /does not load/);
  c.close();
});
