import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import request from 'supertest';
import { HookStrategy, type HookStrategyOptions } from '../../src/fronts/passport.js';
import { ConfigError } from '../../src/errors.js';
import type { HookModule } from '../../src/types.js';
import { basic, digestAuthorization, memoryLogger, parseChallenge } from '../helpers/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url));
const strategies: HookStrategy[] = [];
after(() => strategies.forEach((s) => s.close()));

function appWith(options: Omit<HookStrategyOptions, 'logger'>) {
  const logger = memoryLogger();
  const strategy = new HookStrategy({ ...options, logger });
  strategies.push(strategy);
  const auth = new passport.Passport();
  auth.use(strategy);
  const app = express();
  app.use('/area', auth.authenticate('authhook', { session: false }), (req: Request, res: Response) => {
    res.json({ user: req.user ?? null, info: req.authInfo ?? null, remoteUserHeader: req.headers['remote-user'] ?? null });
  });
  app.use((err: { status?: number; code?: string; headers?: Record<string, string> }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status ?? 500).set(err.headers ?? {}).json({ code: err.code ?? null });
  });
  return { app, logger, strategy };
}

const basicApp = appWith({ script: FIXTURE, realm: 'Staff' });

test('the strategy is named authhook and answers 401 with the Basic challenge', async () => {
  assert.equal(basicApp.strategy.name, 'authhook');
  const r = await request(basicApp.app).get('/area/x');
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Basic realm="Staff", charset="UTF-8"');
});

test('the right password: success(user, info) with username, groups and attributes', async () => {
  const r = await request(basicApp.app).get('/area/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.user, { username: 'spy', groups: ['secret-agents'], attributes: {} });
  assert.deepEqual(r.body.info, { authType: 'Basic', realm: 'Staff' });
});

test('a canonical name from check_password is the username', async () => {
  const r = await request(basicApp.app).get('/area/x').set('Authorization', basic('witness', 'secret'));
  assert.equal(r.body.user.username, 'protected');
});

test('a wrong password and an unknown user fail with a fresh challenge', async () => {
  for (const h of [basic('spy', 'wrong'), basic('nobody', 'secret')]) {
    const r = await request(basicApp.app).get('/area/x').set('Authorization', h);
    assert.equal(r.status, 401);
    assert.match(r.headers['www-authenticate'] ?? '', /^Basic realm="Staff"/);
  }
});

for (const header of ['Basic !!!', 'Basic Basic c3B5OnNlY3JldA==', 'Basic c3B5OnNlY3JldA==;', 'Bearer abc', 'Basic', '']) {
  test(`a malformed Authorization "${header}" is a 401, never a 500 or a grant`, async () => {
    const r = await request(basicApp.app).get('/area/x').set('Authorization', header);
    assert.equal(r.status, 401);
  });
}

test('a client-sent Remote-User is removed before the app', async () => {
  const r = await request(basicApp.app).get('/area/x').set('Authorization', basic('spy', 'secret')).set('Remote-User', 'admin');
  assert.equal(r.body.remoteUserHeader, null);
});

test('groups: a member passes with the groups looked up; others get 401', async () => {
  const { app } = appWith({ script: FIXTURE, realm: 'Agents', groups: ['Secret-Agents'] });
  const ok = await request(app).get('/area/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.user.groups, ['secret-agents']);
  assert.equal((await request(app).get('/area/x').set('Authorization', basic('citizen', 'secret'))).status, 401);
});

test('a grant object carries groups and attributes to req.user', async () => {
  const mod: HookModule = { check_password: () => ({ user: 'u1001', groups: ['staff'], attributes: { Email: 'a@example.org' } }) };
  const { app } = appWith({ script: mod, realm: 'R', groups: ['staff'] });
  const r = await request(app).get('/area/x').set('Authorization', basic('alice', 'pw:with:colons'));
  assert.deepEqual(r.body.user, { username: 'u1001', groups: ['staff'], attributes: { Email: 'a@example.org' } });
});

const faults: [string, HookModule, number, string][] = [
  ['throws', { check_password: () => { throw new Error('db down'); } }, 500, 'AUTHHOOK_ERR_HOOK_THREW'],
  ['returns a number', { check_password: () => 1 as unknown as boolean }, 500, 'AUTHHOOK_ERR_HOOK_RESULT'],
  ['hangs past the time limit', { check_password: () => new Promise<boolean>(() => {}) }, 503, 'AUTHHOOK_ERR_HOOK_TIMEOUT'],
  ['lacks check_password', { groups_for_user: () => [] }, 500, 'AUTHHOOK_ERR_HOOK_MISSING'],
];
for (const [what, mod, status, code] of faults) {
  test(`a hook that ${what} goes to passport's error path (${status} ${code}), never success`, async () => {
    const { app } = appWith({ script: mod, realm: 'R', hookTimeoutMs: 100 });
    const r = await request(app).get('/area/x').set('Authorization', basic('alice', 'secret'));
    assert.equal(r.status, status);
    assert.equal(r.body.code, code);
    assert.equal(r.body.user, undefined);
    if (status === 503) assert.equal(r.headers['retry-after'], '5');
  });
}

const digestApp = appWith({ script: FIXTURE, realm: 'Digest Area', scheme: 'Digest', nonceSecret: 'a-test-secret-of-some-length' });

function challenges(header: string): string[] {
  return header.split(/,\s*(?=Digest )/);
}

test('Digest: the challenge offers SHA-256 and MD5, with a fresh nonce each time', async () => {
  const a = await request(digestApp.app).get('/area/x');
  const b = await request(digestApp.app).get('/area/x');
  assert.equal(a.status, 401);
  const offered = challenges(a.headers['www-authenticate']!).map(parseChallenge);
  assert.deepEqual(offered.map((c) => c.algorithm), ['SHA-256', 'MD5']);
  assert.equal(offered[0]!.realm, 'Digest Area');
  assert.notEqual(parseChallenge(challenges(b.headers['www-authenticate']!)[0]!).nonce, offered[0]!.nonce);
});

for (const which of [0, 1]) {
  test(`Digest: a real client response (${which === 0 ? 'SHA-256' : 'MD5'}) succeeds; a replay of its nc fails`, async () => {
    const first = await request(digestApp.app).get('/area/x');
    const challenge = challenges(first.headers['www-authenticate']!)[which]!;
    const auth = digestAuthorization({ challenge, user: 'spy', password: 'secret', method: 'GET', uri: '/area/x' });
    const ok = await request(digestApp.app).get('/area/x').set('Authorization', auth);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.info, { authType: 'Digest', realm: 'Digest Area' });
    assert.equal((await request(digestApp.app).get('/area/x').set('Authorization', auth)).status, 401);
  });
}

test('Digest: a wrong password is a 401; a uri other than the request is a 400', async () => {
  const challenge = challenges((await request(digestApp.app).get('/area/x')).headers['www-authenticate']!)[1]!;
  const wrong = digestAuthorization({ challenge, user: 'spy', password: 'nope', method: 'GET', uri: '/area/x' });
  assert.equal((await request(digestApp.app).get('/area/x').set('Authorization', wrong)).status, 401);
  const elsewhere = digestAuthorization({ challenge, user: 'spy', password: 'secret', method: 'GET', uri: '/area/y' });
  assert.equal((await request(digestApp.app).get('/area/x').set('Authorization', elsewhere)).status, 400);
});

test('Digest: a malformed header (duplicated parameter) is a 401', async () => {
  const r = await request(digestApp.app).get('/area/x').set('Authorization', 'Digest username="spy", username="spy", realm="Digest Area"');
  assert.equal(r.status, 401);
});

test('options are checked when the strategy is made', () => {
  assert.throws(() => new HookStrategy({ script: FIXTURE, realm: '' }), ConfigError);
  assert.throws(() => new HookStrategy({ script: '/nonexistent/auth.ts', realm: 'R' }), ConfigError);
  assert.throws(() => new HookStrategy({ script: FIXTURE, realm: 'R', groups: ['a'], require: 'valid-user' }), ConfigError);
  assert.throws(() => new HookStrategy({ script: FIXTURE, realm: 'R', require: 'grop staff' }), ConfigError);
  assert.throws(() => new HookStrategy({ script: FIXTURE, realm: 'R', scheme: 'Bearer' as 'Basic' }), ConfigError);
});

test('the package exports it as authhook/passport', async () => {
  const mod = (await import('authhook/passport')) as { HookStrategy: unknown };
  assert.equal(typeof mod.HookStrategy, 'function');
});

test('the example server works as its comments say', async () => {
  const { app } = await import('../../examples/passport/server.js');
  assert.equal((await request(app).get('/me').set('Authorization', basic('alice', 'wonderland'))).status, 200);
  assert.equal((await request(app).get('/staff').set('Authorization', basic('bob', 'builder'))).status, 401);
  assert.deepEqual((await request(app).get('/staff').set('Authorization', basic('alice', 'wonderland'))).body.groups, ['staff']);
});
