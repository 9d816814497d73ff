import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { basic, eventually } from '../helpers/index.js';
import { get, load, mount, REPORT_APP, startGateway, writeApp, type Started } from './_helpers.js';

/** A GET with the path sent byte for byte (fetch would normalise it first). */
function raw(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const r = request({ port, path, headers: { host: 'www.example.com', ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: body.startsWith('{') ? (JSON.parse(body) as Record<string, unknown>) : {} }));
    });
    r.on('error', reject);
    r.end();
  });
}

const FETCH_APP = `export default { fetch: async (request, ctx) => new Response(JSON.stringify({ path: new URL(request.url).pathname, user: ctx.remoteUser ?? null, body: await request.text() }), { headers: { 'content-type': 'application/json', 'set-cookie': 'a=1' } }) };`;
const expressApp = () => `import express from ${JSON.stringify(import.meta.resolve('express'))};
const app = express();
app.get('/hello', (req, res) => res.json({ path: req.path, user: req.remoteUser ?? null, original: req.originalUrl }));
app.get('/private', (req, res) => res.json({ user: req.remoteUser ?? null, authType: req.authType ?? null, auth: req.auth ?? null, environUser: req.environ?.REMOTE_USER ?? null }));
export default app;`;

/** An app that can drop its connection without dying. */
const DROP_APP = `import { threadId } from 'node:worker_threads';
export default function app(req, res) {
  if (req.url === '/drop') return void req.socket.destroy();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ threadId }));
}`;

let s: Started;
let app: string;
let reloadMain: string;
let reloadWorker: string;
before(async () => {
  app = writeApp();
  reloadMain = writeApp();
  reloadWorker = writeApp();
  s = await startGateway(
    {
      serverName: 'www.example.com',
      serverPort: 80,
      reloadOnChanges: true,
      mounts: [
        mount('/', app, { applicationGroup: '%{GLOBAL}' }),
        mount('/app', app),
        mount('/srv', app, { applicationGroup: '%{SERVER}' }),
        mount('/envg', app, { applicationGroup: '%{ENV:TEST_GROUP}' }),
        mount('/named', app, { applicationGroup: 'shop' }),
        mount('/also-named', app, { applicationGroup: 'shop' }),
        mount('/fetch', writeApp(FETCH_APP), { applicationGroup: '%{GLOBAL}' }),
        mount('/express', writeApp(expressApp()), { applicationGroup: 'ex' }),
        mount('/exin', writeApp(expressApp(), 'exin.mjs'), { applicationGroup: '%{GLOBAL}' }),
        mount('/rm', reloadMain, { applicationGroup: '%{GLOBAL}' }),
        mount('/rw', reloadWorker, { applicationGroup: 'reloading' }),
        mount('/crashy', app, { applicationGroup: 'crashy' }),
        mount('/drop', writeApp(DROP_APP), { applicationGroup: 'drop' }),
      ],
    },
    [
      { path: '/envg', setEnv: { TEST_GROUP: 'from-setenv' } },
      { path: '/named/private', authType: 'Basic', authName: 'shop', user: { check_password: (_e, u, p) => u === 'alice' && p === 'pw' }, require: 'valid-user' },
      ...['/express/private', '/exin/private'].map((path) => ({ path, authType: 'Basic' as const, authName: 'shop', user: { check_password: (_e: unknown, u: string, p: string) => u === 'alice' && p === 'pw' }, require: 'valid-user' })),
    ],
  );
});
after(() => s?.close());

test('no URL spelling, Host case or written-out default port loads a second instance of a group', async () => {
  const spellings = ['/app', '/app/', '//app', '/./app', '/app//x', '///app/./y/', '/%61pp/x', '/x/../app'];
  const hosts = ['www.example.com', 'WWW.EXAMPLE.COM', 'www.example.com:80', 'other.example:8080'];
  const seen = new Set<string>();
  for (const path of spellings) {
    for (const host of hosts) {
      const r = await raw(s.port, path, { host });
      assert.equal(r.status, 200, `${path} ${host}`);
      assert.equal(r.json.group, 'www.example.com|/app', `${path} ${host}`);
      assert.equal(r.json.instances, 1);
      seen.add(`${String(r.json.threadId)}`);
    }
  }
  assert.equal(seen.size, 1, 'one worker thread for the group');
  const groups = s.gateway.status().applicationGroups.filter((g) => g.name.includes('/app'));
  assert.deepEqual(groups.map((g) => g.name), ['www.example.com|/app']);
});

test('each named group is its own worker with its own module graph; %{GLOBAL} is the main thread', async () => {
  const at = async (p: string) => (await raw(s.port, p)).json;
  const [root, srv, envg, named, alsoNamed] = await Promise.all(['/', '/srv/', '/envg/', '/named/', '/also-named/'].map(at));
  assert.equal(root!.group, '');
  assert.equal(root!.threadId, 0);
  assert.equal(srv!.group, 'www.example.com');
  assert.equal(envg!.group, 'from-setenv');
  assert.equal(named!.group, 'shop');
  assert.equal(alsoNamed!.threadId, named!.threadId, 'two mounts naming one group share its instance');
  const threads = new Set([root, srv, envg, named].map((j) => j!.threadId));
  assert.equal(threads.size, 4);
  for (const j of [root, srv, envg, named]) assert.equal(j!.instances, 1);
});

test('SCRIPT_NAME is the canonical mount, PATH_INFO the normalised rest, and the app routes on PATH_INFO', async () => {
  const r = (await raw(s.port, '/app//x/./y?q=1')).json;
  assert.deepEqual([r.scriptName, r.pathInfo, r.url, r.requestUri], ['/app', '/x/y', '/x/y?q=1', '/app//x/./y?q=1']);
  const bare = (await raw(s.port, '/app')).json;
  assert.deepEqual([bare.scriptName, bare.pathInfo, bare.url], ['/app', '', '/']);
  const root = (await raw(s.port, '/other/thing', { 'x-request-start': 't=1' })).json;
  assert.deepEqual([root.scriptName, root.pathInfo, root.url], ['', '/other/thing', '/other/thing']);
  assert.match(root.queueStart as string, /^\d{16}$/);
  assert.ok(Number(root.queueStart) <= Date.now() * 1000 + 999);
  assert.equal(root.xRequestStart, `t=${root.queueStart as string}`, 'the in-process app sees the gateway\'s stamp, not the client\'s');
  const enc = (await raw(s.port, '/app/a%20b')).json;
  assert.deepEqual([enc.pathInfo, enc.url], ['/a b', '/a%20b']);
});

test('an app in a worker group gets the identity as request properties, and never the Authorization header', async () => {
  const r = await get(s.url + '/named/private', { headers: { authorization: basic('alice', 'pw'), 'remote-user': 'mallory' } });
  assert.equal(r.status, 200);
  assert.equal(r.json.remoteUser, 'alice');
  assert.equal(r.json.environUser, 'alice');
  assert.equal(r.json.authType, 'Basic');
  assert.equal(r.json.authorization, null);
  assert.equal((await get(s.url + '/named/private')).status, 401);
});

test('a fetch(Request) handler and an Express app are mounted like a request listener', async () => {
  const f = await get(s.url + '/fetch/some/where', { method: 'POST', body: 'hi' });
  assert.deepEqual(f.json, { path: '/some/where', user: null, body: 'hi' });
  assert.equal(f.headers.get('set-cookie'), 'a=1');
  const e = await get(s.url + '/express/hello?z=1');
  assert.deepEqual(e.json, { path: '/hello', user: null, original: '/express/hello?z=1' });
  assert.equal((await get(s.url + '/express/none')).status, 404);
});

test('an Express app in the gateway (in-process and in a worker) sees req.remoteUser, req.authType, req.auth and req.environ', async () => {
  for (const m of ['/exin', '/express']) {
    const r = await get(s.url + m + '/private', { headers: { authorization: 'Basic ' + Buffer.from('alice:pw').toString('base64') } });
    assert.equal(r.status, 200, m);
    assert.deepEqual(r.json, { user: 'alice', authType: 'Basic', auth: { user: 'alice', groups: [], attributes: {}, authType: 'Basic' }, environUser: 'alice' }, m);
    assert.equal((await get(s.url + m + '/private')).status, 401, m);
  }
});

test('a fetch app never takes its path from the Host header: a Host that is no URL authority is a 400', async () => {
  for (const host of ['gw.example/admin?', 'gw.example/admin#', 'gw.example\\admin', 'user@gw.example']) {
    const r = await raw(s.port, '/fetch/public', { host });
    assert.equal(r.status, 400, host);
  }
  assert.deepEqual((await raw(s.port, '/fetch/public', { host: 'gw.example:8080' })).json.path, '/public');
});

test('a changed app file reloads its main-thread instance and its worker group under load, with no failed request', async () => {
  for (const [file, prefix] of [[reloadMain, '/rm/'], [reloadWorker, '/rw/']] as const) {
    assert.equal((await get(s.url + prefix)).json.version, 1);
    const running = load(300, 10, async () => (await get(s.url + prefix)).status);
    writeFileSync(file, REPORT_APP.replace('const VERSION = 1;', 'const VERSION = 2;'));
    const counts = await running;
    assert.deepEqual([...counts.keys()], [200], `${prefix}: ${JSON.stringify([...counts])}`);
    await eventually(async () => (await get(s.url + prefix)).json.version === 2, 10000);
  }
  assert.equal(s.gateway.status().applicationGroups.find((g) => g.name === 'reloading')!.reloads, 1);
});

test('request and response bodies stream through a worker group both ways, chunked or not', async () => {
  const big = 'x'.repeat(3 * 1024 * 1024);
  const r = await get(s.url + '/named/upload', { method: 'POST', body: big });
  assert.equal(r.json.bodyLength, big.length);
  const chunked = await get(s.url + '/named/upload', { method: 'POST', body: new Blob(['a', 'b']).stream(), duplex: 'half' } as RequestInit);
  assert.equal(chunked.json.body, 'ab');
  const streamed = await get(s.url + '/named/stream');
  assert.equal(streamed.text, 'one,two,three');
  const head = await fetch(s.url + '/named/x', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});

test('a worker group whose thread dies answers 502 in flight and starts a new thread for the next request', async () => {
  const before = (await raw(s.port, '/srv/')).json.threadId;
  assert.equal((await get(s.url + '/srv/crash?ms=50')).status, 502);
  const after = (await raw(s.port, '/srv/')).json;
  assert.equal(after.instances, 1);
  assert.notEqual(after.threadId, before);
});

test('the requests that arrive together right after a worker thread dies all go to one new thread', async () => {
  const before = (await raw(s.port, '/crashy/')).json.threadId;
  assert.equal((await get(s.url + '/crashy/crash?ms=50')).status, 502);
  const next = await Promise.all(Array.from({ length: 4 }, () => raw(s.port, '/crashy/')));
  assert.deepEqual(next.map((r) => r.status), [200, 200, 200, 200]);
  assert.deepEqual(next.map((r) => r.json.instances), [1, 1, 1, 1]);
  assert.equal(new Set(next.map((r) => r.json.threadId)).size, 1);
  assert.notEqual(next[0]!.json.threadId, before);
});

test('a worker thread that drops a connection but lives on keeps serving', async () => {
  const before = (await raw(s.port, '/drop/')).json.threadId;
  assert.equal((await raw(s.port, '/drop/drop')).status, 502);
  const after = await raw(s.port, '/drop/');
  assert.equal(after.status, 200);
  assert.equal(after.json.threadId, before, 'the live thread was kept, not replaced');
  const group = s.gateway.status().applicationGroups.find((g) => g.name === 'drop')!;
  assert.equal(group.workers.length, 1);
});
