import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callAllowAccess, callGetRealmHash, callGroupsForUser, mapCheckPassword } from '../../src/hooks/call-hook.js';
import { staticSource } from '../../src/hooks/load-script.js';
import { environ } from '../helpers/index.js';

test('check_password results map as mod_wsgi does', () => {
  assert.equal(mapCheckPassword(true, 'u', 'x').outcome, 'granted');
  assert.equal(mapCheckPassword(false, 'u', 'x').outcome, 'denied');
  assert.equal(mapCheckPassword(null, 'u', 'x').outcome, 'not-found');
  assert.equal(mapCheckPassword(undefined, 'u', 'x').outcome, 'not-found');
  const s = mapCheckPassword('canon', 'u', 'x');
  assert.equal(s.outcome === 'granted' && s.user, 'canon');
  for (const bad of ['', 'a\u0000b', 1, 0, NaN, [], {}.constructor, Symbol('x'), new Date()]) {
    assert.equal(mapCheckPassword(bad, 'u', 'x').outcome, 'error', String(bad));
  }
});

test('a grant object passes user, groups and attributes, and rejects bad shapes', () => {
  const r = mapCheckPassword({ user: 'c', groups: ['g'], attributes: { email: 'e@x' } }, 'u', 'x');
  assert.deepEqual(r, { outcome: 'granted', user: 'c', groups: ['g'], attributes: { email: 'e@x' } });
  assert.equal(mapCheckPassword({}, 'u', 'x').outcome === 'granted' && (mapCheckPassword({}, 'u', 'x') as { user: string }).user, 'u');
  for (const bad of [{ user: '' }, { groups: 'g' }, { attributes: { 'bad key': 'v' } }, { attributes: { a: 1 } }, { other: 1 }]) {
    assert.equal(mapCheckPassword(bad, 'u', 'x').outcome, 'error', JSON.stringify(bad));
  }
});

test('get_realm_hash: string or bytes found, null not found, empty or other types an error', async () => {
  const call = (v: unknown) => callGetRealmHash(staticSource('t', { get_realm_hash: () => v as never }), environ(), 'u', 'r', 100);
  assert.deepEqual(await call('abc'), { outcome: 'found', hash: 'abc' });
  assert.deepEqual(await call(Buffer.from('abc')), { outcome: 'found', hash: 'abc' });
  assert.equal((await call(null)).outcome, 'not-found');
  assert.equal((await call('')).outcome, 'error');
  assert.equal((await call(true)).outcome, 'error');
});

test('groups_for_user accepts any iterable of names, including generators and Sets', async () => {
  const call = (v: () => unknown) => callGroupsForUser(staticSource('t', { groups_for_user: v as never }), environ(), 'u', 100);
  assert.deepEqual(await call(() => new Set(['a', 'b'])), { outcome: 'groups', groups: ['a', 'b'] });
  assert.deepEqual(await call(function* () { yield 'x'; }), { outcome: 'groups', groups: ['x'] });
  assert.equal((await call(function* () { yield 'x'; throw new Error('part-way'); })).outcome, 'error');
  assert.equal((await call(() => ['a\u0000b'])).outcome, 'error');
});

test('allow_access maps true, false, null, and anything else to an error', async () => {
  const call = (v: unknown) => callAllowAccess(staticSource('t', { allow_access: () => v as never }), environ(), 'h', 100);
  assert.equal((await call(true)).outcome, 'allow');
  assert.equal((await call(false)).outcome, 'deny');
  assert.equal((await call(null)).outcome, 'no-opinion');
  assert.equal((await call(1)).outcome, 'error');
  assert.equal((await call('yes')).outcome, 'error');
});

test('a hook that hangs times out with a HookTimeoutError', async () => {
  const r = await callAllowAccess(staticSource('t', { allow_access: () => new Promise(() => {}) }), environ(), 'h', 30);
  assert.equal(r.outcome === 'error' && r.error.code, 'AUTHHOOK_ERR_HOOK_TIMEOUT');
});
