import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';
import type { HookModule } from '../../src/types.js';

function ask(loc: TestLocation, authorization?: string, env: Record<string, string> = {}, remoteHost?: string) {
  const e = createEngine(model([loc], { hookTimeoutMs: 50 }), { logger: memoryLogger() });
  return e.decide({ environ: environ(env), authorization, authorizationCount: authorization === undefined ? 0 : 1, remoteHost });
}

const access = (fn: HookModule['allow_access']): HookModule => ({ allow_access: fn! });
const AUTH: TestLocation = { authType: 'Basic', authName: 'A', user: fixture, require: 'valid-user' };

test('allow_access true with no auth configured lets the request through', async () => {
  assert.equal((await ask({ access: access(() => true) })).status, 200);
});

test('allow_access true does not skip authentication when a Require needs a user', async () => {
  assert.equal((await ask({ ...AUTH, access: access(() => true) })).status, 401);
  assert.equal((await ask({ ...AUTH, access: access(() => true) }, basic('spy', 'secret'))).status, 200);
});

test('allow_access false is a 403 before authentication, with no challenge', async () => {
  let calls = 0;
  const d = await ask({ ...AUTH, user: { check_password: () => (calls++, true) }, access: access(() => false) }, basic('spy', 'secret'));
  assert.equal(d.status, 403);
  assert.equal(d.headers['WWW-Authenticate'], undefined);
  assert.equal(calls, 0);
});

test('allow_access null has no opinion: the other rules decide', async () => {
  assert.equal((await ask({ access: access(() => null) })).status, 200);
  assert.equal((await ask({ access: access(() => null), require: 'all denied' })).status, 403);
});

for (const [what, fn] of [
  ['returns 1', () => 1],
  ['returns "yes"', () => 'yes'],
  ['throws', () => { throw new Error('x'); }],
  ['hangs past its time limit', () => new Promise(() => {})],
] as const) {
  test(`allow_access that ${what} is a 403 even with valid credentials`, async () => {
    const d = await ask({ ...AUTH, access: access(fn as never) }, basic('spy', 'secret'));
    assert.equal(d.status, 403);
  });
}

test('an access script without allow_access is a 403', async () => {
  assert.equal((await ask({ access: { check_password: () => true } })).status, 403);
});

test('allow_access true inside Require all denied is still a 403', async () => {
  assert.equal((await ask({ access: access(() => true), require: 'all denied' })).status, 403);
});

test('allow_access gets the client address as host when no name is known', async () => {
  let host = '';
  await ask({ access: access((_e, h) => ((host = h), true)) }, undefined, { REMOTE_ADDR: '127.0.0.1' });
  assert.equal(host, '127.0.0.1');
  await ask({ access: access((_e, h) => ((host = h), true)) }, undefined, {}, 'client.example');
  assert.equal(host, 'client.example');
});
