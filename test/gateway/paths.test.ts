// Targets whose percent-encoding hides structure, at the gateway: an encoded slash is a 404
// (httpd's AllowEncodedSlashes Off); an encoded dot segment is resolved, as httpd does, and
// the app sees the resolved path, so the policy checked is the path served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, rawExchange, rawRequest } from '../helpers/index.js';
import { mount, startGateway, writeApp, type Started } from './_helpers.js';

let s: Started;
before(async () => {
  s = await startGateway({ mounts: [mount('/', writeApp())] }, [
    { path: '/', require: 'all granted' },
    { path: '/admin', authType: 'Basic', authName: 'Admin', user: fixture, require: 'valid-user' },
  ]);
});
after(() => s?.close());

// rawRequest sends the target byte for byte (fetch would resolve dot segments itself).
const getRaw = (path: string, headers: Record<string, string> = {}) => rawRequest(s.port, path, headers);

test('an encoded slash is a 404 before any policy or app', async () => {
  for (const path of ['/admin%2Fx', '/pub/..%2fadmin', '/x%2F']) assert.equal((await getRaw(path)).status, 404, path);
});

test('an encoded dot segment is resolved: the protected path it names asks for credentials, and the app sees the resolved path', async () => {
  assert.equal((await getRaw('/pub/%2e%2e/admin/x')).status, 401);
  const r = await getRaw('/pub/%2e%2e/admin/x', { Authorization: basic('spy', 'secret') });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as { url: string }).url, '/admin/x');
  assert.equal((await getRaw('/admin/%2e%2e/pub')).status, 200);
});

test('CONNECT gets a 501, not a dropped connection', async () => {
  const reply = await rawExchange(s.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 501 Not Implemented\r\n/);
});
