import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import type { Decision } from '../../src/types.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';

const ok = (_e: unknown, u: string, p: string) => (u === 'alice' ? p === 'wonderland' : null);
const input = (authorization?: string, env: Record<string, string> = {}) => ({
  environ: environ(env),
  authorization,
  authorizationCount: authorization === undefined ? 0 : 1,
});
function engineFor(loc: TestLocation, hookTimeoutMs = 1000) {
  return createEngine(model([{ authType: 'Basic', authName: 'S', require: 'valid-user', ...loc }], { hookTimeoutMs }), { logger: memoryLogger() });
}

test('evaluate answers synchronously while every hook on the way does', () => {
  const e = engineFor({ user: { check_password: ok }, access: { allow_access: () => null } });
  for (const [authorization, status] of [
    [undefined, 401],
    [basic('alice', 'wonderland'), 200],
    [basic('alice', 'nope'), 401],
    [basic('nobody', 'x'), 401],
    ['Basic !!!', 401],
  ] as const) {
    const d = e.evaluate(input(authorization));
    assert.ok(!(d instanceof Promise), `synchronous for ${authorization}`);
    assert.equal((d as Decision).status, status);
  }
  const granted = e.evaluate(input(basic('alice', 'wonderland'))) as Decision;
  assert.equal(granted.user, 'alice');
});

test('an async hook anywhere makes the decision a promise, with the same outcome', async () => {
  const asyncPassword = engineFor({ user: { check_password: async (...a: [unknown, string, string]) => ok(...a) } });
  const d = asyncPassword.evaluate(input(basic('alice', 'wonderland')));
  assert.ok(d instanceof Promise);
  assert.equal((await d).user, 'alice');
  const asyncAccess = engineFor({ user: { check_password: ok }, access: { allow_access: async () => false } });
  const a = asyncAccess.evaluate(input(basic('alice', 'wonderland')));
  assert.ok(a instanceof Promise);
  assert.equal((await a).status, 403);
});

test('a group rule on the synchronous path still looks the groups up once, and decides', async () => {
  let lookups = 0;
  const e = engineFor({
    user: { check_password: ok },
    group: { groups_for_user: () => (lookups++, ['staff']) },
    require: { all: ['group staff', 'not group banned'] },
  });
  const d = await e.evaluate(input(basic('alice', 'wonderland')));
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, ['staff']);
  assert.equal(lookups, 1);
});

test('a hook that throws or times out is refused the same way on either path', async () => {
  const throws = engineFor({
    user: {
      check_password: () => {
        throw new Error('secret wonderland');
      },
    },
  });
  const t = throws.evaluate(input(basic('alice', 'wonderland')));
  assert.ok(!(t instanceof Promise));
  assert.equal((t as Decision).status, 500);
  const hangs = engineFor({ user: { check_password: () => new Promise(() => {}) } }, 30);
  assert.equal((await hangs.evaluate(input(basic('alice', 'wonderland')))).status, 503);
  assert.equal((await hangs.decide(input(basic('alice', 'wonderland')))).status, 503);
});
