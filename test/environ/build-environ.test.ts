import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEnviron, readAuthorization, type RequestLike } from '../../src/environ/build-environ.js';
import { stripIdentityHeaders } from '../../src/environ/strip-identity.js';

function req(rawHeaders: string[], url = '/app/x?q=1', method = 'GET'): RequestLike & { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] = rawHeaders[i + 1]!;
  return { method, url, httpVersion: '1.1', headers, rawHeaders, socket: { remoteAddress: '127.0.0.1', remotePort: 4242, localPort: 8080 } };
}

test('headers become HTTP_* keys, content headers become CONTENT_*', () => {
  const e = buildEnviron(req(['Host', 'Example.COM:8080', 'X-Foo', 'bar', 'Content-Type', 'text/plain', 'Content-Length', '3']));
  assert.equal(e.HTTP_X_FOO, 'bar');
  assert.equal(e.HTTP_HOST, 'Example.COM:8080');
  assert.equal(e.CONTENT_TYPE, 'text/plain');
  assert.equal(e.CONTENT_LENGTH, '3');
  assert.equal(e.HTTP_CONTENT_TYPE, undefined);
  assert.equal(e.SERVER_NAME, 'example.com');
});

test('Authorization and Proxy-Authorization never reach the environ', () => {
  const e = buildEnviron(req(['Authorization', 'Basic eDp5', 'Proxy-Authorization', 'Basic eDp5']));
  assert.equal(e.HTTP_AUTHORIZATION, undefined);
  assert.equal(e.HTTP_PROXY_AUTHORIZATION, undefined);
  assert.ok(!JSON.stringify(e).includes('eDp5'));
});

test('a Proxy header never becomes HTTP_PROXY (httpoxy, CVE-2016-5387), as httpd leaves it out', () => {
  const e = buildEnviron(req(['Proxy', 'http://evil.example:8080', 'PROXY', 'http://evil.example:8081', 'Proxy-Connection', 'keep-alive']));
  assert.equal(e.HTTP_PROXY, undefined);
  assert.ok(!JSON.stringify(e).includes('evil.example'));
  assert.equal(e.HTTP_PROXY_CONNECTION, 'keep-alive');
});

test('a header name with an underscore is dropped, so X_Remote_User cannot pose as X-Remote-User', () => {
  const e = buildEnviron(req(['X_Remote_User', 'admin', 'X-Ok', '1']));
  assert.equal(e.HTTP_X_REMOTE_USER, undefined);
  assert.equal(e.HTTP_X_OK, '1');
});

test('repeated headers merge with ", "', () => {
  assert.equal(buildEnviron(req(['X-A', '1', 'X-A', '2'])).HTTP_X_A, '1, 2');
});

test('CGI keys: method, URI, query, SCRIPT_NAME/PATH_INFO split at the mount, addresses and ports', () => {
  const e = buildEnviron(req(['Host', 'h'], '/app/x%20y?q=1', 'POST'), { scriptName: '/app' });
  assert.equal(e.REQUEST_METHOD, 'POST');
  assert.equal(e.REQUEST_URI, '/app/x%20y?q=1');
  assert.equal(e.QUERY_STRING, 'q=1');
  assert.equal(e.SCRIPT_NAME, '/app');
  assert.equal(e.PATH_INFO, '/x y');
  assert.equal(e.REMOTE_ADDR, '127.0.0.1');
  assert.equal(e.REMOTE_PORT, '4242');
  assert.equal(e.SERVER_PORT, '8080');
  assert.equal(e.SERVER_PROTOCOL, 'HTTP/1.1');
  assert.equal(e['authhook.application_group'], '');
  assert.equal(e['authhook.process_group'], '');
});

test('without a mount SCRIPT_NAME is the path and PATH_INFO is empty (mod_wsgi hooks)', () => {
  const e = buildEnviron(req([], '/a/b'));
  assert.equal(e.SCRIPT_NAME, '/a/b');
  assert.equal(e.PATH_INFO, '');
});

test('the environ is frozen and holds no REMOTE_USER, AUTH_TYPE or HTTPS for a plain request', () => {
  const e = buildEnviron(req([]));
  assert.ok(Object.isFrozen(e));
  for (const k of ['REMOTE_USER', 'AUTH_TYPE', 'HTTPS', 'wsgi.input']) assert.equal(e[k], undefined, k);
});

test('readAuthorization counts repeats', () => {
  assert.deepEqual(readAuthorization(['Authorization', 'a', 'authorization', 'b']), { value: 'a', count: 2 });
  assert.deepEqual(readAuthorization(['Host', 'x']), { value: undefined, count: 0 });
});

test('identity headers a client sends are stripped from headers and rawHeaders', () => {
  const r = req(['Remote-User', 'admin', 'X-Remote-User', 'admin', 'Remote-Groups', 'root', 'X-Forwarded-User', 'a', 'Remote-Email', 'e', 'Accept', '*/*']);
  const removed = stripIdentityHeaders(r as never);
  assert.equal(removed.length, 5);
  assert.deepEqual(r.rawHeaders, ['Accept', '*/*']);
  assert.deepEqual(Object.keys(r.headers), ['accept']);
});
