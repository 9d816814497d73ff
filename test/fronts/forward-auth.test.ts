import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthServer, type ForwardAuthOptions } from '../../src/fronts/forward-auth.js';
import { createEngine } from '../../src/engine/decide.js';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, digestAuthorization, memoryLogger, rawExchange, wwwAuthenticate } from '../helpers/index.js';
import { model } from '../helpers/model.js';
import type { Environ } from '../../src/types.js';

let seen: Environ | null = null;
const recorder = { allow_access: (environ: Environ) => ((seen = environ), null) };
const ADMIN = { authType: 'Basic' as const, authName: 'Admin', user: fixture, group: fixture };
const engine = createEngine(
  model([
    { path: '/', require: 'all granted', access: recorder },
    { path: '/admin', ...ADMIN, require: 'group secret-agents' },
    { path: '/digest', authType: 'Digest', authName: 'Digest Area', user: fixture, require: 'valid-user' },
    { path: '/nodelete', ...ADMIN, require: { all: ['valid-user', 'not method DELETE'] } },
    { path: '/local', require: 'ip 10.1.2.3' },
  ]),
  { logger: memoryLogger() },
);

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function serve(options: Partial<ForwardAuthOptions> = {}): Promise<string> {
  const server = createAuthServer({ engine, logger: memoryLogger(), trustedProxies: ['127.0.0.1'], ...options });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: string[];
  body: string;
}

/** A sub-request with exactly these headers (repeats allowed), as a proxy would send it. */
function send(base: string, path: string, headers: [string, string][] = [], method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Node adds no Host header when headers come as a list.
    const all = headers.some(([n]) => n.toLowerCase() === 'host') ? headers : [['Host', new URL(base).host] as [string, string], ...headers];
    const req = request(base + path, { method, headers: all.flat() }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const trusted = await serve();
const untrusted = await serve({ trustedProxies: ['10.9.9.9'] });
const nobodyTrusted = await serve({ trustedProxies: [] });
const envoy = await serve({ pathPrefix: '/ext_authz' });
const uri = (u: string): [string, string] => ['X-Original-URI', u];

test('a trusted proxy asking about a protected URI gets 401 with the challenge, no body, no-store', async () => {
  const r = await send(trusted, '/_auth', [uri('/admin/x')]);
  assert.equal(r.status, 401);
  assert.deepEqual(wwwAuthenticate(r.raw), ['Basic realm="Admin", charset="UTF-8"']);
  assert.equal(r.body, '');
  assert.equal(r.headers['content-length'], '0');
  assert.equal(r.headers['cache-control'], 'no-store');
});

test('the right user gets 200 with every identity header and no body', async () => {
  const r = await send(trusted, '/_auth', [uri('/admin/x'), ['Authorization', basic('spy', 'secret')]]);
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.equal(r.headers['content-length'], '0');
  assert.equal(r.headers['remote-user'], 'spy');
  assert.equal(r.headers['x-remote-user'], 'spy');
  assert.equal(r.headers['remote-groups'], 'secret-agents');
  assert.equal(r.headers['remote-name'], '');
  assert.equal(r.headers['remote-email'], '');
});

test('a user outside the group gets 401; a wrong password 401', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/admin'), ['Authorization', basic('citizen', 'secret')]])).status, 401);
  assert.equal((await send(trusted, '/_auth', [uri('/admin'), ['Authorization', basic('spy', 'nope')]])).status, 401);
});

test('a public URI gets 200 with every identity header present and empty', async () => {
  const r = await send(trusted, '/_auth', [uri('/pub'), ['Remote-User', 'admin']]);
  assert.equal(r.status, 200);
  for (const h of ['remote-user', 'x-remote-user', 'remote-groups', 'remote-name', 'remote-email']) assert.equal(r.headers[h], '', h);
});

test('the policy is looked up by the original URI, not the sub-request path', async () => {
  assert.equal((await send(trusted, '/admin', [uri('/pub')])).status, 200);
  assert.equal((await send(trusted, '/pub', [uri('/admin')])).status, 401);
});

test('from an untrusted peer an original-URI header is refused (403): the sub-request path is not the one to check', async () => {
  for (const base of [untrusted, nobodyTrusted]) {
    for (const h of [uri('/pub'), ['X-Forwarded-Uri', '/pub'] as [string, string], ['X-Original-URL', 'http://x/pub'] as [string, string]]) {
      // Not checked as /pub, nor as the sub-request's own path (which would grant /admin by the policy of /_auth).
      assert.equal((await send(base, '/pub', [h, ['Authorization', basic('citizen', 'secret')]])).status, 403);
      assert.equal((await send(base, '/admin/x', [h])).status, 403);
    }
  }
});

test('from an untrusted peer every other forwarded header is ignored and the sub-request itself is checked', async () => {
  for (const base of [untrusted, nobodyTrusted]) {
    assert.equal((await send(base, '/pub', [['X-Forwarded-Host', 'evil.example']])).status, 200);
    assert.equal((await send(base, '/admin/x', [['X-Forwarded-Method', 'GET']])).status, 401);
    assert.equal((await send(base, '/local', [['X-Real-IP', '10.1.2.3'], ['X-Forwarded-For', '10.1.2.3']])).status, 403);
  }
  await send(untrusted, '/pub', [['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'https'], ['X-Original-Method', 'DELETE']]);
  assert.equal(seen!.REQUEST_URI, '/pub');
  assert.equal(seen!.REQUEST_METHOD, 'GET');
  assert.equal(seen!.SERVER_NAME, '127.0.0.1');
  assert.equal(seen!.HTTPS, undefined);
  assert.equal(seen!.HTTP_X_FORWARDED_HOST, undefined);
  assert.equal(seen!.HTTP_X_ORIGINAL_METHOD, undefined);
});

test('an untrusted peer sending forwarded headers is logged once', async () => {
  const logger = memoryLogger();
  const base = await serve({ trustedProxies: [], logger });
  await send(base, '/pub', [uri('/admin')]);
  await send(base, '/pub', [uri('/admin')]);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
});

test('a trusted proxy describes the original request: URI, method, host, scheme, client', async () => {
  const r = await send(trusted, '/_auth', [
    uri('/pub/page?q=1'),
    ['X-Original-Method', 'POST'],
    ['X-Forwarded-Host', 'App.Example:8443'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Real-IP', '192.0.2.7'],
    ['Remote-User', 'admin'],
    ['X-Remote-Department', 'board'],
  ]);
  assert.equal(r.status, 200);
  assert.equal(seen!.REQUEST_URI, '/pub/page?q=1');
  assert.equal(seen!.QUERY_STRING, 'q=1');
  assert.equal(seen!.REQUEST_METHOD, 'POST');
  assert.equal(seen!.SERVER_NAME, 'app.example');
  assert.equal(seen!.SERVER_PORT, '8443');
  assert.equal(seen!.HTTP_HOST, 'App.Example:8443');
  assert.equal(seen!.HTTPS, 'on');
  assert.equal(seen!.REMOTE_ADDR, '192.0.2.7');
  assert.equal(seen!.HTTP_REMOTE_USER, undefined);
  assert.equal(seen!.HTTP_X_REMOTE_DEPARTMENT, undefined);
});

test('X-Forwarded-Proto http leaves HTTPS off and sets the default port', async () => {
  await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Proto', 'http'], ['X-Forwarded-Host', 'app.example']]);
  assert.equal(seen!.HTTPS, undefined);
  assert.equal(seen!.SERVER_PORT, '80');
});

test('the client is the rightmost X-Forwarded-For hop that is not a trusted proxy', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/local'), ['X-Forwarded-For', '10.1.2.3, 127.0.0.1']])).status, 200);
  assert.equal((await send(trusted, '/_auth', [uri('/local'), ['X-Forwarded-For', '10.1.2.3, 192.0.2.9']])).status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/local'), ['X-Forwarded-For', '10.1.2.3'], ['X-Forwarded-For', '192.0.2.9']])).status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/local'), ['X-Real-IP', '10.1.2.3']])).status, 200);
});

test('X-Real-IP and X-Forwarded-For that disagree are refused with 403', async () => {
  const r = await send(trusted, '/_auth', [uri('/local'), ['X-Real-IP', '10.1.2.3'], ['X-Forwarded-For', '192.0.2.9']]);
  assert.equal(r.status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/local'), ['X-Real-IP', '10.1.2.3'], ['X-Forwarded-For', '10.1.2.3']])).status, 200);
});

test('a client address that is not an IP address is a 400', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Real-IP', 'localhost']])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-For', '1.2.3.4, junk']])).status, 400);
});

test('both URI header families present and disagreeing are refused with 403', async () => {
  const r = await send(trusted, '/_auth', [uri('/admin/x'), ['X-Forwarded-Uri', '/pub'], ['Authorization', basic('spy', 'secret')]]);
  assert.equal(r.status, 403);
  assert.equal(r.headers['remote-user'], undefined);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Uri', '/admin']])).status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), uri('/admin')])).status, 403);
});

test('both URI families agreeing are fine', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Uri', '/pub']])).status, 200);
});

test('method headers that disagree are refused with 403', async () => {
  const r = await send(trusted, '/_auth', [uri('/nodelete'), ['X-Original-Method', 'DELETE'], ['X-Forwarded-Method', 'GET']]);
  assert.equal(r.status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/nodelete'), ['X-Forwarded-Method', 'DELETE']])).status, 403);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Original-Method', 'G E T']])).status, 400);
});

test('a trusted proxy that sends no original URI gets 400, never a grant', async () => {
  const r = await send(trusted, '/_auth', [['X-Forwarded-Method', 'GET']]);
  assert.equal(r.status, 400);
  assert.equal(r.headers['remote-user'], undefined);
  assert.equal((await send(trusted, '/_auth', [uri('')])).status, 400);
});

test('a trusted proxy that sends no method header: the sub-request method is used, with one warning', async () => {
  const logger = memoryLogger();
  const base = await serve({ logger });
  assert.equal((await send(base, '/_auth', [uri('/nodelete')], 'DELETE')).status, 403);
  await send(base, '/_auth', [uri('/pub')]);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 1);
});

test('an original URI longer than 8 KiB is a 414, from trusted and untrusted peers alike', async () => {
  const long = '/pub/' + 'a'.repeat(8200);
  assert.equal((await send(trusted, '/_auth', [uri(long)])).status, 414);
  assert.equal((await send(untrusted, long)).status, 414);
  assert.equal((await send(trusted, '/_auth', [uri('/pub/' + 'a'.repeat(8000))])).status, 200);
});

test('a bad X-Forwarded-Proto or X-Forwarded-Host is a 400; two disagreeing hosts a 403', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Proto', 'gopher']])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Host', 'a b']])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Host', 'a, b']])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/pub'), ['X-Forwarded-Host', 'a'], ['X-Forwarded-Host', 'b']])).status, 403);
});

for (const spelling of ['/admin/../admin/x', '//admin', '/%61dmin', '/pub/%2e%2e/admin', '/pub/..%2Fadmin', '/admin%2Fx', '/./admin', 'http://h/admin']) {
  test(`the original URI ${spelling} cannot dodge the protected /admin`, async () => {
    const r = await send(trusted, '/_auth', [uri(spelling), ['Authorization', basic('citizen', 'secret')]]);
    // An encoded slash is a 404, as httpd answers it (AllowEncodedSlashes Off).
    const expected = /%2f/i.test(spelling) ? [404] : [400, 401];
    assert.ok(expected.includes(r.status), `${spelling} → ${r.status}`);
  });
}

// The app behind the proxy routes on the target as sent: an encoded dot segment or slash that
// the policy would resolve is refused, so no path is checked as one and served as another.
for (const spelling of ['/admin/%2e%2e', '/admin/..%2f', '/admin/%2e%2e%2fpub', '/admin/x%2F..%2F..%2Fpub', '/admin/.%2e/pub', '/pub/%2E%2E/admin']) {
  test(`the original URI ${spelling} is refused, not checked as the path it resolves to`, async () => {
    const r = await send(trusted, '/_auth', [uri(spelling), ['Authorization', basic('citizen', 'secret')]]);
    assert.ok(r.status === 400 || r.status === 404, `${spelling} → ${r.status}`);
  });
}

test('an original URI with a raw dot segment or a backslash is a 400: the app behind the proxy gets it as sent', async () => {
  for (const u of ['/pub/../admin', '/admin/../pub', '/pub/./x', '/pub/..\\admin', '/x\\..\\admin']) {
    assert.equal((await send(trusted, '/_auth', [uri(u), ['Authorization', basic('spy', 'secret')]])).status, 400, u);
  }
});

test('a URI climbing above the root or with a bad escape is a 400; an encoded NUL a 404, as httpd answers it', async () => {
  assert.equal((await send(trusted, '/_auth', [uri('/../admin')])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/%zz')])).status, 400);
  assert.equal((await send(trusted, '/_auth', [uri('/a%00b')])).status, 404);
});

test('Digest through the proxy: the uri check uses the original URI and method', async () => {
  const target = '/digest/page?q=1';
  const first = await send(trusted, '/_auth', [uri(target), ['X-Original-Method', 'GET']]);
  assert.equal(first.status, 401);
  const challenges = wwwAuthenticate(first.raw);
  assert.equal(challenges.length, 2);
  const auth = digestAuthorization({ challenge: challenges[0]!, user: 'spy', password: 'secret', method: 'GET', uri: target });
  const ok = await send(trusted, '/_auth', [uri(target), ['X-Original-Method', 'GET'], ['Authorization', auth]]);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['remote-user'], 'spy');
  const other = digestAuthorization({ challenge: challenges[0]!, user: 'spy', password: 'secret', method: 'GET', uri: '/_auth', nc: 2 });
  assert.equal((await send(trusted, '/_auth', [uri(target), ['X-Original-Method', 'GET'], ['Authorization', other]])).status, 400);
});

test('Envoy path-prefix mode: the path after the prefix is the original, with the original method', async () => {
  assert.equal((await send(envoy, '/ext_authz/admin/x?y=1')).status, 401);
  const ok = await send(envoy, '/ext_authz/admin/x?y=1', [['Authorization', basic('spy', 'secret')]], 'POST');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['remote-user'], 'spy');
  assert.equal(seen === null, false);
  await send(envoy, '/ext_authz/pub/a?b=c', [], 'PUT');
  assert.equal(seen!.REQUEST_URI, '/pub/a?b=c');
  assert.equal(seen!.REQUEST_METHOD, 'PUT');
  await send(envoy, '/ext_authz');
  assert.equal(seen!.REQUEST_URI, '/');
  assert.equal((await send(envoy, '/ext_authz/nodelete', [['Authorization', basic('spy', 'secret')]], 'DELETE')).status, 403);
});

test('Envoy mode: outside the prefix is a 404; a URI header disagreeing with the path is a 403', async () => {
  assert.equal((await send(envoy, '/admin')).status, 404);
  assert.equal((await send(envoy, '/ext_authzadmin')).status, 404);
  assert.equal((await send(envoy, '/ext_authz/admin', [['X-Forwarded-Uri', '/pub']])).status, 403);
  assert.equal((await send(envoy, '/ext_authz/pub', [['X-Forwarded-Method', 'DELETE']])).status, 403);
  assert.equal((await send(envoy, '/ext_authz/admin', [['X-Forwarded-Uri', '/admin']])).status, 401);
});

test('a fault in the engine is an empty 500, never a grant, whether it throws or rejects', async () => {
  const faults = [
    () => {
      throw new Error('boom');
    },
    () => Promise.reject(new Error('boom')),
  ];
  for (const fault of faults) {
    const base = await serve({ engine: { decide: async () => fault(), evaluate: fault, policyFor: engine.policyFor } });
    const r = await send(base, '/_auth', [uri('/pub')]);
    assert.equal(r.status, 500);
    assert.equal(r.headers['remote-user'], undefined);
    assert.equal(r.body, '');
  }
});

test('a hook time-out is a 503 with Retry-After', async () => {
  const slow = createEngine(model([{ path: '/', authType: 'Basic', authName: 'S', user: { check_password: () => new Promise(() => {}) }, require: 'valid-user' }], { hookTimeoutMs: 50 }), { logger: memoryLogger() });
  const base = await serve({ engine: slow });
  const r = await send(base, '/_auth', [uri('/'), ['Authorization', basic('a', 'b')]]);
  assert.equal(r.status, 503);
  assert.equal(r.headers['retry-after'], '5');
});

test('CONNECT to the auth server gets a 501, not a dropped connection', async () => {
  const reply = await rawExchange(Number(new URL(trusted).port), 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 501 Not Implemented\r\n/);
});

test('paths match case-sensitively by default (as nginx and httpd); caseInsensitivePaths matches /ADMIN as /admin', async () => {
  const original = (uri: string): [string, string][] => [['X-Original-URI', uri], ['X-Original-Method', 'GET']];
  // By default /ADMIN is another path: the open policy of / applies to it.
  assert.equal((await send(trusted, '/_auth', original('/ADMIN/x'))).status, 200);
  const folded = await serve({ caseInsensitivePaths: true });
  assert.equal((await send(folded, '/_auth', original('/ADMIN/x'))).status, 401);
  assert.equal((await send(folded, '/_auth', original('/Admin'))).status, 401);
  assert.equal((await send(folded, '/_auth', [...original('/ADMIN/x'), ['Authorization', basic('spy', 'secret')]])).status, 200);
  assert.equal((await send(folded, '/_auth', original('/public'))).status, 200);
  assert.throws(() => createAuthServer({ engine, caseInsensitivePaths: 'yes' as unknown as boolean }), /caseInsensitivePaths must be true or false/);
});
