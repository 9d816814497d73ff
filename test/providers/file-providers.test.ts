import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { htdigestProvider, parseHtdigest } from '../../providers/htdigest/index.js';
import { htgroupProvider } from '../../providers/htgroup/index.js';
import { closeHashPool, hashPassword } from '../../providers/htpasswd/index.js';
import { express as authhook } from '../../src/index.js';
import { compileConfig } from '../../src/config/compile.js';
import { ConfigError } from '../../src/errors.js';
import { basic, digestAuthorization, environ, memoryLogger, tempDir } from '../helpers/index.js';
import { realHtdigest, run, skipWithout } from '../helpers/tools.js';

const closers: (() => void)[] = [];
after(async () => {
  closers.forEach((c) => c());
  await closeHashPool();
});

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const digestEnv = (algorithm: string) => environ({ 'authhook.digest_algorithm': algorithm });

function write(name: string, text: string, dir = tempDir()): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('a realm hash written by the real htdigest is returned for MD5 and withheld for SHA-256', { skip: skipWithout('htdigest', 'python3') }, () => {
  const file = join(tempDir(), 'htdigest');
  realHtdigest(file, 'Staff Area', 'alice', 'pä:ss', true);
  realHtdigest(file, 'Other', 'alice', 'other', false);
  const p = htdigestProvider(file, { watch: false, statIntervalMs: 0 });
  assert.equal(p.get_realm_hash(digestEnv('MD5'), 'alice', 'Staff Area'), md5('alice:Staff Area:pä:ss'));
  assert.equal(p.get_realm_hash(digestEnv('MD5'), 'alice', 'Other'), md5('alice:Other:other'));
  assert.equal(p.get_realm_hash(digestEnv('SHA-256'), 'alice', 'Staff Area'), null);
  assert.equal(p.get_realm_hash(digestEnv('MD5'), 'alice', 'Nowhere'), null);
  assert.equal(p.get_realm_hash(digestEnv('MD5'), 'bob', 'Staff Area'), null);
  p.close();
});

test('an htdigest line with a broken hash refuses its user with a hash no response matches', () => {
  const logger = memoryLogger();
  const p = htdigestProvider(write('htdigest', 'alice:R:nothex\nbob:R:' + md5('bob:R:x') + '\nbroken line\n'), { logger, watch: false, statIntervalMs: 0 });
  const h = p.get_realm_hash(digestEnv('MD5'), 'alice', 'R');
  assert.match(h ?? '', /^[0-9a-f]{32}$/);
  assert.notEqual(h, p.get_realm_hash(digestEnv('MD5'), 'alice', 'R'));
  assert.ok(logger.lines.some((l) => String(l.fields.file).endsWith(':3')));
  p.close();
});

test('htdigest parsing counts broken lines for the half-written check', () => {
  const r = parseHtdigest('a:r:' + md5('x') + '\nb:r');
  assert.equal(r.entries, 1);
  assert.equal(r.cutLastLine, true);
});

test('group file lines give every group naming the user, case-exactly', () => {
  const p = htgroupProvider(write('htgroup', 'staff: alice bob\nadmins:alice\n# x: bob\nstaff: carol alice\nbad line\n'), { watch: false, statIntervalMs: 0 });
  assert.deepEqual([...p.groups_for_user(environ(), 'alice')], ['staff', 'admins']);
  assert.deepEqual([...p.groups_for_user(environ(), 'carol')], ['staff']);
  assert.deepEqual([...p.groups_for_user(environ(), 'ALICE')], []);
  assert.deepEqual([...p.groups_for_user(environ(), '*')], []);
  p.close();
});

test('a missing AuthUserFile is a ConfigError at start-up', () => {
  const missing = join(tempDir(), 'missing');
  assert.throws(
    () => compileConfig({ locations: [{ path: '/', authType: 'Basic', authName: 'R', authBasicProvider: 'file', authUserFile: missing, require: 'valid-user' }] }),
    (e: unknown) => e instanceof ConfigError && e.code === 'AUTHHOOK_ERR_CONFIG_INVALID',
  );
});

async function fileApp(extra: Record<string, unknown> = {}) {
  const dir = tempDir();
  const userFile = write('htpasswd', `alice:${await hashPassword('pä:ss', 'bcrypt', { cost: 4 })}\nbob:${await hashPassword('pw', 'sha512')}\n`, dir);
  const groupFile = write('htgroup', 'staff: alice\n', dir);
  const mw = authhook(
    {
      locations: [
        { path: '/', authType: 'Basic', authName: 'Files', authBasicProvider: 'file', authUserFile: userFile, authGroupFile: groupFile, require: 'valid-user', ...extra },
        { path: '/staff', require: 'group staff' },
        { path: '/health', require: 'all granted' },
      ],
    },
    { logger: memoryLogger() },
  );
  closers.push(() => mw.close());
  const app = express();
  app.use(mw);
  app.use((req, res) => res.json({ user: req.remoteUser ?? null }));
  return app;
}

test('Express with AuthUserFile and AuthGroupFile: 200 for the right password, 401 otherwise, groups from the file', async () => {
  const app = await fileApp();
  assert.equal((await request(app).get('/x').set('Authorization', basic('alice', 'pä:ss'))).status, 200);
  assert.equal((await request(app).get('/x').set('Authorization', basic('alice', 'nope'))).status, 401);
  assert.equal((await request(app).get('/x').set('Authorization', basic('mallory', 'pä:ss'))).status, 401);
  assert.equal((await request(app).get('/staff/x').set('Authorization', basic('alice', 'pä:ss'))).status, 200);
  assert.equal((await request(app).get('/staff/x').set('Authorization', basic('bob', 'pw'))).status, 401);
  assert.equal((await request(app).get('/health').set('Authorization', basic('bob', 'bad'))).status, 200);
});

test('Digest with an htdigest AuthUserFile grants the right password and refuses a wrong one', { skip: skipWithout('htdigest', 'python3') }, async () => {
  const file = join(tempDir(), 'htdigest');
  realHtdigest(file, 'Digest Files', 'alice', 'secret', true);
  const mw = authhook(
    { locations: [{ path: '/', authType: 'Digest', authName: 'Digest Files', authDigestProvider: 'file', authUserFile: file, authDigestAlgorithm: 'MD5', require: 'valid-user' }] },
    { logger: memoryLogger() },
  );
  closers.push(() => mw.close());
  const app = express().use(mw).use((_req, res) => res.send('ok'));
  for (const [password, status] of [['secret', 200], ['wrong', 401]] as const) {
    const challenge = (await request(app).get('/d')).headers['www-authenticate'] as string;
    const auth = digestAuthorization({ challenge, user: 'alice', password, method: 'GET', uri: '/d' });
    assert.equal((await request(app).get('/d').set('Authorization', auth)).status, status);
  }
});

test('the real htpasswd and the provider agree on a file edited while serving', { skip: skipWithout('htpasswd') }, async () => {
  const dir = tempDir();
  const file = join(dir, 'htpasswd');
  run('htpasswd', ['-cbs', file, 'alice', 'one']);
  const mw = authhook({ locations: [{ path: '/', authType: 'Basic', authName: 'R', authBasicProvider: 'file', authUserFile: file, require: 'valid-user' }] }, { logger: memoryLogger() });
  closers.push(() => mw.close());
  const app = express().use(mw).use((_req, res) => res.send('ok'));
  assert.equal((await request(app).get('/').set('Authorization', basic('alice', 'one'))).status, 200);
  run('htpasswd', ['-bs', file, 'alice', 'two']);
  const end = Date.now() + 5000;
  let status = 0;
  while (Date.now() < end && status !== 200) {
    status = (await request(app).get('/').set('Authorization', basic('alice', 'two'))).status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 200);
  assert.equal((await request(app).get('/').set('Authorization', basic('alice', 'one'))).status, 401);
});
