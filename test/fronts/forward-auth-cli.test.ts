import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, tempDir } from '../helpers/index.js';
import { runAuthhook, startAuthhook, type Running } from '../helpers/spawn.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url));
const running: Running[] = [];
after(() => Promise.all(running.map((r) => r.stop())));

async function start(args: string[]): Promise<string> {
  const r = await startAuthhook(['forward-auth', '--port', '0', ...args]);
  running.push(r);
  return r.url;
}

function jsonConfig(extra: Record<string, unknown> = {}): string {
  const dir = tempDir();
  const file = join(dir, 'authhook.json');
  const locations = [
    { path: '/', require: 'all granted' },
    { path: '/admin', authType: 'Basic', authName: 'Admin', authUserScript: FIXTURE, require: 'valid-user' },
  ];
  writeFileSync(file, JSON.stringify({ scriptReloading: false, locations, ...extra }));
  return file;
}

test('authhook forward-auth --config FILE.ts serves the example policy with its trusted proxies', async () => {
  const url = await start(['--config', 'examples/nginx/authhook.config.ts']);
  const r = await fetch(url + '/_authhook', { headers: { 'X-Original-URI': '/admin', 'X-Original-Method': 'GET', Authorization: basic('alice', 'wonderland') } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('remote-user'), 'alice');
  assert.equal(r.headers.get('remote-groups'), 'admins,staff');
  assert.equal(await r.text(), '');
});

test('authhook forward-auth --config FILE.json: --trusted-proxy makes the forwarded headers count', async () => {
  const file = jsonConfig();
  const trusting = await start(['--config', file, '--trusted-proxy', '127.0.0.0/8']);
  const ignoring = await start(['--config', file]);
  const headers = { 'X-Forwarded-Uri': '/admin/x', 'X-Forwarded-Method': 'GET' };
  assert.equal((await fetch(trusting + '/_auth', { headers })).status, 401);
  // Without it, a peer naming an original URI is refused: neither that URI nor /_auth is checked.
  assert.equal((await fetch(ignoring + '/_auth', { headers })).status, 403);
  assert.equal((await fetch(ignoring + '/admin/x', { headers: { 'X-Forwarded-Method': 'GET' } })).status, 401, 'other forwarded headers are ignored');
});

test('authhook forward-auth: server options from the JSON "forwardAuth" key, --path-prefix from the flag', async () => {
  const file = jsonConfig({ forwardAuth: { trustedProxies: ['127.0.0.1'], identityHeaders: { user: ['X-Auth-User'] } } });
  const url = await start(['--config', file, '--path-prefix', '/ext_authz']);
  const r = await fetch(url + '/ext_authz/admin/x', { headers: { Authorization: basic('spy', 'secret') } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-auth-user'), 'spy');
  assert.equal(r.headers.get('remote-user'), null);
  assert.equal((await fetch(url + '/admin/x')).status, 404);
});

test('authhook forward-auth --case-insensitive-paths: /ADMIN has the policy of /admin (from the flag or the "forwardAuth" key)', async () => {
  const file = jsonConfig();
  const headers = { 'X-Forwarded-Uri': '/ADMIN/x', 'X-Forwarded-Method': 'GET' };
  const exact = await start(['--config', file, '--trusted-proxy', '127.0.0.1']);
  const folded = await start(['--config', file, '--trusted-proxy', '127.0.0.1', '--case-insensitive-paths']);
  const fromFile = await start(['--config', jsonConfig({ forwardAuth: { trustedProxies: ['127.0.0.1'], caseInsensitivePaths: true } })]);
  assert.equal((await fetch(exact + '/_auth', { headers })).status, 200);
  assert.equal((await fetch(folded + '/_auth', { headers })).status, 401);
  assert.equal((await fetch(fromFile + '/_auth', { headers })).status, 401);
});

test('authhook forward-auth without --config, or with a broken one, exits 2 with a message', async () => {
  const none = await runAuthhook(['forward-auth']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--config/);
  const bad = await runAuthhook(['forward-auth', '--config', jsonConfig({ forwardAuth: { trustedProxies: ['nope'] } })]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /trustedProxies/);
  const unknown = await runAuthhook(['forward-auth', '--config', jsonConfig({ typo: 1 })]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /AUTHHOOK_ERR_CONFIG_INVALID/);
});
