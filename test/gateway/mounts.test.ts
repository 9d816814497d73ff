import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applicationGroupName, createMountServer, findMount, locationGroupsAt, type LoadedMount } from '../../src/gateway/mounts.js';
import { createEngine } from '../../src/engine/decide.js';
import type { AuthhookRequestFields } from '../../src/fronts/node-request.js';
import type { MountSpec } from '../../src/config/gateway-spec.js';
import { compileText } from '../helpers/apache.js';
import { basic, memoryLogger } from '../helpers/index.js';

function spec(path: string, extra: Partial<MountSpec> = {}): MountSpec {
  return { path, app: `/apps${path}.ts`, processGroup: null, applicationGroup: null, passAuthorization: false, where: 't:1', ...extra };
}

type Req = IncomingMessage & AuthhookRequestFields & { originalUrl?: string };

/** An app that reports what it was handed. */
function echo(name: string): LoadedMount['app'] {
  return (req: Req, res: ServerResponse) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({
      name, url: req.url, originalUrl: req.originalUrl, user: req.remoteUser ?? null, authorization: req.headers.authorization ?? null,
      remoteUserHeader: req.headers['remote-user'] ?? null,
      SCRIPT_NAME: req.environ?.SCRIPT_NAME, PATH_INFO: req.environ?.PATH_INFO, AREA: req.environ?.AREA ?? null,
      group: req.environ?.['authhook.application_group'],
    }));
  };
}

test('the longest mount wins, on whole path segments; a mount at / takes the rest', () => {
  const mounts = ['/', '/shop', '/shop/admin'].map((p) => ({ spec: spec(p), app: echo(p) }));
  assert.equal(findMount(mounts, '/shop/admin/users')!.mount.spec.path, '/shop/admin');
  assert.deepEqual(
    (({ scriptName, pathInfo }) => ({ scriptName, pathInfo }))(findMount(mounts, '/shop/cart')!),
    { scriptName: '/shop', pathInfo: '/cart' },
  );
  assert.equal(findMount(mounts, '/shopping')!.mount.spec.path, '/');
  assert.deepEqual(((m) => [m.scriptName, m.pathInfo])(findMount(mounts, '/x')!), ['', '/x']);
  assert.equal(findMount(mounts.slice(1), '/shopping'), null);
});

test('application group names follow mod_wsgi, from the configured server name and the mount', () => {
  assert.equal(applicationGroupName(null, 'www.example.com', 8080, '/shop'), 'www.example.com:8080|/shop');
  assert.equal(applicationGroupName('%{RESOURCE}', 'www.example.com', 80, ''), 'www.example.com|');
  assert.equal(applicationGroupName('%{SERVER}', 'www.example.com', 443, '/shop'), 'www.example.com');
  assert.equal(applicationGroupName('%{GLOBAL}', 'www.example.com', 80, '/shop'), '');
  assert.equal(applicationGroupName('shop', 'www.example.com', 80, '/shop'), 'shop');
});

test('location groups resolve like policy: the more specific section wins per setting', () => {
  const groups = [
    { kind: 'prefix' as const, path: '/shop/admin', regex: null, processGroup: 'admin', applicationGroup: null, where: 't:2' },
    { kind: 'prefix' as const, path: '/', regex: null, processGroup: 'site', applicationGroup: '%{GLOBAL}', where: 't:1' },
  ];
  assert.deepEqual(locationGroupsAt(groups, '/shop/admin/x'), { processGroup: 'admin', applicationGroup: '%{GLOBAL}' });
  assert.deepEqual(locationGroupsAt(groups, '/other'), { processGroup: 'site', applicationGroup: '%{GLOBAL}' });
});

const CONF = `AuthType Basic
AuthName Shop
AuthBasicProvider wsgi
WSGIAuthUserScript auth.ts
Require valid-user
<Location /open>
  Require all granted
</Location>
<Location /shop>
  SetEnv AREA shop
</Location>
`;

async function serve(mounts: LoadedMount[]) {
  const c = compileText(CONF);
  const engine = createEngine(c.model, { logger: memoryLogger() });
  const server = createMountServer({ engine, mounts, logger: memoryLogger(), serverName: 'shop.example' });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    get: async (path: string, headers: Record<string, string> = {}) => {
      const r = await fetch(base + path, { headers });
      const text = await r.text();
      return { status: r.status, body: r.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
    },
    close: () => {
      c.close();
      server.close();
      server.closeAllConnections();
    },
  };
}

test('a granted request reaches its mount with SCRIPT_NAME, PATH_INFO, a mount-relative URL and the user', async (t) => {
  const s = await serve([{ spec: spec('/shop'), app: echo('shop') }]);
  t.after(s.close);
  const r = await s.get('/shop/cart/items?x=1', { Authorization: basic('spy', 'secret'), 'Remote-User': 'admin' });
  assert.equal(r.status, 200);
  assert.match(r.body.group, /^shop\.example:\d+\|\/shop$/);
  delete r.body.group;
  assert.deepEqual(r.body, {
    name: 'shop', url: '/cart/items?x=1', originalUrl: '/shop/cart/items?x=1', user: 'spy', authorization: null, remoteUserHeader: null,
    SCRIPT_NAME: '/shop', PATH_INFO: '/cart/items', AREA: 'shop',
  });
});

test('the policy is applied before the mount: no credentials is a 401, even where no mount is', async (t) => {
  const s = await serve([{ spec: spec('/shop'), app: echo('shop') }]);
  t.after(s.close);
  assert.equal((await s.get('/shop/cart')).status, 401);
  assert.equal((await s.get('/nowhere')).status, 401);
  assert.equal((await s.get('/nowhere', { Authorization: basic('spy', 'secret') })).status, 404);
  assert.equal((await s.get('/open/x')).status, 404);
});

test('pass-authorization=On hands the Authorization header to the app', async (t) => {
  const s = await serve([{ spec: spec('/shop', { passAuthorization: true }), app: echo('shop') }]);
  t.after(s.close);
  const r = await s.get('/shop', { Authorization: basic('spy', 'secret') });
  assert.equal(r.body.authorization, basic('spy', 'secret'));
  assert.equal(r.body.url, '/');
});

test('each mount path keeps its own app instance', async (t) => {
  const s = await serve([{ spec: spec('/shop'), app: echo('one') }, { spec: spec('/shop/admin'), app: echo('two') }]);
  t.after(s.close);
  const auth = { Authorization: basic('spy', 'secret') };
  assert.equal((await s.get('/shop/admin/x', auth)).body.name, 'two');
  assert.equal((await s.get('/shop//admin', auth)).body.name, 'two');
  assert.equal((await s.get('/shop/administration', auth)).body.name, 'one');
});

test('an app that throws is a 500, not a crash', async (t) => {
  const s = await serve([{ spec: spec('/shop'), app: () => { throw new Error('boom'); } }]);
  t.after(s.close);
  assert.equal((await s.get('/shop', { Authorization: basic('spy', 'secret') })).status, 500);
});
