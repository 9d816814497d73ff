// The Express front checks the path Express will route: without regard to case (Express's
// default), and never a target whose percent-encoding hides a slash or a dot segment.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import { express as authhook } from '../../src/index.js';
import { basic, memoryLogger, rawRequest } from '../helpers/index.js';
import type { AddressInfo } from 'node:net';

const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

function appWith(caseSensitive: boolean) {
  const mw = authhook(
    {
      providers: { mem: { check_password: (_e: unknown, u: string, p: string) => (u === 'root' ? p === 'pw' : null) } },
      locations: [
        { path: '/', require: 'all granted' },
        { path: '/admin', authType: 'Basic', authName: 'Admin', authBasicProvider: 'mem', require: 'valid-user' },
      ],
    },
    { logger: memoryLogger() },
  );
  closers.push(() => mw.close());
  const app = express();
  if (caseSensitive) app.set('case sensitive routing', true);
  app.use(mw);
  app.get('/admin', (_req, res) => res.send('ADMIN-ROOT'));
  app.get('/admin/:id', (_req, res) => res.send('ADMIN-ITEM'));
  app.get('/pub', (_req, res) => res.send('PUBLIC'));
  return app;
}

test('Express routes /ADMIN to /admin by default: so the policy of /admin applies to it', async () => {
  const app = appWith(false);
  for (const path of ['/ADMIN', '/Admin/', '/ADMIN/x', '/aDmIn']) {
    const r = await request(app).get(path);
    assert.equal(r.status, 401, path);
    assert.doesNotMatch(r.text, /ADMIN-/, path);
  }
  assert.equal((await request(app).get('/ADMIN/x').set('Authorization', basic('root', 'pw'))).text, 'ADMIN-ITEM');
  assert.equal((await request(app).get('/pub')).text, 'PUBLIC');
});

test("with 'case sensitive routing' on, /ADMIN is another path, and Express does not route it to /admin", async () => {
  const app = appWith(true);
  assert.equal((await request(app).get('/ADMIN')).status, 404);
  assert.equal((await request(app).get('/admin')).status, 401);
});

test('a target whose encoding hides a dot segment (400) or a slash (404, as httpd) is refused before any route', async () => {
  const app = appWith(false);
  for (const [path, status] of [['/admin/%2e%2e', 400], ['/admin/.%2E', 400], ['/admin/..%2f', 404], ['/admin/%2e%2e%2fpub', 404], ['/pub/%2e%2e/admin', 400]] as const) {
    const r = await request(app).get(path);
    assert.equal(r.status, status, path);
    assert.doesNotMatch(r.text, /ADMIN-|PUBLIC/, path);
  }
  // Encoding that hides nothing is decoded as before: %61 is "a".
  assert.equal((await request(app).get('/%61dmin')).status, 401);
});

test('a raw dot segment or backslash is refused (400): Express would route /admin/../pub under /admin, checked as /pub', async () => {
  const server = appWith(false).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => server.close());
  const port = (server.address() as AddressInfo).port;
  for (const path of ['/admin/../pub', '/admin/./x/..', '/admin/..', '/pub/..\\admin', '/pub\\..\\admin', '/admin\\x']) {
    const r = await rawRequest(port, path);
    assert.equal(r.status, 400, path);
    assert.doesNotMatch(r.body, /ADMIN-|PUBLIC/, path);
  }
  // A dot inside a segment is no dot segment; a backslash in the query is no path.
  assert.equal((await rawRequest(port, '/pub?x=..\\y')).status, 200);
  assert.equal((await rawRequest(port, '/admin/a.b', { Authorization: basic('root', 'pw') })).status, 200);
});
