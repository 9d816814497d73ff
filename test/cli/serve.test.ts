import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, tempDir } from '../helpers/index.js';
import { runAuthhook, startAuthhook, type Running } from '../helpers/spawn.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/apache/site/${name}`, import.meta.url));

async function get(url: string, headers: Record<string, string> = {}) {
  const r = await fetch(url, { headers });
  return { status: r.status, text: await r.text(), headers: r.headers };
}

let server: Running;
before(async () => {
  server = await startAuthhook(['serve', '--config', fixture('authhook.conf'), '--port', '0']);
});
after(async () => {
  await server?.stop();
});

test('authhook serve: a request without credentials gets the realm\'s challenge', async () => {
  const r = await get(server.url + '/shop/cart');
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Basic realm="Shop", charset="UTF-8"');
});

test('authhook serve: a valid user reaches the mount with SCRIPT_NAME, PATH_INFO and a mount-relative URL', async () => {
  const r = await get(server.url + '/shop/cart/1?x=y', { Authorization: basic('spy', 'secret') });
  assert.equal(r.status, 200);
  assert.match(r.text, /REMOTE_USER=spy\nSCRIPT_NAME=\/shop\nPATH_INFO=\/cart\/1\nurl=\/cart\/1\?x=y\n/);
});

test('authhook serve: an identity header sent by the client never reaches the app', async () => {
  const r = await get(server.url + '/shop/', { Authorization: basic('citizen', 'secret'), 'Remote-User': 'spy' });
  assert.match(r.text, /REMOTE_USER=citizen\n/);
  assert.match(r.text, /remote-user-header=\n/);
});

test('authhook serve: the longest mount wins and a deeper location adds its rules', async () => {
  assert.equal((await get(server.url + '/shop/admin/users', { Authorization: basic('citizen', 'secret') })).status, 403);
  const r = await get(server.url + '/shop/admin/users', { Authorization: basic('spy', 'secret') });
  assert.equal(r.status, 200);
  assert.match(r.text, /SCRIPT_NAME=\/shop\/admin\nPATH_INFO=\/users\n/);
});

test('authhook serve: each mount has its own app instance', async () => {
  const auth = { Authorization: basic('spy', 'secret') };
  const before = Number(/hits=(\d+)/.exec((await get(server.url + '/shop/admin', auth)).text)![1]);
  await get(server.url + '/shop/x', auth);
  await get(server.url + '/shop/y', auth);
  const afterHits = Number(/hits=(\d+)/.exec((await get(server.url + '/shop/admin', auth)).text)![1]);
  assert.equal(afterHits, before + 1);
});

test('authhook serve: a path no mount serves is a 404', async () => {
  assert.equal((await get(server.url + '/elsewhere')).status, 404);
});

test('authhook serve with a malformed config exits with the error and never listens', async () => {
  const r = await runAuthhook(['serve', '--config', fixture('typo.conf'), '--port', '0']);
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout, /serving/);
  assert.match(r.stderr, /typo\.conf:7: Require: unknown provider "grup"/);
});

test('authhook serve with no WSGIScriptAlias has nothing to serve', async () => {
  const r = await runAuthhook(['serve', '--config', fixture('no-hook.conf'), '--port', '0']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nothing to serve/);
});

test('authhook serve without --config says so', async () => {
  const r = await runAuthhook(['serve', '--port', '0']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /serve needs --config FILE/);
});

test('authhook serve: WSGIDispatchScript chooses the application group per request (TypeScript files outside any package)', async () => {
  const dir = tempDir('authhook-serve-dispatch-');
  writeFileSync(join(dir, 'app.ts'), 'export default (req: { environ?: Record<string, string> }, res: { end(s: string): void }) => res.end(`group=${req.environ?.["authhook.application_group"]}`);\n');
  writeFileSync(join(dir, 'dispatch.ts'), 'export function application_group(environ: Record<string, string>) { return environ.PATH_INFO.startsWith("/tenant-a") ? "tenant-a" : null; }\n');
  writeFileSync(join(dir, 'authhook.conf'), 'WSGIScriptAlias / app.ts application-group=%{GLOBAL}\nWSGIDispatchScript dispatch.ts\n');
  const s = await startAuthhook(['serve', '--config', join(dir, 'authhook.conf'), '--port', '0']);
  try {
    assert.equal((await get(s.url + '/tenant-a/x')).text, 'group=tenant-a');
    assert.equal((await get(s.url + '/other')).text, 'group=');
  } finally {
    await s.stop();
  }
});
