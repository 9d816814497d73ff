import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basic, tempDir } from '../helpers/index.js';
import { daemon, get, mount, startGateway, writeApp, type Started } from './_helpers.js';

const IS_ROOT = process.getuid?.() === 0;
const testStartUs = Date.now() * 1000;
let s: Started;
let home: string;

/** A package only under `dir` (NODE_PATH style: the package sits in the directory itself). */
function packageIn(dir: string, name: string, value: string, esm = false): void {
  mkdirSync(join(dir, name), { recursive: true });
  const pkg = esm ? { name, type: 'module', exports: './index.js' } : { name, main: 'index.js' };
  writeFileSync(join(dir, name, 'package.json'), JSON.stringify(pkg));
  writeFileSync(join(dir, name, 'index.js'), esm ? `export default ${JSON.stringify(value)};` : `module.exports = ${JSON.stringify(value)};`);
}

before(async () => {
  home = tempDir('authhook-home-');
  chmodSync(home, 0o755);
  const libs = tempDir('authhook-libs-');
  packageIn(libs, 'only-in-node-path', 'from node-path');
  const project = tempDir('authhook-venv-');
  packageIn(join(project, 'node_modules'), 'esm-in-venv', 'from venv node_modules', true);
  const app = writeApp(undefined, 'app.mjs', home);
  const user = { check_password: (_e: unknown, u: string, p: string) => u === 'alice' && p === 'pw', groups_for_user: () => ['staff', 'o,ps'] };
  s = await startGateway(
    {
      mounts: [
        mount('/env', app, { processGroup: 'envd', applicationGroup: '%{GLOBAL}' }),
        mount('/plain', app, { processGroup: 'plain', applicationGroup: '%{GLOBAL}' }),
        mount('/bad', app, { processGroup: 'badlocale', applicationGroup: '%{GLOBAL}' }),
        ...(IS_ROOT ? [mount('/nobody', app, { processGroup: 'asnobody', applicationGroup: '%{GLOBAL}' })] : []),
      ],
      daemonProcesses: [
        daemon('envd', { home, nodePath: [libs, project], lang: 'POSIX', locale: 'C.utf8', displayName: 'env-%{GROUP}' }),
        daemon('plain'),
        daemon('badlocale', { locale: 'xx_YY.UTF-8' }),
        ...(IS_ROOT ? [daemon('asnobody', { user: 'nobody', home })] : []),
      ],
    },
    [
      { path: '/env/private', authType: 'Basic', authName: 'r', user, group: user, require: 'group staff' },
      { path: '/env/member', authType: 'Basic', authName: 'r', user, group: user, require: 'valid-user' },
    ],
  );
});
after(() => s?.close());

test('a daemon group runs in home, with LANG and LC_ALL set for that group only', async () => {
  const env = (await get(s.url + '/env/')).json;
  assert.equal(env.cwd, home);
  assert.equal(env.LANG, 'POSIX');
  assert.equal(env.LC_ALL, 'C.utf8');
  assert.equal(env.title, 'env-(authhook:envd)');
  assert.notEqual(env.pid, process.pid);
  const plain = (await get(s.url + '/plain/')).json;
  assert.equal(plain.LANG, process.env.LANG ?? null);
  assert.equal(plain.LC_ALL, process.env.LC_ALL ?? null);
  assert.notEqual(process.env.LANG, 'POSIX');
});

test('the app resolves packages from node-path, by require and by import', async () => {
  const a = (await get(s.url + '/env/require?name=only-in-node-path')).json;
  assert.deepEqual(a, { viaRequire: 'from node-path', viaImport: 'from node-path' });
  const b = (await get(s.url + '/env/require?name=esm-in-venv')).json;
  assert.equal(b.viaImport, 'from venv node_modules');
  assert.equal((await get(s.url + '/plain/require?name=only-in-node-path')).status, 500, 'another group does not see it');
});

test('an unsupported locale still starts the group, with a clear warning', async () => {
  const r = await get(s.url + '/bad/');
  assert.equal(r.status, 200);
  assert.equal(r.json.LC_ALL, 'xx_YY.UTF-8');
  assert.ok(s.logger.lines.some((l) => l.level === 'warn' && l.message.startsWith('Unsupported locale setting "xx_YY.UTF-8"')));
});

test('a proxied app gets X-Request-Start and authhook.queue_start from the gateway, never the client', async () => {
  const r = await get(s.url + '/env/x', { headers: { 'x-request-start': 't=1', 'x-authhook-forwarded': 'e30' } });
  const qs = r.json.queueStart as string;
  assert.match(qs, /^\d{16}$/);
  assert.ok(Number(qs) >= testStartUs && Number(qs) <= Date.now() * 1000 + 999);
  assert.equal(r.json.xRequestStart, `t=${qs}`);
  assert.equal(r.json.requestUri, '/env/x');
});

test('the identity reaches a proxied app as request properties; client-sent identity headers never do', async () => {
  const spoof = { 'remote-user': 'mallory', 'remote-groups': 'admin', 'auth-type': 'Digest', 'x-remote-user': 'mallory' };
  const ok = (await get(s.url + '/env/private', { headers: { authorization: basic('alice', 'pw'), ...spoof } })).json;
  assert.deepEqual([ok.remoteUser, ok.environUser, ok.headerUser, ok.authType], ['alice', 'alice', null, 'Basic']);
  assert.deepEqual(ok.groups, ['staff', 'o,ps']);
  assert.equal(ok.authorization, null, 'the Authorization header stays behind');
  const anon = (await get(s.url + '/env/public', { headers: spoof })).json;
  assert.deepEqual([anon.remoteUser, anon.environUser, anon.headerUser, anon.authType], [null, null, null, null]);
  assert.equal((await get(s.url + '/env/private', { headers: spoof })).status, 401);
});

test('a proxied app gets the groups where only valid-user is required: they are looked up for it', async () => {
  const ok = (await get(s.url + '/env/member', { headers: { authorization: basic('alice', 'pw'), 'remote-groups': 'admin' } })).json;
  assert.equal(ok.remoteUser, 'alice');
  assert.deepEqual(ok.groups, ['staff', 'o,ps']);
});

test('however many headers a client sends, the identity reaches a daemon app (the gateway sends its own first)', async () => {
  const headers: Record<string, string> = { authorization: basic('alice', 'pw') };
  for (let i = 0; i < 990; i++) headers[`x-h${i}`] = 'v';
  const ok = (await get(s.url + '/env/member', { headers })).json;
  assert.deepEqual([ok.remoteUser, ok.authType, ok.groups], ['alice', 'Basic', ['staff', 'o,ps']]);
});

test('user= runs the group as that user when authhook runs as root', { skip: !IS_ROOT }, async () => {
  const r = await get(s.url + '/nobody/');
  assert.equal(r.status, 200);
  assert.notEqual(r.json.uid, 0);
});

test('the status page lists each daemon process with its pid and counters', () => {
  const st = s.gateway.status();
  const envd = st.daemonGroups.find((g) => g.name === 'envd')!;
  assert.equal(envd.live.length, 1);
  assert.equal(typeof envd.live[0]!.pid, 'number');
  assert.ok(envd.live[0]!.requests >= 1);
  assert.ok(st.queueTime.count >= 1);
});

test('bodies stream to and from a daemon process, with or without a length', async () => {
  const big = 'y'.repeat(2 * 1024 * 1024);
  assert.equal((await get(s.url + '/env/upload', { method: 'POST', body: big })).json.bodyLength, big.length);
  const chunked = await get(s.url + '/env/upload', { method: 'PUT', body: new Blob(['c', 'd']).stream(), duplex: 'half' } as RequestInit);
  assert.deepEqual([chunked.json.method, chunked.json.body], ['PUT', 'cd']);
  assert.equal((await get(s.url + '/env/stream')).text, 'one,two,three');
  const head = await fetch(s.url + '/env/x', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
});
