import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basic } from '../helpers/index.js';
import { daemon, get, mount, startGateway, writeApp, type Started } from './_helpers.js';

const DISPATCH = `
export function process_group(environ) {
  const p = environ.PATH_INFO;
  if (p.startsWith('/to-daemon')) return 'dd';
  if (p.startsWith('/async')) return Promise.resolve('dd');
  if (p.startsWith('/throw')) throw new Error('boom');
  if (p.startsWith('/bad-type')) return 42;
  if (p.startsWith('/unknown')) return 'nosuch';
  return null;
}
export function application_group(environ) {
  if (environ.PATH_INFO.startsWith('/user')) return 'user-' + environ.REMOTE_USER;
  if (environ.PATH_INFO.startsWith('/global-in-daemon')) return '%{GLOBAL}';
  return null;
}
`;

let s: Started;
let status: Started;
before(async () => {
  const admin = { check_password: (_e: unknown, u: string, p: string) => p === 'pw' && (u === 'alice' || u === 'root') };
  [s, status] = await Promise.all([
    startGateway(
      { mounts: [mount('/', writeApp(), { applicationGroup: '%{GLOBAL}' })], daemonProcesses: [daemon('dd')], dispatchScript: writeApp(DISPATCH, 'dispatch.mjs') },
      [{ path: '/user', authType: 'Basic', authName: 'r', user: admin, require: 'valid-user' }],
    ),
    startGateway(
      { mounts: [mount('/', writeApp())], statusPath: '/server-status' },
      [{ path: '/server-status', authType: 'Basic', authName: 'status', user: admin, require: 'user root' }],
    ),
  ]);
});
after(() => Promise.all([s?.close(), status?.close()]));

test('without an opinion from the dispatch script the configured groups apply', async () => {
  const r = await get(s.url + '/plain');
  assert.equal(r.status, 200);
  assert.deepEqual([r.json.group, r.json.processGroup, r.json.pid], ['', '', process.pid]);
});

test('process_group sends the request to a daemon group, sync or async', async () => {
  for (const p of ['/to-daemon', '/async']) {
    const r = await get(s.url + p);
    assert.equal(r.status, 200);
    assert.equal(r.json.processGroup, 'dd');
    assert.notEqual(r.json.pid, process.pid);
  }
});

test('application_group sees the authenticated user and picks a group per request', async () => {
  const r = await get(s.url + '/user/x', { headers: { authorization: basic('alice', 'pw') } });
  assert.equal(r.json.group, 'user-alice');
  assert.notEqual(r.json.threadId, 0);
});

test('a throw, a wrong type or an unknown group is a 500, never a silently wrong group', async () => {
  for (const p of ['/throw', '/bad-type', '/unknown']) assert.equal((await get(s.url + p)).status, 500, p);
  const codes = s.logger.lines.map((l) => l.fields.code).filter(Boolean);
  assert.ok(codes.includes('AUTHHOOK_ERR_HOOK_THREW'));
  assert.ok(codes.includes('AUTHHOOK_ERR_HOOK_RESULT'));
  assert.ok(s.logger.lines.some((l) => l.fields.processGroup === 'nosuch'));
});

test('the status page is behind the same policy engine, as JSON and as HTML', async () => {
  assert.equal((await get(status.url + '/server-status')).status, 401);
  assert.equal((await get(status.url + '/server-status', { headers: { authorization: basic('alice', 'pw') } })).status, 401);
  await get(status.url + '/app/');
  const root = { authorization: basic('root', 'pw') };
  const j = await get(status.url + '/server-status?json', { headers: root });
  assert.equal(j.status, 200);
  assert.equal(j.headers.get('content-type'), 'application/json; charset=utf-8');
  const body = j.json as { auth: { byStatus: Record<string, number> }; applicationGroups: { name: string }[]; queueTime: { count: number } };
  assert.equal(body.auth.byStatus['401'], 2);
  assert.ok(body.applicationGroups.some((g) => g.name.endsWith('|')));
  assert.ok(body.queueTime.count >= 1);
  const h = await get(status.url + '/server-status', { headers: root });
  assert.match(h.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(h.text, /<h2>Queue time<\/h2>/);
});

test('a dispatch script that does not load stops the gateway from starting', async () => {
  await assert.rejects(
    startGateway({ mounts: [mount('/', writeApp())], dispatchScript: writeApp('export const nothing = 1;\n', 'dispatch.mjs') }),
    /exports neither process_group nor application_group/,
  );
});
