import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuthServer, createForwardAuthHandler, type ForwardAuthOptions } from '../../src/fronts/forward-auth.js';
import { createEngine } from '../../src/engine/decide.js';
import { ConfigError } from '../../src/errors.js';
import { resolveForwardAuthOptions } from '../../src/fronts/forward-auth-options.js';
import { identityHeaders } from '../../src/fronts/forward-auth-reply.js';
import { allowUser } from '../../src/engine/decisions.js';
import { basic, memoryLogger, writeScript } from '../helpers/index.js';
import { model } from '../helpers/model.js';
import type { HookModule } from '../../src/types.js';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

function engineWith(user: HookModule) {
  return createEngine(model([{ path: '/', authType: 'Basic', authName: 'R', user, require: 'valid-user' }]), { logger: memoryLogger() });
}

async function ask(options: ForwardAuthOptions, authorization = basic('alice', 'pw')): Promise<Response> {
  const server = createAuthServer({ logger: memoryLogger(), trustedProxies: ['127.0.0.1'], ...options });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return fetch(`http://127.0.0.1:${port}/_auth`, { headers: { 'X-Original-URI': '/x', Authorization: authorization } });
}

const rich: HookModule = {
  check_password: () => ({
    user: 'alice',
    groups: ['staff', 'ops'],
    attributes: { name: 'Alice Liddell', email: 'alice@example.org', department: 'r-and-d', 'cost-centre': '42' },
  }),
};

test('a grant with facts sends name, email and every other attribute as Remote-<Attribute>', async () => {
  const r = await ask({ engine: engineWith(rich) });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('remote-user'), 'alice');
  assert.equal(r.headers.get('x-remote-user'), 'alice');
  assert.equal(r.headers.get('remote-groups'), 'staff,ops');
  assert.equal(r.headers.get('remote-name'), 'Alice Liddell');
  assert.equal(r.headers.get('remote-email'), 'alice@example.org');
  assert.equal(r.headers.get('remote-department'), 'r-and-d');
  assert.equal(r.headers.get('remote-cost-centre'), '42');
  assert.equal(await r.text(), '');
});

test('identity header names are configurable, and every configured one is sent', async () => {
  const r = await ask({
    engine: engineWith({ check_password: () => true }),
    identityHeaders: { user: ['X-Auth-User'], groups: ['X-Auth-Groups'], name: [], email: ['X-Auth-Email'] },
    attributeHeaderPrefix: null,
    groupSeparator: ';',
  });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-auth-user'), 'alice');
  assert.equal(r.headers.get('x-auth-groups'), '');
  assert.equal(r.headers.get('x-auth-email'), '');
  assert.equal(r.headers.get('remote-user'), null);
  assert.equal(r.headers.get('remote-name'), null);
});

test('the group separator is configurable; a group holding it is left out, never split', async () => {
  const engine = engineWith({ check_password: () => ({ groups: ['staff', 'users,admins', 'ops'] }) });
  assert.equal((await ask({ engine })).headers.get('remote-groups'), 'staff,ops');
  assert.equal((await ask({ engine, groupSeparator: '|' })).headers.get('remote-groups'), 'staff|users,admins|ops');
});

test('an attribute can never pose as an identity header', async () => {
  const engine = engineWith({ check_password: () => ({ attributes: { user: 'root', groups: 'admins', 'x-user': 'y' } }) });
  const r = await ask({ engine, attributeHeaderPrefix: 'X-Remote-' });
  assert.equal(r.headers.get('remote-user'), 'alice');
  assert.equal(r.headers.get('x-remote-user'), 'alice');
  assert.equal(r.headers.get('x-remote-groups'), 'admins');
  assert.equal(r.headers.get('x-remote-x-user'), 'y');
  const plain = await ask({ engine });
  assert.equal(plain.headers.get('remote-user'), 'alice');
  assert.equal(plain.headers.get('remote-groups'), '');
});

test('attributes with control characters or bad names are left out of the reply; the grant stands', () => {
  const o = resolveForwardAuthOptions({ engine: engineWith({}) });
  const decision = { ...allowUser('alice', 'Basic', [], { 'bad key': 'v', evil: 'a\r\nSet-Cookie: x=1', ok: 'fine' }) };
  const logger = memoryLogger();
  const h = identityHeaders(decision, o, logger)!;
  assert.deepEqual(h.slice(0, 2), ['Remote-User', 'alice']);
  assert.equal(h.includes('Remote-Evil'), false);
  assert.equal(h.includes('Remote-Bad key'), false);
  assert.deepEqual(h.slice(-2), ['Remote-Ok', 'fine']);
  assert.equal(logger.lines.filter((l) => l.level === 'warn').length, 2);
});

test('the engine itself refuses a hook result with a control character in an attribute (500)', async () => {
  const r = await ask({ engine: engineWith({ check_password: () => ({ attributes: { evil: 'a\r\nSet-Cookie: x=1' } }) }) });
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('set-cookie'), null);
});

test('a user name with a control character is an empty 500, never a grant', async () => {
  const r = await ask({ engine: engineWith({ check_password: () => 'eve\nRemote-Groups: admins' }) });
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('remote-user'), null);
});

test('non-ASCII identity values go out as UTF-8 bytes', async () => {
  const r = await ask({ engine: engineWith({ check_password: () => ({ user: 'jürgen', attributes: { name: '李雷' } }) }) });
  assert.equal(r.status, 200);
  // fetch reads header bytes as Latin-1: decode them back as UTF-8.
  const utf8 = (s: string | null) => Buffer.from(s ?? '', 'latin1').toString('utf8');
  assert.equal(utf8(r.headers.get('remote-user')), 'jürgen');
  assert.equal(utf8(r.headers.get('remote-name')), '李雷');
});

test('a refusal carries no identity header and no body', async () => {
  const r = await ask({ engine: engineWith({ check_password: () => false }) });
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('remote-user'), null);
  assert.equal(r.headers.get('www-authenticate'), 'Basic realm="R", charset="UTF-8"');
  assert.equal(await r.text(), '');
});

test('a typed config is compiled by the server and released on close', async () => {
  const script = writeScript('export function check_password(_e, u, p) { return u === "alice" && p === "pw"; }\n', 'auth.mjs');
  const config = { scriptReloading: false, locations: [{ path: '/', authType: 'Basic' as const, authName: 'Typed', authUserScript: script, require: 'valid-user' }] };
  const r = await ask({ config });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('remote-user'), 'alice');
});

test('bad options are ConfigErrors at start-up, naming the option', () => {
  const engine = engineWith({ check_password: () => true });
  const bad: [Partial<ForwardAuthOptions>, RegExp][] = [
    [{ trustedProxies: ['not-an-ip'] }, /trustedProxies/],
    [{ headers: { uri: ['X Original'] } }, /headers\.uri/],
    [{ identityHeaders: { user: ['Remote User'] } }, /identityHeaders\.user/],
    [{ pathPrefix: 'ext_authz' }, /pathPrefix/],
    [{ pathPrefix: '/ext_authz/' }, /pathPrefix/],
    [{ pathPrefix: '/a/../b' }, /pathPrefix/],
    [{ groupSeparator: '' }, /groupSeparator/],
    [{ maxUriLength: 0 }, /maxUriLength/],
    [{ attributeHeaderPrefix: 'Remote ' }, /attributeHeaderPrefix/],
  ];
  for (const [options, where] of bad) {
    assert.throws(() => createForwardAuthHandler({ engine, ...options }), (e: unknown) => e instanceof ConfigError && where.test(e.message), JSON.stringify(options));
  }
  assert.throws(() => createForwardAuthHandler({}), ConfigError);
  assert.throws(() => createForwardAuthHandler({ engine, config: { locations: [] } }), ConfigError);
});

test('the handler exposes its engine, for `serve` to reuse', () => {
  const engine = engineWith({ check_password: () => true });
  const h = createForwardAuthHandler({ engine });
  assert.equal(h.engine, engine);
  h.close();
});
