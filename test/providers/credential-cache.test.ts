import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeHashPool, hashPassword } from '../../providers/htpasswd/index.js';
import { compileConfig } from '../../src/config/compile.js';
import { staticSource } from '../../src/hooks/load-script.js';
import { createEngine } from '../../src/engine/decide.js';
import { cachedSource, withAuthnCache } from '../../src/state/cached-source.js';
import { createCredentialCache, hmacSha256Base64 } from '../../src/state/credential-cache.js';
import { createHmac, randomBytes } from 'node:crypto';
import type { HookSource } from '../../src/config/model.js';
import type { CheckPasswordReturn } from '../../src/types.js';
import { basic, environ, eventually, memoryLogger, tempDir } from '../helpers/index.js';

const closers: (() => void)[] = [];
after(async () => {
  closers.forEach((c) => c());
  await closeHashPool();
});

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (s: number) => (t += s * 1000) };
}

test('a grant is served from the cache until its TTL runs out', () => {
  const c = clock();
  const cache = createCredentialCache({ now: c.now, ttlS: 300 });
  cache.set('R', 'alice', 'pw', true);
  c.advance(299);
  assert.equal(cache.get('R', 'alice', 'pw'), true);
  c.advance(2);
  assert.equal(cache.get('R', 'alice', 'pw'), undefined);
});

test('realm, user and password all take part in the key', () => {
  const cache = createCredentialCache();
  cache.set('R', 'alice', 'b:c', 'alice-canonical');
  assert.equal(cache.get('R', 'alice', 'b:c'), 'alice-canonical');
  assert.equal(cache.get('R', 'alice:b', 'c'), undefined);
  assert.equal(cache.get('R2', 'alice', 'b:c'), undefined);
  assert.equal(cache.get('R', 'alice', 'b:C'), undefined);
  cache.set('R', 'a\u0000b', 'c', true);
  assert.equal(cache.get('R', 'a\u0000b', 'c'), undefined, 'ambiguous keys are never cached');
});

test('the least recently used entry goes first when the cache is full', () => {
  const cache = createCredentialCache({ max: 2 });
  cache.set('R', 'a', 'pw', true);
  cache.set('R', 'b', 'pw', true);
  assert.equal(cache.get('R', 'a', 'pw'), true);
  cache.set('R', 'c', 'pw', true);
  assert.equal(cache.size, 2);
  assert.equal(cache.get('R', 'b', 'pw'), undefined);
  assert.equal(cache.get('R', 'a', 'pw'), true);
});

test('refusals and unknown users are not cached unless negativeTtlS is set, and then for that long', () => {
  const c = clock();
  const off = createCredentialCache({ now: c.now });
  off.set('R', 'a', 'pw', false);
  off.set('R', 'b', 'pw', null);
  assert.equal(off.size, 0);
  const on = createCredentialCache({ now: c.now, negativeTtlS: 10 });
  on.set('R', 'a', 'pw', false);
  assert.equal(on.get('R', 'a', 'pw'), false);
  c.advance(11);
  assert.equal(on.get('R', 'a', 'pw'), undefined);
});

function countingSource(answer: (user: string, password: string) => CheckPasswordReturn, hints: { generation?: number; slow?: boolean } = {}) {
  const calls = { n: 0 };
  const inner = staticSource('counting', {
    check_password: (_e, user, password) => {
      calls.n++;
      return answer(user, password);
    },
  });
  const source = Object.assign(Object.create(null) as object, { label: inner.label, current: inner.current }, hints) as HookSource & typeof hints;
  return { source, calls };
}

test('a cached source asks its provider once per credentials, and again after the generation changes', async () => {
  const { source, calls } = countingSource((_u, p) => p === 'pw', { generation: 0 });
  const s = cachedSource(source, 'R', createCredentialCache());
  const check = async (pw: string) => (await s.current()).check_password!(environ(), 'alice', pw);
  assert.equal(await check('pw'), true);
  assert.equal(await check('pw'), true);
  assert.equal(calls.n, 1);
  assert.equal(await check('bad'), false);
  assert.equal(await check('bad'), false);
  assert.equal(calls.n, 3, 'refusals are asked every time');
  (source as { generation: number }).generation = 1;
  assert.equal(await check('pw'), true);
  assert.equal(calls.n, 4, 'a changed file empties the cache');
});

test('concurrent checks of the same credentials share one provider call', async () => {
  const calls = { n: 0 };
  const slow = staticSource('slow', {
    check_password: async (_e, _u, p) => {
      calls.n++;
      await new Promise((r) => setTimeout(r, 30));
      return p === 'pw';
    },
  });
  const s = cachedSource(slow, 'R', createCredentialCache());
  const mod = await s.current();
  const results = await Promise.all([1, 2, 3, 4, 5].map(() => mod.check_password!(environ(), 'alice', 'pw')));
  assert.deepEqual(results, [true, true, true, true, true]);
  assert.equal(calls.n, 1);
  await Promise.all([1, 2].map(() => mod.check_password!(environ(), 'alice', 'bad')));
  assert.equal(calls.n, 2, 'a shared refusal is not cached afterwards, but asked once');
});

test('by default only sources that say they are slow are cached, and only while they are', async () => {
  const plain = countingSource(() => true);
  assert.equal(withAuthnCache([plain.source], ['plain'], undefined, 'R')[0], plain.source);
  const slow = countingSource(() => true, { slow: false });
  const [s] = withAuthnCache([slow.source], ['slow'], undefined, 'R');
  const check = async () => (await s!.current()).check_password!(environ(), 'u', 'p');
  await check();
  await check();
  assert.equal(slow.calls.n, 2);
  (slow.source as { slow: boolean }).slow = true;
  await check();
  await check();
  assert.equal(slow.calls.n, 3);
  assert.equal(withAuthnCache([slow.source], ['slow'], false, 'R')[0], slow.source);
  assert.equal(withAuthnCache([slow.source], ['slow'], undefined, 'R')[0], s, 'one cache per source, realm and settings');
});

test('settings that name providers cache those only, slow or not', async () => {
  const a = countingSource(() => true);
  const b = countingSource(() => true);
  const [ca, cb] = withAuthnCache([a.source, b.source], ['a', 'b'], { providers: ['b'], ttlS: 60 }, 'R');
  assert.equal(ca, a.source);
  assert.notEqual(cb, b.source);
  for (let i = 0; i < 3; i++) assert.equal(await (await cb!.current()).check_password!(environ(), 'u', 'p'), true);
  assert.equal(b.calls.n, 1);
  assert.deepEqual(withAuthnCache([a.source], ['a'], { providers: [] }, 'R'), [a.source]);
});

function engineFor(authnCache: boolean | undefined, check: () => CheckPasswordReturn) {
  const loc = { path: '/', authType: 'Basic' as const, authName: 'R', authBasicProvider: 'counter', require: 'valid-user', ...(authnCache === undefined ? {} : { authnCache }) };
  const compiled = compileConfig({ providers: { counter: { check_password: check } }, locations: [loc] }, { logger: memoryLogger() });
  closers.push(() => compiled.close());
  const engine = createEngine(compiled.model);
  return (user: string, pw: string) => engine.decide({ environ: environ(), authorization: basic(user, pw), authorizationCount: 1 });
}

test('authnCache: true caches any provider of the location, false or absent does not', async () => {
  for (const [setting, expected] of [[true, 1], [false, 3], [undefined, 3]] as const) {
    let n = 0;
    const decide = engineFor(setting, () => (n++, true));
    for (let i = 0; i < 3; i++) assert.equal((await decide('alice', 'pw')).status, 200);
    assert.equal(n, expected, String(setting));
  }
});

test('the file provider with bcrypt is cached by default and forgets a password when the file changes', async () => {
  const file = join(tempDir(), 'htpasswd');
  writeFileSync(file, `alice:${await hashPassword('one', 'bcrypt', { cost: 10 })}\n`);
  const compiled = compileConfig({ locations: [{ path: '/', authType: 'Basic', authName: 'R', authBasicProvider: 'file', authUserFile: file, require: 'valid-user' }] }, { logger: memoryLogger() });
  closers.push(() => compiled.close());
  const engine = createEngine(compiled.model);
  const decide = (pw: string) => engine.decide({ environ: environ(), authorization: basic('alice', pw), authorizationCount: 1 });
  let t = performance.now();
  assert.equal((await decide('one')).status, 200);
  const first = performance.now() - t;
  t = performance.now();
  assert.equal((await decide('one')).status, 200);
  const second = performance.now() - t;
  assert.ok(second < first / 4, `cached ${second.toFixed(2)} ms vs first ${first.toFixed(2)} ms`);
  writeFileSync(file, `alice:${await hashPassword('two', 'sha1')}\n`);
  await eventually(async () => (await decide('one')).status === 401);
  assert.equal((await decide('two')).status, 200);
});

test('the typed config rejects a bad authnCache setting, naming the key', () => {
  assert.throws(
    () => compileConfig({ locations: [{ path: '/', authnCache: { ttlS: -1 } }] }),
    (e: unknown) => (e as { code?: string }).code === 'AUTHHOOK_ERR_CONFIG_INVALID' && String((e as { where?: string }).where).includes('authnCache'),
  );
  assert.throws(() => compileConfig({ locations: [{ path: '/', authnCache: { ttl: 5 } as never }] }), (e: unknown) => (e as { code?: string }).code === 'AUTHHOOK_ERR_CONFIG_INVALID');
});

test('the cache key is exactly HMAC-SHA256 of realm, NUL, user, NUL, password, for any length', () => {
  for (const secret of [randomBytes(32), randomBytes(64), randomBytes(100), Buffer.alloc(0)]) {
    const keyOf = hmacSha256Base64(secret);
    for (const [realm, user, password] of [
      ['R', 'alice', 'wonderland'],
      ['Staff only', 'zoë', 'pässwörd ✓'],
      ['', 'u', ''],
      ['R', 'long', 'x'.repeat(5000)],
      ['R', 'edge', 'y'.repeat(4096 - 8)],
    ]) {
      const expected = createHmac('sha256', secret).update(`${realm}\u0000${user}\u0000${password}`, 'utf8').digest('base64');
      assert.equal(keyOf(realm!, user!, password!), expected, `${secret.length}-byte secret, ${password!.length}-char password`);
    }
  }
});
