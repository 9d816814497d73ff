// Real nginx auth_request → authhook forward-auth → app, with the example's config verbatim
// (ports aside): what the client sees, and what the app sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAuthServer } from '../../src/fronts/forward-auth.js';
import { loadForwardAuthConfig } from '../../src/fronts/forward-auth-cli.js';
import { createEchoApp } from '../../examples/nginx/echo-app.js';
import { basic, digestAuthorization, memoryLogger, wwwAuthenticate } from '../helpers/index.js';
import { NGINX, startNginx, type RunningNginx } from './nginx.js';
import { freePort, rawRequest, requireServer } from './proc.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/nginx/', import.meta.url));
const skip = NGINX.skip;
let nginx: RunningNginx | undefined;
let app: Server;
let authhook: Server;

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

before(async () => {
  if (skip !== false) return;
  const { config, server } = await loadForwardAuthConfig(EXAMPLE + 'authhook.config.ts');
  authhook = createAuthServer({ ...server, config, logger: memoryLogger() });
  app = createEchoApp();
  const [authPort, appPort, port] = await Promise.all([listen(authhook), listen(app), freePort()]);
  const http = readFileSync(EXAMPLE + 'authhook.conf', 'utf8')
    .replace('127.0.0.1:9091', `127.0.0.1:${authPort}`)
    .replace('127.0.0.1:8081', `127.0.0.1:${appPort}`)
    .replace('listen 127.0.0.1:8080', `listen 127.0.0.1:${port}`);
  nginx = await startNginx({ port, http });
});

after(async () => {
  await nginx?.stop();
  authhook?.close();
  authhook?.closeAllConnections();
  app?.close();
  app?.closeAllConnections();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(nginx!.port, path, headers, method);
const seen = (body: string) => (JSON.parse(body) as { headers: Record<string, string | null> }).headers;

test('nginx relays authhook 401 challenge to the client', { skip }, async () => {
  const r = await get('/');
  assert.equal(r.status, 401);
  assert.deepEqual(wwwAuthenticate(r.raw), ['Basic realm="Example", charset="UTF-8"']);
});

test('a valid user reaches the app, which sees Remote-User, Remote-Groups, name and email', { skip }, async () => {
  const r = await get('/page', { Authorization: basic('alice', 'wonderland') });
  assert.equal(r.status, 200);
  const h = seen(r.body);
  assert.equal(h['remote-user'], 'alice');
  assert.equal(h['x-remote-user'], 'alice');
  assert.equal(h['remote-groups'], 'admins,staff');
  assert.equal(h['remote-name'], 'Alice Liddell');
  assert.equal(h['remote-email'], 'alice@example.org');
});

test('a wrong password is a 401; a user outside the group a 403', { skip }, async () => {
  assert.equal((await get('/', { Authorization: basic('alice', 'nope') })).status, 401);
  assert.equal((await get('/admin/x', { Authorization: basic('bob', 'builder') })).status, 403);
  assert.equal((await get('/admin/x', { Authorization: basic('alice', 'wonderland') })).status, 200);
});

test('identity headers a client sends never reach the app', { skip }, async () => {
  const spoof = { 'Remote-User': 'admin', 'X-Remote-User': 'admin', 'Remote-Groups': 'admins', 'Remote-Email': 'x@evil', 'Remote-Department': 'board' };
  const anon = seen((await get('/public/x', spoof)).body);
  for (const v of Object.values(anon)) assert.equal(v ?? '', '');
  const bob = seen((await get('/page', { ...spoof, Authorization: basic('bob', 'builder') })).body);
  assert.equal(bob['remote-user'], 'bob');
  assert.equal(bob['x-remote-user'], 'bob');
  assert.equal(bob['remote-groups'], 'staff');
  assert.equal(bob['remote-department'], null);
});

test('Digest through nginx: the client computes the response for the URI it asked for', { skip }, async () => {
  const target = '/digest/page?q=1';
  const first = await get(target);
  assert.equal(first.status, 401);
  const challenge = wwwAuthenticate(first.raw).find((c) => c.startsWith('Digest '));
  assert.ok(challenge !== undefined, 'a Digest challenge is relayed');
  const auth = digestAuthorization({ challenge, user: 'bob', password: 'builder', method: 'GET', uri: target });
  const ok = await get(target, { Authorization: auth });
  assert.equal(ok.status, 200);
  assert.equal(seen(ok.body)['remote-user'], 'bob');
  assert.equal(seen(ok.body)['remote-groups'], 'staff', 'groups_for_user fills Remote-Groups after a Digest login');
  assert.equal((await get(target, { Authorization: auth })).status, 401, 'the same nonce count replayed');
  const wrong = digestAuthorization({ challenge, user: 'bob', password: 'nope', method: 'GET', uri: target, nc: 2 });
  assert.equal((await get(target, { Authorization: wrong })).status, 401);
});

for (const spelling of ['/admin/../admin/x', '//admin/x', '/%61dmin/x', '/public/%2e%2e/admin/x', '/public/..%2Fadmin/x', '/admin%2Fx', '/./admin/x', '/public/../admin/x']) {
  test(`through nginx, ${spelling} cannot dodge the protected /admin`, { skip }, async () => {
    const r = await get(spelling, { Authorization: basic('bob', 'builder') });
    assert.notEqual(r.status, 200, `${spelling} → ${r.status}`);
    assert.ok([400, 401, 403, 500].includes(r.status), `${spelling} → ${r.status}`);
  });
}

test('the original method reaches authhook: POST to a GET-only location is a 403', { skip }, async () => {
  assert.equal((await get('/public/read-only')).status, 200);
  assert.equal((await get('/public/read-only', {}, 'POST')).status, 403);
  assert.equal((await get('/public/read-only', { 'X-Original-Method': 'GET', 'X-Forwarded-Method': 'GET' }, 'DELETE')).status, 403);
});

test('a client cannot choose the checked path with its own X-Original-URI or X-Forwarded-Uri', { skip }, async () => {
  assert.equal((await get('/admin/x', { 'X-Original-URI': '/public/x' })).status, 401);
  assert.equal((await get('/admin/x', { 'X-Forwarded-Uri': '/public/x' })).status, 401);
  assert.equal((await get('/admin/x', { 'X-Forwarded-Uri': '/public/x', Authorization: basic('bob', 'builder') })).status, 403);
});

test('an absurdly long URI is refused, never granted', { skip }, async () => {
  const r = await get('/public/' + 'a'.repeat(9000));
  assert.ok(r.status === 414 || r.status === 400 || r.status === 500, String(r.status));
});

test('a missing server is a skip with its reason locally, and a failure in CI', () => {
  const was = process.env.CI;
  try {
    delete process.env.CI;
    const r = requireServer('nosuchd', ['/nonexistent/nosuchd']);
    assert.equal(r.bin, undefined);
    assert.match(String(r.skip), /nosuchd not installed/);
    process.env.CI = 'true';
    assert.throws(() => requireServer('nosuchd', ['/nonexistent/nosuchd']), /CI requires it/);
  } finally {
    if (was === undefined) delete process.env.CI;
    else process.env.CI = was;
  }
});
