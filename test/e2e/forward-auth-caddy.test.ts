// Real Caddy forward_auth → authhook forward-auth → app, with the example's site block verbatim
// (ports aside), plus a bare forward_auth site to show what copy_headers alone does.
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
import { CADDY, startCaddy, type RunningCaddy } from './caddy.js';
import { freePort, rawRequest } from './proc.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/traefik-caddy/', import.meta.url));
const skip = CADDY.skip;
let caddy: RunningCaddy | undefined;
let app: Server;
let authhook: Server;
let barePort = 0;

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

/** The example's site block (the test helper writes its own global options). */
function exampleSite(port: number, authPort: number, appPort: number): string {
  const text = readFileSync(EXAMPLE + 'Caddyfile', 'utf8');
  return text
    .slice(text.indexOf('http://127.0.0.1:8080 {'))
    .replace('http://127.0.0.1:8080', `http://127.0.0.1:${port}`)
    .replace('127.0.0.1:9091', `127.0.0.1:${authPort}`)
    .replace('127.0.0.1:8081', `127.0.0.1:${appPort}`);
}

before(async () => {
  if (skip !== false) return;
  const { config, server } = await loadForwardAuthConfig(EXAMPLE + 'authhook.config.ts');
  authhook = createAuthServer({ ...server, config, logger: memoryLogger() });
  app = createEchoApp();
  const [authPort, appPort, port] = await Promise.all([listen(authhook), listen(app), freePort()]);
  barePort = await freePort();
  const bare = `http://127.0.0.1:${barePort} {
\tforward_auth 127.0.0.1:${authPort} {
\t\turi /_authhook
\t\tcopy_headers Remote-User Remote-Groups
\t}
\treverse_proxy 127.0.0.1:${appPort}
}
`;
  caddy = await startCaddy({ port, sites: exampleSite(port, authPort, appPort) + '\n' + bare });
});

after(async () => {
  await caddy?.stop();
  authhook?.close();
  authhook?.closeAllConnections();
  app?.close();
  app?.closeAllConnections();
});

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(caddy!.port, path, headers, method);
const seen = (body: string) => (JSON.parse(body) as { headers: Record<string, string | null> }).headers;

test('Caddy relays authhook 401 challenge to the client', { skip }, async () => {
  const r = await get('/');
  assert.equal(r.status, 401);
  assert.deepEqual(wwwAuthenticate(r.raw), ['Basic realm="Example", charset="UTF-8"']);
});

test('a valid user reaches the app, which sees the copied identity headers', { skip }, async () => {
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

test('identity headers a client sends never reach the app, and no placeholder text does either', { skip }, async () => {
  const spoof = { 'Remote-User': 'admin', 'X-Remote-User': 'admin', 'Remote-Groups': 'admins', 'Remote-Department': 'board' };
  const anon = seen((await get('/public/x', spoof)).body);
  for (const [k, v] of Object.entries(anon)) {
    assert.equal(v ?? '', '', k);
  }
  const bob = seen((await get('/page', { ...spoof, Authorization: basic('bob', 'builder') })).body);
  assert.equal(bob['remote-user'], 'bob');
  assert.equal(bob['x-remote-user'], 'bob');
  assert.equal(bob['remote-groups'], 'staff');
  assert.equal(bob['remote-department'], null);
});

test('copy_headers alone: the copied headers are overwritten, anything else the client sent passes (why the example strips)', { skip }, async () => {
  const r = await rawRequest(barePort, '/page', { 'Remote-User': 'admin', 'Remote-Groups': 'admins', 'Remote-Department': 'board', Authorization: basic('bob', 'builder') });
  const h = seen(r.body);
  assert.equal(h['remote-user'], 'bob');
  assert.equal(h['remote-groups'], 'staff');
  assert.equal(h['remote-department'], 'board');
  const anon = seen((await rawRequest(barePort, '/public/x', { 'Remote-User': 'admin' })).body);
  assert.equal(anon['remote-user'] ?? '', '');
});

test('a client X-Original-URI disagreeing with Caddy X-Forwarded-Uri is refused', { skip }, async () => {
  assert.equal((await get('/admin/x', { 'X-Original-URI': '/public/x' })).status, 403);
  assert.equal((await get('/admin/x', { 'X-Original-URI': '/public/x', Authorization: basic('bob', 'builder') })).status, 403);
  assert.equal((await get('/public/x', { 'X-Original-URI': '/public/x' })).status, 200);
  assert.equal((await get('/admin/x', { 'X-Forwarded-Uri': '/public/x' })).status, 401, 'Caddy overwrites the client X-Forwarded-Uri');
});

test('the original method reaches authhook: POST to a GET-only location is a 403', { skip }, async () => {
  assert.equal((await get('/public/read-only')).status, 200);
  assert.equal((await get('/public/read-only', {}, 'POST')).status, 403);
  assert.equal((await get('/public/read-only', { 'X-Original-Method': 'GET' }, 'POST')).status, 403);
});

for (const spelling of ['/admin/../admin/x', '//admin/x', '/%61dmin/x', '/public/%2e%2e/admin/x', '/public/..%2Fadmin/x', '/admin%2Fx', '/./admin/x']) {
  test(`through Caddy, ${spelling} cannot dodge the protected /admin`, { skip }, async () => {
    const r = await get(spelling, { Authorization: basic('bob', 'builder') });
    assert.notEqual(r.status, 200, `${spelling} → ${r.status}`);
    assert.ok([400, 401, 403, 404].includes(r.status), `${spelling} → ${r.status}`);
  });
}

test('Digest through Caddy', { skip }, async () => {
  const target = '/digest/page?q=1';
  const first = await get(target);
  assert.equal(first.status, 401);
  const challenge = wwwAuthenticate(first.raw).find((c) => c.startsWith('Digest '));
  assert.ok(challenge !== undefined);
  const auth = digestAuthorization({ challenge, user: 'alice', password: 'wonderland', method: 'GET', uri: target });
  const ok = await get(target, { Authorization: auth });
  assert.equal(ok.status, 200);
  assert.equal(seen(ok.body)['remote-user'], 'alice');
});
