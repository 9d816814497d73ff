import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';
import type { HookModule } from '../../src/types.js';

const AREA: TestLocation = { authType: 'Basic', authName: 'Basic Area', user: fixture, require: 'valid-user' };

function engineFor(loc: TestLocation, opts: Parameters<typeof model>[1] = {}, logger = memoryLogger()) {
  return createEngine(model([loc], opts), { logger });
}

function ask(engine: ReturnType<typeof createEngine>, authorization?: string, env: Record<string, string> = {}, count?: number) {
  return engine.decide({ environ: environ(env), authorization, authorizationCount: count ?? (authorization === undefined ? 0 : 1) });
}

test('no credentials is a 401 with the Basic challenge, and check_password is not called', async () => {
  let calls = 0;
  const e = engineFor({ ...AREA, user: { check_password: () => (calls++, true) } });
  const d = await ask(e);
  assert.equal(d.status, 401);
  assert.equal(d.headers['WWW-Authenticate'], 'Basic realm="Basic Area", charset="UTF-8"');
  assert.equal(calls, 0);
});

test('another scheme on a Basic location is a 401 with the configured challenge', async () => {
  const d = await ask(engineFor(AREA), 'Bearer abc');
  assert.equal(d.status, 401);
  assert.match(String(d.headers['WWW-Authenticate']), /^Basic realm="Basic Area"/);
});

test('the right password is granted as that user with AUTH_TYPE Basic', async () => {
  const d = await ask(engineFor(AREA), basic('spy', 'secret'));
  assert.equal(d.status, 200);
  assert.equal(d.user, 'spy');
  assert.equal(d.authType, 'Basic');
});

test('a wrong password is a 401 with the challenge', async () => {
  const d = await ask(engineFor(AREA), basic('spy', 'wrong'));
  assert.equal(d.status, 401);
  assert.equal(d.reason, 'password-mismatch');
  assert.ok(d.headers['WWW-Authenticate']);
});

test('an unknown user is a 401 with the challenge', async () => {
  const d = await ask(engineFor(AREA), basic('nobody', 'x'));
  assert.equal(d.status, 401);
  assert.equal(d.reason, 'user-not-found');
});

test('a string from check_password replaces the user name', async () => {
  const d = await ask(engineFor(AREA), basic('witness', 'secret'));
  assert.equal(d.status, 200);
  assert.equal(d.user, 'protected');
});

for (const [what, value] of [
  ['an empty string', ''],
  ['a number', 1],
  ['zero', 0],
  ['an array', ['spy']],
  ['bytes', Buffer.from('spy')],
  ['an object with an unknown key', { user: 'spy', admin: true }],
  ['an object with non-string groups', { groups: [1] }],
] as const) {
  test(`check_password returning ${what} is a 500, never a grant`, async () => {
    const d = await ask(engineFor({ ...AREA, user: { check_password: () => value as never } }), basic('spy', 'secret'));
    assert.equal(d.status, 500);
    assert.equal(d.user, null);
    assert.equal(d.headers['WWW-Authenticate'], undefined);
  });
}

test('a throw in check_password is a 500, never a grant, and the password is not logged', async () => {
  const logger = memoryLogger();
  const e = engineFor(
    { ...AREA, user: { check_password: (_e, _u, p) => { throw new Error(`bad password ${p}`); } } },
    {},
    logger,
  );
  const d = await ask(e, basic('spy', 'hunter2-secret'));
  assert.equal(d.status, 500);
  assert.ok(logger.lines.some((l) => l.level === 'error'));
  assert.ok(!logger.text().includes('hunter2-secret'));
});

test('a short password quoted by a throw is not given away by the gaps of a partial scrub: the message goes whole', async () => {
  const logger = memoryLogger();
  const e = engineFor({ ...AREA, user: { check_password: (_e, _u, p) => { throw new Error(`examples/auth.ts rejected ${p}`); } } }, {}, logger);
  assert.equal((await ask(e, basic('spy', 'x'))).status, 500);
  const text = logger.text();
  assert.match(text, /message withheld/);
  assert.doesNotMatch(text, /e\[redacted\]amples|rejected x/);
  // A message that does not quote the password is logged as it is.
  const plain = memoryLogger();
  const e2 = engineFor({ ...AREA, user: { check_password: () => { throw new Error('directory unreachable'); } } }, {}, plain);
  await ask(e2, basic('spy', 'hunter2'));
  assert.match(plain.text(), /directory unreachable/);
});

test('a rejected promise from an async check_password is a 500', async () => {
  const d = await ask(engineFor({ ...AREA, user: { check_password: async () => { throw new Error('x'); } } }), basic('spy', 'secret'));
  assert.equal(d.status, 500);
});

test('an async check_password is awaited', async () => {
  const d = await ask(engineFor({ ...AREA, user: { check_password: async (_e, u) => u === 'spy' } }), basic('spy', 'x'));
  assert.equal(d.status, 200);
});

test('a check_password that hangs is a 503 with Retry-After after the time limit', async () => {
  const e = engineFor({ ...AREA, user: { check_password: () => new Promise(() => {}) } }, { hookTimeoutMs: 50 });
  const started = Date.now();
  const d = await ask(e, basic('spy', 'secret'));
  assert.equal(d.status, 503);
  assert.equal(d.headers['Retry-After'], '5');
  assert.ok(Date.now() - started < 1000);
});

test('a script without check_password is a 500', async () => {
  const d = await ask(engineFor({ ...AREA, user: { groups_for_user: () => [] } }), basic('spy', 'secret'));
  assert.equal(d.status, 500);
});

test('a hook throwing a ProviderUnavailableError-coded error is a 503', async () => {
  const err = Object.assign(new Error('ldap down'), { code: 'AUTHHOOK_ERR_PROVIDER_UNAVAILABLE' });
  const d = await ask(engineFor({ ...AREA, user: { check_password: () => { throw err; } } }), basic('spy', 'secret'));
  assert.equal(d.status, 503);
});

test('no colon means an empty password, and a colon in the password is kept', async () => {
  const seen: string[] = [];
  const user: HookModule = { check_password: (_e, u, p) => (seen.push(`${u}|${p}`), true) };
  await ask(engineFor({ ...AREA, user }), 'Basic ' + Buffer.from('spy').toString('base64'));
  await ask(engineFor({ ...AREA, user }), basic('spy', 'se:cret'));
  assert.deepEqual(seen, ['spy|', 'spy|se:cret']);
});

test('a Latin-1 password byte reaches the hook without a crash', async () => {
  let got = '';
  const user: HookModule = { check_password: (_e, _u, p) => ((got = p), false) };
  const d = await ask(engineFor({ ...AREA, user }), 'Basic ' + Buffer.from([0x73, 0x70, 0x79, 0x3a, 0xe9]).toString('base64'));
  assert.equal(d.status, 401);
  assert.equal(got, '\u00e9');
});

for (const [what, header] of [
  ['not base64', 'Basic !!!notbase64'],
  ['with junk after the token', 'Basic ' + Buffer.from('spy:secret').toString('base64') + ';'],
  ['with an empty user', basic('', 'secret')],
  ['doubled scheme', 'Basic Basic ' + Buffer.from('spy:secret').toString('base64')],
  ['64 KiB long', 'Basic ' + 'A'.repeat(65536)],
  ['with no token', 'Basic'],
] as const) {
  test(`an Authorization header ${what} is a 401 with a fresh challenge`, async () => {
    const d = await ask(engineFor(AREA), header);
    assert.equal(d.status, 401);
    assert.ok(d.headers['WWW-Authenticate']);
    assert.equal(d.user, null);
  });
}

test('a repeated Authorization header is a 401, even when the first is right', async () => {
  const d = await ask(engineFor(AREA), basic('spy', 'secret'), {}, 2);
  assert.equal(d.status, 401);
  assert.equal(d.reason, 'repeated-authorization');
});

test('AuthType without any Require is a 500 and the hook is not called', async () => {
  let calls = 0;
  const d = await ask(engineFor({ ...AREA, require: null, user: { check_password: () => (calls++, true) } }), basic('spy', 'secret'));
  assert.equal(d.status, 500);
  assert.equal(calls, 0);
});

test('AuthType without AuthName is a 500', async () => {
  const { authName: _omit, ...rest } = AREA;
  const d = await ask(engineFor(rest), basic('spy', 'secret'));
  assert.equal(d.status, 500);
});
