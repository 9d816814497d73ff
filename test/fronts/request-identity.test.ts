import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, IncomingMessage } from 'node:http';
import express from 'express';
import request from 'supertest';
import { express as authhook } from '../../src/index.js';
import { attachIdentity, IdentityIncomingMessage, type AuthhookRequestFields } from '../../src/fronts/request-identity.js';
import { stripIdentityHeaders } from '../../src/environ/strip-identity.js';
import type { Decision } from '../../src/types.js';
import { basic, memoryLogger } from '../helpers/index.js';

const closers: (() => void)[] = [];
after(() => closers.forEach((c) => c()));

const users: Record<string, string> = { alice: 'wonderland', bob: 'builder' };
function middleware() {
  const mw = authhook(
    {
      authType: 'Basic',
      authName: 'R',
      providers: { mem: { check_password: (_e: unknown, u: string, p: string) => (u in users ? users[u] === p : null) } },
      authBasicProvider: 'mem',
      require: 'valid-user',
    },
    { logger: memoryLogger() },
  );
  closers.push(() => mw.close());
  return mw;
}

const decision = (user: string | null): Decision =>
  Object.freeze({ status: 200, headers: {}, user, groups: ['g'], attributes: { mail: 'a@example.org' }, authType: user === null ? null : 'Basic', reason: 'granted' });

test('Express: the four properties read the identity, in the app and in a mounted sub-app', async () => {
  const seen: unknown[] = [];
  const sub = express();
  sub.get('/', (req, res) => {
    seen.push(['sub', req.remoteUser, req.authType, req.auth?.user, req.environ?.REMOTE_USER]);
    res.send('sub');
  });
  const app = express();
  app.use(middleware());
  app.use('/sub', sub);
  app.get('/', (req, res) => {
    seen.push(['app', req.remoteUser, req.authType, req.auth?.user, req.environ?.REMOTE_USER, req.environ?.AUTH_TYPE]);
    res.send('app');
  });
  assert.equal((await request(app).get('/').set('Authorization', basic('alice', 'wonderland'))).status, 200);
  assert.equal((await request(app).get('/sub/').set('Authorization', basic('bob', 'builder'))).status, 200);
  assert.deepEqual(seen, [
    ['app', 'alice', 'Basic', 'alice', 'alice', 'Basic'],
    ['sub', 'bob', 'Basic', 'bob', 'bob'],
  ]);
});

test('Express: what a middleware assigned before authhook is replaced; what the app assigns after is kept', async () => {
  const app = express();
  app.use((req, _res, next) => {
    req.remoteUser = 'mallory';
    req.auth = { user: 'mallory', groups: ['admin'], attributes: {}, authType: 'Basic' };
    next();
  });
  app.use(middleware());
  app.use((req, _res, next) => {
    assert.equal(req.remoteUser, 'alice');
    assert.deepEqual(req.auth?.groups, []);
    req.authType = 'Digest';
    req.environ = Object.freeze({ ONLY: 'mine' });
    next();
  });
  app.get('/', (req, res) => res.json({ user: req.remoteUser, authType: req.authType, environ: req.environ }));
  const r = await request(app).get('/').set('Authorization', basic('alice', 'wonderland'));
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { user: 'alice', authType: 'Digest', environ: { ONLY: 'mine' } });
});

test('Express: a request authhook did not see has none of the four', async () => {
  const app = express();
  app.get('/', (req, res) => res.json({ user: req.remoteUser ?? null, auth: req.auth ?? null, environ: req.environ ?? null }));
  app.get('/x', middleware(), (_req, res) => res.send('x'));
  assert.equal((await request(app).get('/x').set('Authorization', basic('alice', 'wonderland'))).status, 200);
  assert.deepEqual((await request(app).get('/')).body, { user: null, auth: null, environ: null });
});

test('a plain node:http request gets own properties; the app environ holds REMOTE_USER and AUTHENTICATE_*', async () => {
  let got: Record<string, unknown> = {};
  const server = createServer((incoming, res) => {
    const req = incoming as IncomingMessage & AuthhookRequestFields;
    assert.equal(Object.getPrototypeOf(req), IncomingMessage.prototype);
    attachIdentity(req, decision('alice'), Object.freeze({ REQUEST_METHOD: 'GET' }));
    got = { own: Object.hasOwn(req, 'remoteUser'), user: req.remoteUser, environ: req.environ, auth: req.auth };
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await fetch(`http://127.0.0.1:${port}/`);
  server.close();
  assert.deepEqual(got, {
    own: true,
    user: 'alice',
    environ: { REQUEST_METHOD: 'GET', REMOTE_USER: 'alice', AUTH_TYPE: 'Basic', AUTHENTICATE_MAIL: 'a@example.org' },
    auth: { user: 'alice', groups: ['g'], attributes: { mail: 'a@example.org' }, authType: 'Basic' },
  });
});

test('a prototype that already defines one of the names is left alone: own properties shadow it', () => {
  class Custom extends IncomingMessage {
    get remoteUser(): string {
      return 'from-the-class';
    }
  }
  const req = Object.create(Custom.prototype) as IncomingMessage & AuthhookRequestFields;
  attachIdentity(req, decision('alice'), Object.freeze({}));
  assert.equal(req.remoteUser, 'alice');
  assert.ok(Object.hasOwn(req, 'remoteUser'));
  assert.equal(Object.getOwnPropertyDescriptor(Custom.prototype, 'auth'), undefined);
  const anonymous = Object.create(Custom.prototype) as typeof req;
  attachIdentity(anonymous, decision(null), Object.freeze({ A: '1' }));
  assert.deepEqual(anonymous.environ, { A: '1' });
  assert.equal(anonymous.auth?.user, null);
  assert.equal(anonymous.remoteUser, 'from-the-class');
});

test("authhook's own servers' requests get the identity through the accessors, environ made on first read", async () => {
  let got: Record<string, unknown> = {};
  const server = createServer({ IncomingMessage: IdentityIncomingMessage }, (incoming, res) => {
    const req = incoming as IncomingMessage & AuthhookRequestFields;
    attachIdentity(req, decision('alice'), Object.freeze({ REQUEST_METHOD: 'GET' }));
    got = { own: Object.hasOwn(req, 'remoteUser'), user: req.remoteUser, environ: req.environ, same: req.environ === req.environ };
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  server.close();
  assert.deepEqual(got, {
    own: false,
    user: 'alice',
    environ: { REQUEST_METHOD: 'GET', REMOTE_USER: 'alice', AUTH_TYPE: 'Basic', AUTHENTICATE_MAIL: 'a@example.org' },
    same: true,
  });
});

test('a client-sent Remote-User is gone from headers, rawHeaders and headersDistinct, even when they were read first', async () => {
  const app = express();
  app.use((req, _res, next) => {
    assert.deepEqual(req.headersDistinct['remote-user'], ['admin']);
    assert.equal(req.headers['remote-user'], 'admin');
    next();
  });
  app.use(middleware());
  app.get('/', (req, res) =>
    res.json({ header: req.headers['remote-user'] ?? null, distinct: req.headersDistinct['remote-user'] ?? null, raw: req.rawHeaders.some((h) => /^remote-user$/i.test(h)) }),
  );
  const r = await request(app).get('/').set('Authorization', basic('alice', 'wonderland')).set('Remote-User', 'admin');
  assert.deepEqual(r.body, { header: null, distinct: null, raw: false });
});

test('identity headers are stripped from a request whose header views were never read', async () => {
  let got: unknown;
  const server = createServer((req, res) => {
    const removed = stripIdentityHeaders(req);
    got = { removed, raw: req.rawHeaders.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase()), header: req.headers['x-remote-user'] ?? null, distinct: req.headersDistinct['remote-user'] ?? null, accept: req.headers.accept };
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, { headers: { 'Remote-User': 'a', 'X-Remote-User': 'b', Accept: 'text/plain' } });
  server.close();
  const g = got as { removed: string[]; raw: string[]; header: unknown; distinct: unknown; accept: string };
  assert.deepEqual([...g.removed].sort(), ['remote-user', 'x-remote-user']);
  assert.ok(!g.raw.includes('remote-user') && !g.raw.includes('x-remote-user') && g.raw.includes('accept'));
  assert.equal(g.header, null);
  assert.equal(g.distinct, null);
  assert.equal(g.accept, 'text/plain');
});

test('the accessors add nothing to the request itself, and requests without a stream state keep their own identity', () => {
  class Served extends IdentityIncomingMessage {}
  const withState = new Served(null as never) as IncomingMessage & AuthhookRequestFields;
  const before = Reflect.ownKeys(withState).length;
  attachIdentity(withState, decision('alice'), Object.freeze({}));
  assert.equal(withState.remoteUser, 'alice');
  assert.equal(Reflect.ownKeys(withState).length, before);
  // Made from the prototype by hand, without the constructor: no _readableState to carry it.
  const a = Object.create(Served.prototype) as typeof withState;
  const b = Object.create(Served.prototype) as typeof withState;
  attachIdentity(a, decision('alice'), Object.freeze({}));
  attachIdentity(b, decision('bob'), Object.freeze({}));
  assert.deepEqual([a.remoteUser, b.remoteUser, a.auth?.user, b.auth?.user], ['alice', 'bob', 'alice', 'bob']);
  b.remoteUser = 'carol';
  assert.deepEqual([a.remoteUser, b.remoteUser], ['alice', 'carol']);
});

test("a client-sent Auth-Type (the gateway's hop header) is stripped too; Accept and Authorization are not", async () => {
  const app = express();
  app.use(middleware());
  app.get('/', (req, res) => res.json({ authType: req.headers['auth-type'] ?? null, accept: req.headers.accept ?? null, scheme: req.authType }));
  const r = await request(app).get('/').set('Authorization', basic('alice', 'wonderland')).set('Auth-Type', 'Digest').set('Accept', 'text/plain');
  assert.deepEqual(r.body, { authType: null, accept: 'text/plain', scheme: 'Basic' });
});
