import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basic, digestAuthorization } from '../helpers/index.js';
import { runAuthhook, startAuthhook, type Running } from '../helpers/spawn.js';

const QS = ['examples/quickstart/app.ts', '--auth-user-script', 'examples/quickstart/auth.ts', '--auth-group-script', 'examples/quickstart/auth.ts', '--auth-group', 'staff', '--port', '0'];

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

let basicServer: Running;
let forbidServer: Running;
let digestServer: Running;
before(async () => {
  [basicServer, forbidServer, digestServer] = await Promise.all([
    startAuthhook(['start', ...QS]),
    startAuthhook(['start', ...QS, '--authz-send-forbidden-on-failure']),
    startAuthhook(['start', ...QS, '--auth-type', 'Digest', '--auth-name', 'Quick Start']),
  ]);
});
after(async () => {
  await Promise.all([basicServer?.stop(), forbidServer?.stop(), digestServer?.stop()]);
});

test('authhook start: unauthenticated is a 401 with the challenge', async () => {
  const r = await get(basicServer.url + '/');
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="authhook"/);
});

test('authhook start: the right password reaches the app with REMOTE_USER visible', async () => {
  const r = await get(basicServer.url + '/', { Authorization: basic('alice', 'wonderland') });
  assert.equal(r.status, 200);
  assert.match(r.text, /REMOTE_USER=alice\n/);
  assert.match(r.text, /AUTH_TYPE=Basic\n/);
});

test('authhook start: a user outside the group is a 401, or 403 with the option', async () => {
  assert.equal((await get(basicServer.url + '/', { Authorization: basic('bob', 'builder') })).status, 401);
  assert.equal((await get(forbidServer.url + '/', { Authorization: basic('bob', 'builder') })).status, 403);
});

test('authhook start: a wrong password is a 401', async () => {
  assert.equal((await get(basicServer.url + '/', { Authorization: basic('alice', 'nope') })).status, 401);
});

test('authhook start --auth-type Digest: a client-side digest is granted', async () => {
  const r = await fetch(digestServer.url + '/page?q=1');
  assert.equal(r.status, 401);
  // fetch joins repeated headers; split the joined value at each "Digest " scheme.
  const values = (r.headers.get('www-authenticate') ?? '').split(/,\s*(?=Digest )/);
  assert.equal(values.length, 2);
  const auth = digestAuthorization({ challenge: values[0]!, user: 'alice', password: 'wonderland', method: 'GET', uri: '/page?q=1' });
  const ok = await get(digestServer.url + '/page?q=1', { Authorization: auth });
  assert.equal(ok.status, 200);
  assert.match(ok.text, /AUTH_TYPE=Digest/);
});

test('authhook start with a missing script fails at start-up with a clear error', async () => {
  const r = await runAuthhook(['start', 'examples/quickstart/app.ts', '--auth-user-script', 'no/such/auth.ts', '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /hook script not found/);
  assert.match(r.stderr, /AUTHHOOK_ERR_CONFIG_INVALID/);
});

test('authhook start with an unknown option fails with usage', async () => {
  const r = await runAuthhook(['start', 'examples/quickstart/app.ts', '--auth-usr-script', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /auth-usr-script/);
});
