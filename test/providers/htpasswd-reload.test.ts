import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeHashPool, hashPassword, htpasswdProvider } from '../../providers/htpasswd/index.js';
import { environ, eventually, memoryLogger, sleep, tempDir } from '../helpers/index.js';

after(() => closeHashPool());

const env = environ();
const sha = (pw: string) => hashPassword(pw, 'sha1');

async function setup(options: { watch?: boolean; statIntervalMs?: number; settleMs?: number } = {}) {
  const dir = tempDir();
  const file = join(dir, 'htpasswd');
  const lines: string[] = [];
  for (let i = 0; i < 10; i++) lines.push(`user${i}:${await sha(`pw${i}`)}`);
  const text = lines.join('\n') + '\n';
  writeFileSync(file, text);
  const logger = memoryLogger();
  const p = htpasswdProvider(file, { logger, watch: options.watch ?? false, statIntervalMs: options.statIntervalMs ?? 0, settleMs: options.settleMs ?? 300, retryMs: 20 });
  return { dir, file, text, p, logger };
}

test('an edited file is picked up through the directory watch and bumps the generation', async () => {
  const { file, text, p } = await setup({ watch: true });
  assert.equal(p.generation, 0);
  writeFileSync(file, text + `new:${await sha('fresh')}\n`);
  await eventually(async () => (await p.check_password(env, 'new', 'fresh')) === true);
  assert.equal(p.generation, 1);
  p.close();
});

test('a file replaced by rename (an atomic writer) is picked up', async () => {
  const { dir, file, p } = await setup({ watch: true });
  const tmp = join(dir, 'htpasswd.tmp');
  writeFileSync(tmp, `only:${await sha('me')}\n`);
  renameSync(tmp, file);
  await eventually(async () => (await p.check_password(env, 'only', 'me')) === true);
  assert.equal(await p.check_password(env, 'user1', 'pw1'), null);
  p.close();
});

test('without a watch, the periodic stat check finds the change', async () => {
  const { file, text, p } = await setup({ statIntervalMs: 50 });
  writeFileSync(file, text.replace(/^user0:.*$/m, `user0:${await sha('changed')}`));
  await eventually(async () => (await p.check_password(env, 'user0', 'changed')) === true);
  p.close();
});

test('a file emptied mid-rewrite keeps the last good table, and the rewritten one is taken', async () => {
  const { file, text, p, logger } = await setup();
  writeFileSync(file, '');
  await p.refresh();
  assert.equal(await p.check_password(env, 'user3', 'pw3'), true, 'nobody is locked out');
  assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message.includes('half-written')));
  writeFileSync(file, text + `late:${await sha('x')}\n`);
  await p.refresh();
  assert.equal(await p.check_password(env, 'late', 'x'), true);
  assert.equal(p.generation, 1);
  p.close();
});

test('a file cut mid-line keeps the last good table; nobody on the cut line gets in or falls through', async () => {
  const { file, text, p } = await setup();
  const cut = text.slice(0, text.indexOf('user5:') + 12);
  writeFileSync(file, cut);
  await p.refresh();
  assert.equal(await p.check_password(env, 'user5', 'pw5'), true);
  assert.equal(await p.check_password(env, 'user9', 'pw9'), true);
  assert.equal(p.generation, 0);
  p.close();
});

test('a file that shrank to a fraction keeps the old table until it has stayed so for settleMs', async () => {
  const { file, p, logger } = await setup({ settleMs: 200 });
  writeFileSync(file, `user0:${await sha('pw0')}\n`);
  await p.refresh();
  assert.equal(await p.check_password(env, 'user7', 'pw7'), true);
  await sleep(260);
  await p.refresh();
  assert.equal(await p.check_password(env, 'user7', 'pw7'), null, 'a deliberate edit takes effect after settling');
  assert.equal(await p.check_password(env, 'user0', 'pw0'), true);
  assert.ok(logger.lines.some((l) => l.message.includes('adopting')));
  p.close();
});

test('a file emptied for good is adopted once it stayed empty for settleMs, and the retry timer does it unasked', async () => {
  const { file, p } = await setup({ settleMs: 150 });
  writeFileSync(file, '');
  await p.refresh();
  assert.equal(await p.check_password(env, 'user1', 'pw1'), true);
  await eventually(async () => (await p.check_password(env, 'user1', 'pw1')) === null, 3000);
  p.close();
});

test('a file that is mostly garbage keeps the last good table', async () => {
  const { file, text, p } = await setup();
  writeFileSync(file, text.split('\n').map((l, i) => (i % 3 === 0 ? l : l.replace(':', ''))).join('\n'));
  await p.refresh();
  assert.equal(await p.check_password(env, 'user2', 'pw2'), true);
  assert.equal(p.generation, 0);
  p.close();
});

test('a file that becomes unreadable keeps the last good table, logs once, and recovers', async () => {
  const { file, text, p, logger } = await setup();
  rmSync(file);
  await p.refresh();
  await p.refresh();
  assert.equal(await p.check_password(env, 'user4', 'pw4'), true);
  assert.equal(logger.lines.filter((l) => l.level === 'error').length, 1);
  writeFileSync(file, text.replace(/^user4:.*$/m, `user4:${await sha('new4')}`));
  await p.refresh();
  assert.equal(await p.check_password(env, 'user4', 'new4'), true);
  p.close();
});

test('touching a file without changing it does not bump the generation', async () => {
  const { file, text, p } = await setup();
  writeFileSync(file, text);
  await p.refresh();
  assert.equal(p.generation, 0);
  p.close();
});
