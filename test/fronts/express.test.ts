import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import express from 'express';
import request from 'supertest';
import { express as authhook } from '../../src/index.js';
import { registerRequireProvider } from '../../src/authz/require-parse.js';
import { basic, digestAuthorization, memoryLogger, wwwAuthenticate } from '../helpers/index.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url));
const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

function appWith(config: Parameters<typeof authhook>[0]) {
  const mw = authhook(config, { logger: memoryLogger() });
  closers.push(() => mw.close());
  const app = express();
  app.use(mw);
  app.use((req, res) => {
    const env = (req as unknown as { environ?: Record<string, string> }).environ;
    res.json({ user: req.remoteUser ?? null, authType: req.authType ?? null, auth: req.auth, environUser: env?.REMOTE_USER ?? null, environAuthType: env?.AUTH_TYPE ?? null, hasAuthorization: env?.HTTP_AUTHORIZATION !== undefined, remoteUserHeader: req.headers['remote-user'] ?? null, url: req.url });
  });
  return app;
}

const basicApp = appWith({
  locations: [
    { path: '/', authType: 'Basic', authName: 'Basic Area', authUserScript: FIXTURE, authGroupScript: FIXTURE, require: 'valid-user' },
    { path: '/agents', require: { all: ['valid-user', 'group secret-agents'] } },
    { path: '/public', require: 'all granted' },
  ],
});

test('the middleware answers 401 with the challenge itself', async () => {
  const r = await request(basicApp).get('/x');
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Basic realm="Basic Area", charset="UTF-8"');
  assert.equal(r.headers['cache-control'], 'no-store');
});

test('a valid user reaches the app with remoteUser, authType and auth set, the groups looked up for req.auth', async () => {
  const r = await request(basicApp).get('/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(r.status, 200);
  assert.equal(r.body.user, 'spy');
  assert.equal(r.body.authType, 'Basic');
  assert.deepEqual(r.body.auth, { user: 'spy', groups: ['secret-agents'], attributes: {}, authType: 'Basic' });
  assert.equal(r.body.environUser, 'spy');
  assert.equal(r.body.environAuthType, 'Basic');
  assert.equal(r.body.hasAuthorization, false);
});

test('a client-sent Remote-User never reaches the app', async () => {
  const r = await request(basicApp).get('/public').set('Remote-User', 'admin').set('X-Remote-User', 'admin');
  assert.equal(r.status, 200);
  assert.equal(r.body.remoteUserHeader, null);
  assert.equal(r.body.user, null);
});

test('the more specific location decides: /agents needs the group', async () => {
  assert.equal((await request(basicApp).get('/agents/x').set('Authorization', basic('citizen', 'secret'))).status, 401);
  const ok = await request(basicApp).get('/agents/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body.auth.groups, ['secret-agents']);
});

for (const spelling of ['//agents/x', '/public/../agents/x', '/%61gents/x', '/agents%2fx', '/./agents/x', '/public/%2e%2e/agents/x']) {
  test(`the URL spelling ${spelling} cannot dodge the protected /agents`, async () => {
    const r = await request(basicApp).get(spelling).set('Authorization', basic('citizen', 'secret'));
    assert.ok(r.status === 401 || r.status === 400 || r.status === 404, `${spelling} → ${r.status}`);
  });
}

test('a path climbing above the root is a 400', async () => {
  const r = await request(basicApp).get('/public/../../agents');
  assert.equal(r.status, 400);
});

test('a 64 KiB Authorization header gets a clear refusal, never a crash or a grant', async () => {
  const r = await request(basicApp).get('/x').set('Authorization', 'Basic ' + 'QUFB'.repeat(16384));
  assert.ok(r.status === 401 || r.status === 431, String(r.status));
  const again = await request(basicApp).get('/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(again.status, 200);
});

test('a per-route policy protects just the routes it is mounted on', async () => {
  const mw = authhook({ authType: 'Basic', authName: 'Admin', authUserScript: FIXTURE, require: 'user spy' }, { logger: memoryLogger() });
  closers.push(() => mw.close());
  const app = express();
  app.get('/open', (_req, res) => { res.send('open'); });
  app.use('/admin', mw, (req, res) => { res.send(`admin ${req.remoteUser}`); });
  assert.equal((await request(app).get('/open')).status, 200);
  assert.equal((await request(app).get('/admin')).status, 401);
  assert.equal((await request(app).get('/admin').set('Authorization', basic('citizen', 'secret'))).status, 401);
  const ok = await request(app).get('/admin/x').set('Authorization', basic('spy', 'secret'));
  assert.equal(ok.status, 200);
  assert.equal(ok.text, 'admin spy');
});

test('a config with an unknown key fails at start-up naming the key', () => {
  assert.throws(
    () => authhook({ locations: [{ path: '/', requir: 'valid-user' } as never] }),
    (err: Error & { code?: string }) => err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && err.message.includes('requir'),
  );
});

test('a setEnvIf with a bad regex fails at start-up naming the rule', () => {
  assert.throws(
    () => authhook({ locations: [{ path: '/', setEnvIf: [{ attribute: 'User-Agent', match: '(', set: ['probe'] }], require: 'env probe' }] }),
    (err: Error & { code?: string; where?: string }) => err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && /not a usable regular expression/.test(err.message) && /setEnvIf\[0\]/.test(`${err.message} ${err.where ?? ''}`),
  );
});

test('setEnvIf sets what Require env tests, per request', async () => {
  const app = appWith({ locations: [{ path: '/', setEnvIf: [{ attribute: 'User-Agent', match: '^Probe/', set: ['probe'] }], require: 'env probe' }] });
  assert.equal((await request(app).get('/x').set('User-Agent', 'Probe/2')).status, 200);
  assert.equal((await request(app).get('/x').set('User-Agent', 'curl/8')).status, 403);
});

test('a config with a bad CIDR fails at start-up naming it', () => {
  assert.throws(
    () => authhook({ locations: [{ path: '/', require: 'ip 10.0.0.0/33' }] }),
    (err: Error & { code?: string }) => err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && err.message.includes('10.0.0.0/33'),
  );
});

const digestApp = appWith({
  nonceSecret: 'a-test-secret-of-enough-length',
  locations: [{ path: '/', authType: 'Digest', authName: 'Digest Area', authUserScript: FIXTURE, require: 'valid-user' }],
});

async function challenge(path = '/d') {
  const r = await request(digestApp).get(path);
  assert.equal(r.status, 401);
  return wwwAuthenticate((r as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders);
}

test('Digest challenges offer SHA-256 then MD5 with qop=auth', async () => {
  const values = await challenge();
  assert.equal(values.length, 2);
  assert.match(values[0]!, /^Digest .*algorithm=SHA-256/);
  assert.match(values[1]!, /^Digest .*algorithm=MD5/);
  for (const v of values) assert.match(v, /qop="auth"/);
});

for (const index of [0, 1]) {
  test(`a real client-side Digest computation (${index === 0 ? 'SHA-256' : 'MD5'}) is granted`, async () => {
    const c = (await challenge())[index]!;
    const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d?x=1' });
    const r = await request(digestApp).get('/d?x=1').set('Authorization', auth);
    assert.equal(r.status, 200);
    assert.equal(r.body.user, 'spy');
    assert.equal(r.body.authType, 'Digest');
  });
}

test('a Digest wrong password is a 401', async () => {
  const c = (await challenge())[0]!;
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'nope', method: 'GET', uri: '/d' });
  assert.equal((await request(digestApp).get('/d').set('Authorization', auth)).status, 401);
});

test('a Digest answer carrying an opaque the challenge never had is a 401, as mod_auth_digest answers', async () => {
  const c = (await challenge())[0]!;
  assert.doesNotMatch(c, /opaque=/);
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d' });
  const r = await request(digestApp).get('/d').set('Authorization', `${auth}, opaque="changed"`);
  assert.equal(r.status, 401);
  assert.ok(r.headers['www-authenticate'], 'with a fresh challenge');
  const ok = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d', nc: 2 });
  assert.equal((await request(digestApp).get('/d').set('Authorization', ok)).status, 200, 'the same nonce without it is fine');
});

test('a replayed Digest nonce count is refused', async () => {
  const c = (await challenge())[0]!;
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d', nc: 1 });
  assert.equal((await request(digestApp).get('/d').set('Authorization', auth)).status, 200);
  assert.equal((await request(digestApp).get('/d').set('Authorization', auth)).status, 401);
  const next = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d', nc: 2 });
  assert.equal((await request(digestApp).get('/d').set('Authorization', next)).status, 200);
});

test('a Digest uri that is not the request URI is a 400', async () => {
  const c = (await challenge())[0]!;
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/other' });
  assert.equal((await request(digestApp).get('/d').set('Authorization', auth)).status, 400);
});

test('a forged Digest nonce is a 401 with a fresh challenge', async () => {
  const c = (await challenge())[0]!.replace(/nonce="[^"]+"/, 'nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"');
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d' });
  const r = await request(digestApp).get('/d').set('Authorization', auth);
  assert.equal(r.status, 401);
  assert.ok(r.headers['www-authenticate']);
});

test('a Digest header missing a field is a 401', async () => {
  const c = (await challenge())[0]!;
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d' }).replace(/, cnonce="[^"]+"/, '');
  assert.equal((await request(digestApp).get('/d').set('Authorization', auth)).status, 401);
});

test('the method is part of the Digest: a GET digest does not authorise a POST', async () => {
  const c = (await challenge())[0]!;
  const auth = digestAuthorization({ challenge: c, user: 'spy', password: 'secret', method: 'GET', uri: '/d' });
  assert.equal((await request(digestApp).post('/d').set('Authorization', auth)).status, 401);
});

test('a fault inside the engine, thrown or rejected, is a 500 and the app never runs', async () => {
  registerRequireProvider({ name: 'test-express-throws', needsUser: false, compile: () => () => { throw new Error('sync boom'); } });
  registerRequireProvider({ name: 'test-express-rejects', needsUser: false, compile: () => () => Promise.reject(new Error('async boom')) });
  for (const rule of ['test-express-throws', 'test-express-rejects']) {
    const logger = memoryLogger();
    const mw = authhook({ locations: [{ path: '/', require: rule }] }, { logger });
    closers.push(() => mw.close());
    let reached = false;
    const app = express();
    app.use(mw);
    app.use((_req, res) => {
      reached = true;
      res.send('app');
    });
    const r = await request(app).get('/');
    assert.equal(r.status, 500, rule);
    assert.equal(reached, false, rule);
    assert.ok(logger.lines.some((l) => l.message === 'authhook fault; request refused'), rule);
  }
});
