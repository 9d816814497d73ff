// What the gateway answers before any section applies, as httpd does: `OPTIONS *`, a fragment
// in the target, two Host headers; and an HTTP/1.0 request without Host reaches a worker or
// daemon app as it reaches an in-process one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basic, rawExchange } from '../helpers/index.js';
import { daemon, mount, startGateway, writeApp, type Started } from './_helpers.js';

const HEADERS_APP = `export default function app(req, res) { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify(req.headers)); }`;

let s: Started;
before(async () => {
  s = await startGateway({
    mounts: [
      mount('/hin', writeApp(HEADERS_APP, 'hin.mjs'), { applicationGroup: '%{GLOBAL}' }),
      mount('/hdm', writeApp(HEADERS_APP, 'hdm.mjs'), { processGroup: 'dm', applicationGroup: '%{GLOBAL}' }),
      mount('/in', writeApp(), { applicationGroup: '%{GLOBAL}' }),
      mount('/wk', writeApp(undefined, 'worker.mjs'), { applicationGroup: 'wk' }),
      mount('/dm', writeApp(undefined, 'daemon.mjs'), { processGroup: 'dm', applicationGroup: '%{GLOBAL}' }),
    ],
    daemonProcesses: [daemon('dm')],
  }, [
    ...['/hin/private', '/hdm/private'].map((path) => ({ path, authType: 'Basic' as const, authName: 'r', user: { check_password: (_e: unknown, u: string, p: string) => u === 'ann' && p === 'pw' }, require: 'valid-user' })),
  ]);
});
after(() => s.close());

const status = (reply: string): number => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
const close = 'Connection: close\r\n';

test('OPTIONS * is the server’s own 200 with Allow; another method on * is a 400', async () => {
  const ok = await rawExchange(s.port, `OPTIONS * HTTP/1.1\r\nHost: x\r\n${close}\r\n`);
  assert.equal(status(ok), 200, ok);
  assert.match(ok, /\r\nAllow: GET, HEAD, POST, OPTIONS\r\n/i);
  assert.equal(status(await rawExchange(s.port, `GET * HTTP/1.1\r\nHost: x\r\n${close}\r\n`)), 400);
});

test('a fragment in the request target and two Host headers are 400s, for every kind of mount', async () => {
  for (const m of ['/in', '/wk', '/dm']) {
    assert.equal(status(await rawExchange(s.port, `GET ${m}/x#frag HTTP/1.1\r\nHost: x\r\n${close}\r\n`)), 400, m);
    assert.equal(status(await rawExchange(s.port, `GET ${m}/x HTTP/1.1\r\nHost: x\r\nHost: y\r\n${close}\r\n`)), 400, m);
    assert.equal(status(await rawExchange(s.port, `GET ${m}/x HTTP/1.1\r\nHost: x\r\n${close}\r\n`)), 200, m);
  }
});

test('an HTTP/1.0 request without Host is served in-process, in a worker and in a daemon group alike', async () => {
  for (const m of ['/in', '/wk', '/dm']) {
    const reply = await rawExchange(s.port, `GET ${m}/x HTTP/1.0\r\n\r\n`);
    assert.equal(status(reply), 200, `${m}: ${reply}`);
  }
});

test('Proxy-Authorization and underscore spellings of identity headers never reach an app, in-process or proxied', async () => {
  for (const m of ['/hin', '/hdm']) {
    const reply = await rawExchange(s.port, `GET ${m}/x HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic c2VjcmV0\r\nRemote_User: admin\r\nX_Remote_User: admin\r\nAuth_Type: Basic\r\nX-Keep: 1\r\n${close}\r\n`);
    assert.equal(status(reply), 200, reply);
    const headers = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as Record<string, string>;
    for (const h of ['proxy-authorization', 'remote_user', 'x_remote_user', 'auth_type']) assert.equal(headers[h], undefined, `${m}: ${h}`);
    assert.equal(headers['x-keep'], '1', m);
  }
});

test('Expect: 100-continue is answered 100 only once the request is granted; a refusal comes without it', async () => {
  for (const m of ['/hin', '/hdm']) {
    const head = (auth: string) => `POST ${m}/private HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nExpect: 100-continue\r\n${close}\r\n`;
    const refused = await rawExchange(s.port, head(''));
    assert.equal(status(refused), 401, refused);
    assert.doesNotMatch(refused, /100 Continue/);
    const granted = await rawExchange(s.port, head(`Authorization: ${basic('ann', 'pw')}\r\n`) + 'hi');
    assert.match(granted, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /, granted);
  }
});
