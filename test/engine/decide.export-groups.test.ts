// A front that hands the user's groups on (req.auth.groups, Remote-Groups) asks the engine for
// them on a grant, even where no Require rule needed them; the look-up never changes the decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, countingGroups as counting, digestAuthorization, environ, memoryLogger } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';
import type { HookModule } from '../../src/types.js';

const VALID: TestLocation = { authType: 'Basic', authName: 'Area', user: fixture, group: fixture, require: 'valid-user' };

function engineFor(loc: TestLocation) {
  const logger = memoryLogger();
  return { engine: createEngine(model([loc], { hookTimeoutMs: 200 }), { logger }), logger };
}

function ask(loc: TestLocation, authorization: string | undefined, exportGroups: boolean, env: Record<string, string> = {}) {
  const { engine, logger } = engineFor(loc);
  const decision = engine.decide({ environ: environ(env), authorization, authorizationCount: authorization === undefined ? 0 : 1, exportGroups });
  return decision.then((d) => ({ d, logger }));
}

test('Require valid-user with a group source: the groups are looked up once for a front that hands them on', async () => {
  const g = counting(() => ['secret-agents', 'staff']);
  const { d } = await ask({ ...VALID, group: g }, basic('spy', 'secret'), true);
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, ['secret-agents', 'staff']);
  assert.equal(g.calls, 1);
});

test('without exportGroups the look-up stays lazy: Require valid-user never calls groups_for_user', async () => {
  const g = counting(() => ['secret-agents']);
  const { d } = await ask({ ...VALID, group: g }, basic('spy', 'secret'), false);
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, []);
  assert.equal(g.calls, 0);
});

test('groups a Require group rule already looked up are not looked up again', async () => {
  const g = counting(() => ['secret-agents']);
  const { d } = await ask({ ...VALID, group: g, require: 'wsgi-group secret-agents' }, basic('spy', 'secret'), true);
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, ['secret-agents']);
  assert.equal(g.calls, 1);
});

test('groups the grant brought are handed on as they are, with no look-up', async () => {
  const g = counting(() => ['from-lookup']);
  const user = { check_password: () => ({ groups: ['from-grant'] }) };
  const { d } = await ask({ ...VALID, user, group: g }, basic('spy', 'secret'), true);
  assert.deepEqual(d.groups, ['from-grant']);
  assert.equal(g.calls, 0);
});

test('a refusal looks nothing up', async () => {
  const g = counting(() => ['secret-agents']);
  const wrong = await ask({ ...VALID, group: g }, basic('spy', 'wrong'), true);
  assert.equal(wrong.d.status, 401);
  const none = await ask({ ...VALID, group: g }, undefined, true);
  assert.equal(none.d.status, 401);
  assert.equal(g.calls, 0);
});

test('a location without a group source hands on no groups, and logs nothing', async () => {
  const { group: _omit, ...loc } = VALID;
  const { d, logger } = await ask(loc, basic('spy', 'secret'), true);
  assert.equal(d.status, 200);
  assert.deepEqual(d.groups, []);
  assert.deepEqual(logger.lines, []);
});

test('a groups_for_user that throws, hangs or returns junk leaves the grant as it is, with no groups, and is logged', async () => {
  const bad: Record<string, HookModule> = {
    throws: { groups_for_user: () => { throw new Error('directory exploded'); } },
    hangs: { groups_for_user: () => new Promise<string[]>(() => {}) },
    junk: { groups_for_user: () => 42 as never },
    missing: {},
  };
  for (const [name, group] of Object.entries(bad)) {
    const { d, logger } = await ask({ ...VALID, group }, basic('spy', 'secret'), true);
    assert.equal(d.status, 200, name);
    assert.equal(d.user, 'spy', name);
    assert.deepEqual(d.groups, [], name);
    assert.ok(logger.lines.some((l) => l.level === 'error' && l.fields.hook === 'groups_for_user'), `${name}: ${logger.text()}`);
  }
});

test('a Digest login (get_realm_hash brings no groups) gets its groups from groups_for_user', async () => {
  const loc: TestLocation = { ...VALID, authType: 'Digest', authName: 'Digest Area' };
  const { engine } = engineFor(loc);
  const env = { REQUEST_METHOD: 'GET', REQUEST_URI: '/x' };
  const first = await engine.decide({ environ: environ(env), authorization: undefined, authorizationCount: 0, exportGroups: true });
  assert.equal(first.status, 401);
  const challenge = String(first.headers['WWW-Authenticate']);
  const authorization = digestAuthorization({ challenge, user: 'spy', password: 'secret', method: 'GET', uri: '/x' });
  const d = await engine.decide({ environ: environ(env), authorization, authorizationCount: 1, exportGroups: true });
  assert.equal(d.status, 200);
  assert.equal(d.authType, 'Digest');
  assert.deepEqual(d.groups, ['secret-agents']);
});
