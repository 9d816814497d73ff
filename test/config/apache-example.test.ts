import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileApacheConfig } from '../../src/config/apache/index.js';
import { verifyHooks } from '../../src/config/check-config.js';
import { createEngine } from '../../src/engine/decide.js';
import { staticSource } from '../../src/hooks/load-script.js';
import type { ProviderFactories } from '../../src/config/model.js';
import type { ConfigError } from '../../src/errors.js';
import { basic, digestAuthorization, environ, memoryLogger } from '../helpers/index.js';

const dir = (name: string): string => fileURLToPath(new URL(`../../examples/apache-migration/${name}`, import.meta.url));

// The htpasswd provider is its own module; here the file provider knows nobody, so the chain
// falls through to auth.ts, which is what these tests look at.
const NOBODY_IN_FILE: ProviderFactories = { userFile: (path) => staticSource(`file:${path}`, { check_password: () => null }) };

const compiled = compileApacheConfig(dir('authhook.conf'), { providerFactories: NOBODY_IN_FILE, env: {}, logger: memoryLogger() });
after(() => compiled.close());
const engine = createEngine(compiled.model, { logger: memoryLogger() });

function ask(path: string, authorization?: string, addr = '127.0.0.1') {
  const env = environ({ REQUEST_URI: path, REMOTE_ADDR: addr });
  return engine.decide({ environ: env, authorization, authorizationCount: authorization === undefined ? 0 : 1 });
}

test('the example authhook.conf compiles, with its two mounts and two daemon groups', async () => {
  assert.deepEqual(compiled.mounts.map((m) => [m.path, m.processGroup]), [['/wiki', 'wiki'], ['/reports', 'reports']]);
  assert.deepEqual(compiled.daemonProcesses.map((d) => [d.name, d.processes, d.threads]), [['wiki', 2, 15], ['reports', 1, 5]]);
  await verifyHooks(compiled.model);
});

test('the example: a contractor unknown to the file is checked by auth.ts', async () => {
  assert.equal((await ask('/wiki/')).status, 401);
  assert.equal((await ask('/wiki/Home', basic('carol', 'contract'))).status, 200);
  assert.equal((await ask('/wiki/Home', basic('carol', 'wrong'))).status, 401);
});

test('the example: /wiki/admin needs the wiki-admins group and answers 403 otherwise', async () => {
  assert.equal((await ask('/wiki/admin/', basic('carol', 'contract'))).status, 200);
  assert.equal((await ask('/wiki/admin/', basic('dave', 'dave-secret'))).status, 403);
});

test('the example: /reports is Digest, and the guest network is refused by the access script', async () => {
  const first = await ask('/reports/q3');
  const challenge = (first.headers['WWW-Authenticate'] as readonly string[])[0]!;
  const auth = digestAuthorization({ challenge, user: 'dave', password: 'dave-secret', method: 'GET', uri: '/reports/q3' });
  assert.equal((await ask('/reports/q3', auth)).status, 200);
  assert.equal((await ask('/reports/q3', undefined, '192.0.2.7')).status, 403);
});

test('the example htpasswd file holds bcrypt hashes, as htpasswd -B makes them', () => {
  const lines = readFileSync(dir('intranet.htpasswd'), 'utf8').trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(':')[0]), ['alice', 'bob']);
  for (const l of lines) assert.match(l, /^[a-z]+:\$2y\$\d\d\$[./A-Za-z0-9]{53}$/);
});

test('the original httpd.conf is refused at <VirtualHost>, saying what to write instead', () => {
  assert.throws(
    () => compileApacheConfig(dir('httpd.conf'), { providerFactories: NOBODY_IN_FILE, env: {} }),
    (err: ConfigError) => err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && err.where === 'httpd.conf:5' && /without <VirtualHost>/.test(err.message),
  );
});

test('the example with the built-in file provider: staff from intranet.htpasswd (bcrypt) chain before auth.ts', async () => {
  const real = compileApacheConfig(dir('authhook.conf'), { env: {}, logger: memoryLogger() });
  try {
    const e = createEngine(real.model, { logger: memoryLogger() });
    const askReal = (path: string, authorization: string) =>
      e.decide({ environ: environ({ REQUEST_URI: path }), authorization, authorizationCount: 1 });
    assert.equal((await askReal('/wiki/admin/', basic('alice', 'wonderland'))).status, 200);
    assert.equal((await askReal('/wiki/admin/', basic('bob', 'builder'))).status, 403);
    assert.equal((await askReal('/wiki/', basic('bob', 'wrong'))).status, 401);
    assert.equal((await askReal('/wiki/', basic('carol', 'contract'))).status, 200);
  } finally {
    real.close();
  }
});
