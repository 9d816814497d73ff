// mod_authn_socache's directives in authhook.conf: `socache` in AuthBasicProvider turns the
// credential cache on for the providers of AuthnCacheProvideFor, as in httpd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import { compileText, configError } from '../helpers/apache.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';

// A check_password that counts its calls in a global shared with the test.
const COUNTING = `
export function check_password(_environ: unknown, user: string, password: string) {
  const g = globalThis as { __socacheCalls?: Record<string, number> };
  g.__socacheCalls ??= {};
  g.__socacheCalls[import.meta.url] = (g.__socacheCalls[import.meta.url] ?? 0) + 1;
  return user === 'ann' ? password === 'pw' : null;
}
`;

const calls = (): number => Object.values((globalThis as { __socacheCalls?: Record<string, number> }).__socacheCalls ?? {}).reduce((a, b) => a + b, 0);

/** How many times check_password ran for three identical good logins at `path`. */
async function hookCallsFor(conf: string, path = '/'): Promise<number> {
  const logger = memoryLogger();
  const c = compileText(conf, { files: { 'count.ts': COUNTING }, logger });
  try {
    const engine = createEngine(c.model, { logger });
    const before = calls();
    for (let i = 0; i < 3; i++) {
      const d = await engine.decide({ environ: environ({ REQUEST_URI: path }), authorization: basic('ann', 'pw'), authorizationCount: 1 });
      assert.equal(d.status, 200);
    }
    return calls() - before;
  } finally {
    c.close();
  }
}

const BASE = 'AuthType Basic\nAuthName "R"\nWSGIAuthUserScript count.ts\nRequire valid-user\n';

test('socache with AuthnCacheProvideFor caches the named provider: one hook call for three logins', async () => {
  assert.equal(await hookCallsFor(`${BASE}AuthBasicProvider socache wsgi\nAuthnCacheProvideFor wsgi\nAuthnCacheTimeout 60\nAuthnCacheSOCache shmcb\n`), 1);
});

test('as in httpd, socache without AuthnCacheProvideFor, or AuthnCacheProvideFor without socache, caches a script provider not at all', async () => {
  assert.equal(await hookCallsFor(`${BASE}AuthBasicProvider socache wsgi\n`), 3);
  assert.equal(await hookCallsFor(`${BASE}AuthBasicProvider wsgi\nAuthnCacheProvideFor wsgi\n`), 3);
});

test('a deeper section whose AuthBasicProvider leaves socache out turns the cache off there', async () => {
  const conf = `${BASE}AuthBasicProvider socache wsgi\nAuthnCacheProvideFor wsgi\n<Location /plain>\nAuthBasicProvider wsgi\n</Location>\n`;
  assert.equal(await hookCallsFor(conf, '/plain/x'), 3);
  assert.equal(await hookCallsFor(conf, '/cached'), 1);
});

test('mod_authn_socache directive errors name the line', () => {
  assert.match(configError('AuthBasicProvider socache\n').message, /list at least one provider after it/);
  assert.match(configError('AuthnCacheTimeout 0\n').message, /AuthnCacheTimeout: seconds must be a whole number, 1 to 86400; not "0"/);
  const unknown = configError(`${BASE}AuthBasicProvider socache wsgi\nAuthnCacheProvideFor wsgii\n`, { files: { 'count.ts': COUNTING } });
  assert.equal(unknown.where, 'authhook.conf:6');
  assert.equal(unknown.message, 'authhook.conf:6: AuthnCacheProvideFor: unknown provider "wsgii" (did you mean "wsgi"?)');
});

test("mod_ldap's cache and pool tuning directives are accepted and noted, not errors", () => {
  const logger = memoryLogger();
  compileText('LDAPCacheTTL 600\nLDAPOpCacheEntries 1024\nLDAPSharedCacheSize 500000\nLDAPRetries 3\nAuthnCacheSOCache shmcb\nAuthnCacheContext server\n', { logger }).close();
  assert.match(logger.text(), /LDAPCacheTTL: ignored: mod_ldap's own cache/);
  assert.match(logger.text(), /LDAPRetries: ignored/);
  assert.match(logger.text(), /AuthnCacheSOCache: ignored/);
});
