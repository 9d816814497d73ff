import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeHashPool, hashPassword, htpasswdProvider } from '../../providers/htpasswd/index.js';
import { parseHtpasswd } from '../../providers/htpasswd/table.js';
import { costClass, parseHash } from '../../providers/htpasswd/formats/detect.js';
import { ConfigError } from '../../src/errors.js';
import { environ, memoryLogger, tempDir } from '../helpers/index.js';
import { realHtpasswdLine, run, skipWithout } from '../helpers/tools.js';

after(() => closeHashPool());

const env = environ();

function fileWith(lines: readonly string[]): string {
  const file = join(tempDir(), 'htpasswd');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function provider(lines: readonly string[], logger = memoryLogger()) {
  const p = htpasswdProvider(fileWith(lines), { logger, watch: false, statIntervalMs: 0 });
  return { p, logger };
}

test('a known user with the right password is granted, a wrong password denied, an unknown user not found', async () => {
  const { p } = provider([`alice:${await hashPassword('secret', 'sha1')}`]);
  assert.equal(await p.check_password(env, 'alice', 'secret'), true);
  assert.equal(await p.check_password(env, 'alice', 'Secret'), false);
  assert.equal(await p.check_password(env, 'bob', 'secret'), null);
  p.close();
});

test('an entry with an unknown prefix is refused and logged, and its text is not a password', async () => {
  const { p, logger } = provider(['gina:secret', 'argo:$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA']);
  assert.equal(await p.check_password(env, 'gina', 'secret'), false);
  assert.equal(await p.check_password(env, 'argo', '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'), false);
  assert.ok(logger.lines.some((l) => l.level === 'warn' && String(l.fields.file).endsWith(':1')));
  assert.ok(!logger.text().includes('argon2id'), 'the hash is never logged');
  p.close();
});

test('the stored hash given as the password is refused for every format', { skip: skipWithout('htpasswd') }, async () => {
  const lines = ['B', 'm', 's', 'd', '2', '5'].map((f, i) => realHtpasswdLine(f, `u${i}`, 'secret', f === 'B' ? ['-C', '4'] : []));
  const { p } = provider(lines);
  for (const [i, line] of lines.entries()) {
    const hash = line.slice(line.indexOf(':') + 1);
    assert.equal(await p.check_password(env, `u${i}`, hash), false, line.slice(0, 6));
    assert.equal(await p.check_password(env, `u${i}`, 'secret'), true);
  }
  p.close();
});

test('a $2y$ hash with a wrong cost field refuses its user instead of skipping them', async () => {
  const good = await hashPassword('secret', 'bcrypt', { cost: 4 });
  const { p, logger } = provider([`carl:${good.replace('$04$', '$99$')}`, `dora:${good.replace('$04$', '$4$')}`]);
  assert.equal(await p.check_password(env, 'carl', 'secret'), false);
  assert.equal(await p.check_password(env, 'dora', 'secret'), false);
  assert.equal(logger.lines.filter((l) => l.level === 'warn' && /:[12]$/.test(String(l.fields.file))).length >= 2, true);
  p.close();
});

test('malformed lines are skipped with a warning naming file:line, and the rest of the file works', async () => {
  const sha = await hashPassword('pw', 'sha1');
  const { p, logger } = provider(['# a comment', `alice:${sha}`, 'no-colon-here', ':nouser', '', `  bob:${sha}  `, `nul\u0000user:${sha}`]);
  assert.equal(await p.check_password(env, 'alice', 'pw'), true);
  assert.equal(await p.check_password(env, 'bob', 'pw'), true);
  const warned = logger.lines.filter((l) => l.level === 'warn').map((l) => String(l.fields.file));
  for (const n of [3, 4, 7]) assert.ok(warned.some((f) => f.endsWith(`htpasswd:${n}`)), `line ${n} named`);
  assert.ok(!logger.text().includes(sha.slice(5)), 'no hash in the log');
  p.close();
});

test('the first line for a user wins and a further :field is ignored, as mod_authn_file reads it', async () => {
  const a = await hashPassword('first', 'sha1');
  const b = await hashPassword('second', 'sha1');
  const { p } = provider([`alice:${a}:Alice Example`, `alice:${b}`]);
  assert.equal(await p.check_password(env, 'alice', 'first'), true);
  assert.equal(await p.check_password(env, 'alice', 'second'), false);
  p.close();
});

test('hostile user names are looked up literally and find nobody', async () => {
  const sha = await hashPassword('pw', 'sha1');
  const { p } = provider([`alice:${sha}`, `*:${sha}`]);
  for (const user of [')(uid=*', 'alice\u0000', 'alice ', 'ALICE', 'x'.repeat(10 * 1024), 'al*']) {
    assert.equal(await p.check_password(env, user, 'pw'), null, user.slice(0, 12));
  }
  assert.equal(await p.check_password(env, '*', 'pw'), true, 'a real user named * is just a name');
  p.close();
});

test('passwords with colons and non-ASCII characters verify in every slow format', async () => {
  const pw = 'ünï:cødé:🔑';
  const lines = await Promise.all(
    (['bcrypt', 'apr1', 'sha256', 'sha512'] as const).map(async (f, i) => `u${i}:${await hashPassword(pw, f, { cost: 4 })}`),
  );
  const { p } = provider(lines);
  for (let i = 0; i < lines.length; i++) {
    assert.equal(await p.check_password(env, `u${i}`, pw), true);
    assert.equal(await p.check_password(env, `u${i}`, pw.normalize('NFD')), false, 'bytes, not look-alikes');
  }
  p.close();
});

test('an unreadable file at start-up is a ConfigError', () => {
  const missing = join(tempDir(), 'nope');
  assert.throws(() => htpasswdProvider(missing), (e: unknown) => e instanceof ConfigError && e.code === 'AUTHHOOK_ERR_CONFIG_INVALID');
  const dir = tempDir();
  assert.throws(() => htpasswdProvider(dir), (e: unknown) => e instanceof ConfigError);
});

test('an unknown user costs about as much time as a known one (a dummy bcrypt check)', async () => {
  const { p } = provider([`alice:${await hashPassword('secret', 'bcrypt', { cost: 10 })}`]);
  const time = async (user: string): Promise<number> => {
    const t = performance.now();
    await p.check_password(env, user, 'wrong');
    return performance.now() - t;
  };
  await time('alice');
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 4; i++) {
    known.push(await time('alice'));
    unknown.push(await time('mallory'));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  assert.ok(median(unknown) > 0.6 * median(known), `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
  p.close();
});

test('the dummy check follows the most common kind in the file', { skip: skipWithout('htpasswd') }, () => {
  // Asserted on the table rather than by timing: a timed comparison is a benchmark, and flaky on a busy machine.
  const lines = [realHtpasswdLine('5', 'a', 'x'), realHtpasswdLine('5', 'b', 'x'), realHtpasswdLine('s', 'c', 'x')];
  const { table } = parseHtpasswd(lines.join('\n') + '\n');
  const common = parseHash(lines[0]!.slice(lines[0]!.indexOf(':') + 1));
  assert.ok(common.ok);
  assert.equal(table.dummy?.kind, 'sha-crypt');
  assert.equal(table.dummy && costClass(table.dummy), costClass(common.hash));
});

test('a file readable only by root is a ConfigError for another user', { skip: process.getuid?.() === 0 ? 'running as root' : false }, () => {
  const file = fileWith(['a:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=']);
  chmodSync(file, 0);
  assert.throws(() => htpasswdProvider(file), ConfigError);
});

test('files written by the real htpasswd -c and -D are read as they are left', { skip: skipWithout('htpasswd') }, async () => {
  const file = join(tempDir(), 'real');
  run('htpasswd', ['-cbB', '-C', '4', file, 'alice', 'one']);
  run('htpasswd', ['-bm', file, 'bob', 'two']);
  run('htpasswd', ['-D', file, 'alice']);
  const p = htpasswdProvider(file, { watch: false, statIntervalMs: 0 });
  assert.equal(await p.check_password(env, 'alice', 'one'), null);
  assert.equal(await p.check_password(env, 'bob', 'two'), true);
  p.close();
});
