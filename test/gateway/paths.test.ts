// Targets whose percent-encoding hides structure, at the gateway: an encoded slash is a 404
// (httpd's AllowEncodedSlashes Off); an encoded dot segment is resolved, as httpd does, and
// the app sees the resolved path, so the policy checked is the path served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic } from '../helpers/index.js';
import { mount, startGateway, writeApp, type Started } from './_helpers.js';

let s: Started;
before(async () => {
  s = await startGateway({ mounts: [mount('/', writeApp())] }, [
    { path: '/', require: 'all granted' },
    { path: '/admin', authType: 'Basic', authName: 'Admin', user: fixture, require: 'valid-user' },
  ]);
});
after(() => s?.close());

/** GET with the target sent byte for byte (fetch would resolve dot segments itself). */
function getRaw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

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
  const { connect } = await import('node:net');
  const reply = await new Promise<string>((resolve, reject) => {
    const sock = connect(s.port, '127.0.0.1', () => sock.write('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (got += d));
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
  assert.match(reply, /^HTTP\/1\.1 501 Not Implemented\r\n/);
});
