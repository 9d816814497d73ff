import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, countingGroups as counting, environ, memoryLogger } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';
import type { HookModule } from '../../src/types.js';

const GROUP: TestLocation = {
  authType: 'Basic',
  authName: 'Group Area',
  user: fixture,
  group: fixture,
  require: { all: ['valid-user', 'wsgi-group secret-agents'] },
};

function ask(loc: TestLocation, authorization?: string, env: Record<string, string> = {}) {
  const e = createEngine(model([loc]), { logger: memoryLogger() });
  return e.decide({ environ: environ(env), authorization, authorizationCount: authorization === undefined ? 0 : 1 });
}

test('a member of the required group is granted', async () => {
  const d = await ask(GROUP, basic('spy', 'secret'));
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, ['secret-agents']);
});

test('an authenticated user in no group gets 401 with the challenge again', async () => {
  const d = await ask(GROUP, basic('citizen', 'secret'));
  assert.equal(d.status, 401);
  assert.ok(d.headers['WWW-Authenticate']);
});

test('AuthzSendForbiddenOnFailure turns the not-authorised 401 into 403', async () => {
  const d = await ask({ ...GROUP, forbiddenOnFailure: true }, basic('citizen', 'secret'));
  assert.equal(d.status, 403);
  assert.equal(d.headers['WWW-Authenticate'], undefined);
});

test('no credentials is a 401 and groups_for_user is not called', async () => {
  const g = counting(() => ['secret-agents']);
  const d = await ask({ ...GROUP, group: g });
  assert.equal(d.status, 401);
  assert.equal(g.calls, 0);
});

test('a wrong password is a 401 from authentication; groups_for_user is not called', async () => {
  const g = counting(() => ['secret-agents']);
  const d = await ask({ ...GROUP, group: g }, basic('spy', 'wrong'));
  assert.equal(d.status, 401);
  assert.equal(g.calls, 0);
});

test('groups_for_user returning a bare string is denied, not split into letters', async () => {
  const d = await ask({ ...GROUP, group: { groups_for_user: () => 'secret-agents' as never } }, basic('spy', 'secret'));
  assert.equal(d.status, 401);
});

test('group names match case-insensitively', async () => {
  const d = await ask({ ...GROUP, group: { groups_for_user: () => ['SECRET-AGENTS'] } }, basic('spy', 'secret'));
  assert.equal(d.status, 200);
});

test('groups as bytes are accepted', async () => {
  const d = await ask({ ...GROUP, group: { groups_for_user: () => [Buffer.from('secret-agents')] } }, basic('spy', 'secret'));
  assert.equal(d.status, 200);
});

for (const [what, impl] of [
  ['throws', () => { throw new Error('x'); }],
  ['returns null', () => null],
  ['returns a number', () => 7],
  ['yields a number', () => [1]],
] as const) {
  test(`groups_for_user that ${what} is denied with 401, never a grant`, async () => {
    const d = await ask({ ...GROUP, group: { groups_for_user: impl as never } }, basic('spy', 'secret'));
    assert.equal(d.status, 401);
  });
}

test('quoted group names with spaces work', async () => {
  const d = await ask(
    { ...GROUP, group: { groups_for_user: () => ['secret agents'] }, require: { all: ['valid-user', 'wsgi-group "secret agents"'] } },
    basic('spy', 'secret'),
  );
  assert.equal(d.status, 200);
});

test('the 2.4 OR gotcha: group OR valid-user at the top level admits any authenticated user', async () => {
  const d = await ask({ ...GROUP, require: ['wsgi-group secret-agents', 'valid-user'] }, basic('citizen', 'secret'));
  assert.equal(d.status, 200);
});

test('Require group without any group source is denied', async () => {
  const { group: _g, ...rest } = GROUP;
  const d = await ask(rest, basic('spy', 'secret'));
  assert.equal(d.status, 401);
});

test('groups are looked up at most once per request, under the canonical name', async () => {
  const seen: string[] = [];
  const g: HookModule = { groups_for_user: (_e, u) => (seen.push(u), ['a', 'b']) };
  const d = await ask(
    { ...GROUP, group: g, require: { all: ['valid-user', 'group a', 'group b'] } },
    basic('witness', 'secret'),
  );
  assert.equal(d.status, 200);
  assert.deepEqual(seen, ['protected']);
});

test('groups in a grant object satisfy Require group without calling groups_for_user', async () => {
  const g = counting(() => []);
  const d = await ask(
    { ...GROUP, group: g, user: { check_password: () => ({ user: 'uid42', groups: ['secret-agents'], attributes: { email: 'a@b.c' } }) } },
    basic('a@b.c', 'x'),
  );
  assert.equal(d.status, 200);
  assert.equal(d.user, 'uid42');
  assert.deepEqual(d.attributes, { email: 'a@b.c' });
  assert.equal(g.calls, 0);
});

test('a tree already denied without a user answers 403 before any authentication', async () => {
  let calls = 0;
  const d = await ask(
    { ...GROUP, user: { check_password: () => (calls++, true) }, require: { all: ['valid-user', 'not method DELETE'] } },
    basic('spy', 'secret'),
    { REQUEST_METHOD: 'DELETE' },
  );
  assert.equal(d.status, 403);
  assert.equal(calls, 0);
});

test('Require ip grants without asking for credentials', async () => {
  const d = await ask({ ...GROUP, require: ['ip 127.0.0.0/8', 'valid-user'] });
  assert.equal(d.status, 200);
  assert.equal(d.user, null);
});

test('Require ip from another address falls back to authentication', async () => {
  const d = await ask({ ...GROUP, require: ['ip 10.0.0.0/8', 'valid-user'] });
  assert.equal(d.status, 401);
});

test('Require all denied is a 403 even with good credentials', async () => {
  const d = await ask({ ...GROUP, require: 'all denied' }, basic('spy', 'secret'));
  assert.equal(d.status, 403);
});

test('Require env does not see SetEnv (httpd sets it after authorisation) nor the environ', async () => {
  assert.equal((await ask({ ...GROUP, require: 'env OPEN', setEnv: { OPEN: '1' } })).status, 403);
  assert.equal((await ask({ ...GROUP, require: 'env OPEN' })).status, 403);
  assert.equal((await ask({ ...GROUP, require: 'env HTTP_OPEN' }, undefined, { HTTP_OPEN: '1' })).status, 403);
});

test('no method spelling bypasses a method rule', async () => {
  for (const method of ['TRACE', 'OPTIONS', 'get', 'FOO']) {
    const d = await ask({ ...GROUP, require: { all: ['method GET', 'valid-user'] } }, basic('spy', 'secret'), { REQUEST_METHOD: method });
    assert.equal(d.status, 403, method);
  }
});

test('Require user matches the canonical name', async () => {
  assert.equal((await ask({ ...GROUP, require: 'user protected' }, basic('witness', 'secret'))).status, 200);
  assert.equal((await ask({ ...GROUP, require: 'user witness' }, basic('witness', 'secret'))).status, 401);
});
