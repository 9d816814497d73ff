import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeHashPool, hashPassword, parseHash, verifyPassword, type HashFormat } from '../../providers/htpasswd/index.js';
import { tempDir } from '../helpers/index.js';
import { realHtpasswdLine, realHtpasswdVerifies, run, skipWithout } from '../helpers/tools.js';

after(() => closeHashPool());

const PASSWORDS = ['secret', 'pä:ss wörd', 'with:colons:in:it', '密码-🔑'];

async function verifiesLine(line: string, password: string): Promise<boolean> {
  const hash = line.slice(line.indexOf(':') + 1);
  const r = parseHash(hash);
  assert.equal(r.ok, true, `format of ${hash.slice(0, 8)}… recognised`);
  return r.ok && (await verifyPassword(r.hash, password));
}

const HTPASSWD_FLAGS: readonly [string, string, readonly string[]][] = [
  ['bcrypt (-B, cost 5)', 'B', ['-C', '5']],
  ['apr1 MD5 (-m)', 'm', []],
  ['{SHA} (-s)', 's', []],
  ['crypt(3) DES (-d)', 'd', []],
  ['SHA-256-crypt (-2)', '2', []],
  ['SHA-512-crypt (-5)', '5', []],
  ['SHA-512-crypt with rounds (-5 -r 7000)', '5', ['-r', '7000']],
  ['SHA-256-crypt with rounds (-2 -r 1000)', '2', ['-r', '1000']],
];

for (const [name, flag, extra] of HTPASSWD_FLAGS) {
  test(`a ${name} hash written by the real htpasswd verifies its password and refuses others`, { skip: skipWithout('htpasswd') }, async () => {
    for (const pw of PASSWORDS) {
      const line = realHtpasswdLine(flag, 'alice', pw, extra);
      // crypt(3) DES keeps 8 bytes, so compare against what it saw.
      assert.equal(await verifiesLine(line, pw), true, `${name} accepts its password`);
      assert.equal(await verifiesLine(line, pw + 'x'), flag === 'd' && Buffer.byteLength(pw) >= 8, `${name} refuses another`);
      assert.equal(await verifiesLine(line, ''), false);
    }
  });
}

const OPENSSL: readonly [string, string][] = [
  ['-1', 'MD5-crypt $1$'],
  ['-apr1', 'apr1'],
  ['-5', 'SHA-256-crypt'],
  ['-6', 'SHA-512-crypt'],
];

for (const [flag, name] of OPENSSL) {
  test(`a ${name} hash from openssl passwd ${flag} verifies`, { skip: skipWithout('openssl') }, async () => {
    for (const pw of PASSWORDS) {
      const r = run('openssl', ['passwd', flag, '-stdin'], pw + '\n');
      assert.equal(r.status, 0);
      assert.equal(await verifiesLine(`u:${r.stdout.trim()}`, pw), true);
      assert.equal(await verifiesLine(`u:${r.stdout.trim()}`, pw.toUpperCase() + '!'), false);
    }
  });
}

test('bcrypt $2y$, $2a$ and $2b$ spellings of one hash all verify', { skip: skipWithout('htpasswd') }, async () => {
  const line = realHtpasswdLine('B', 'alice', 'pä:ss', ['-C', '4']);
  const body = line.slice(line.indexOf('$2y$') + 4);
  for (const minor of ['$2y$', '$2a$', '$2b$']) assert.equal(await verifiesLine(`alice:${minor}${body}`, 'pä:ss'), true, minor);
});

test('a bcrypt hash with a cost field out of range or not a number is malformed', () => {
  const body = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0';
  for (const cost of ['03', '32', '99', '1x', '']) {
    assert.deepEqual(parseHash(`$2y$${cost}$${body}`), { ok: false, problem: 'malformed' }, cost);
  }
  assert.equal(parseHash(`$2y$10$${body}`).ok, true);
});

test('a value of no known format is refused, never taken as plain text', () => {
  for (const v of ['secret', 'plaintextpassword', '$argon2id$v=19$m=65536,t=3,p=4$abc$def', '$2x$10$' + 'a'.repeat(53), '{SSHA}abc', '']) {
    const r = parseHash(v);
    assert.equal(r.ok, false, v);
  }
  assert.deepEqual(parseHash('secret'), { ok: false, problem: 'unknown-format' });
});

test('a truncated hash of a known format is malformed, never a shorter valid hash', () => {
  const full = ['$apr1$JIZ7BdKm$JdFrjPyVbl847FgJsqGpP.', '{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=', '$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA'];
  for (const h of full) {
    assert.equal(parseHash(h).ok, true);
    for (let cut = 4; cut < h.length; cut += 3) assert.equal(parseHash(h.slice(0, cut)).ok, false, h.slice(0, cut));
  }
});

test('plain text is accepted only when explicitly allowed, as httpd does on Windows', async () => {
  const r = parseHash('secret', true);
  assert.equal(r.ok, true);
  assert.equal(r.ok && (await verifyPassword(r.hash, 'secret')), true);
  assert.equal(r.ok && (await verifyPassword(r.hash, 'secreT')), false);
});

test('a password holding NUL never verifies, even where C would stop at the NUL', async () => {
  const r = parseHash('{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=');
  assert.equal(r.ok && (await verifyPassword(r.hash, 'secret')), true);
  assert.equal(r.ok && (await verifyPassword(r.hash, 'secret\u0000junk')), false);
});

const FORMATS: readonly HashFormat[] = ['bcrypt', 'apr1', 'sha1', 'crypt', 'sha256', 'sha512'];

test('every hash authhook writes is accepted by the real htpasswd -v', { skip: skipWithout('htpasswd') }, async () => {
  const dir = tempDir();
  for (const format of FORMATS) {
    for (const pw of PASSWORDS) {
      const file = join(dir, `${format}.htpasswd`);
      const hash = await hashPassword(pw, format, format === 'bcrypt' ? { cost: 4 } : {});
      writeFileSync(file, `alice:${hash}\n`);
      assert.equal(realHtpasswdVerifies(file, 'alice', pw), 0, `${format} ${pw}`);
      assert.equal(realHtpasswdVerifies(file, 'alice', 'wrong-password'), 3, `${format} wrong`);
    }
  }
});

test('SHA-crypt with explicit rounds is written with rounds= and verified by the real htpasswd', { skip: skipWithout('htpasswd') }, async () => {
  const file = join(tempDir(), 'rounds.htpasswd');
  const hash = await hashPassword('secret', 'sha512', { rounds: 12_000 });
  assert.match(hash, /^\$6\$rounds=12000\$/);
  writeFileSync(file, `bob:${hash}\n`);
  assert.equal(realHtpasswdVerifies(file, 'bob', 'secret'), 0);
});

test('bcrypt hashes are written as $2y$, as htpasswd writes them', async () => {
  assert.match(await hashPassword('x', 'bcrypt', { cost: 4 }), /^\$2y\$04\$[./A-Za-z0-9]{53}$/);
  await assert.rejects(hashPassword('x', 'bcrypt', { cost: 3 }), RangeError);
  await assert.rejects(hashPassword('x\u0000', 'sha1'), TypeError);
});

test('a password longer than 1 KiB is refused without hashing it', async () => {
  const r = parseHash('$6$saltsalt$' + '.'.repeat(86));
  assert.equal(r.ok, true);
  const t = performance.now();
  assert.equal(r.ok && (await verifyPassword(r.hash, 'x'.repeat(12 * 1024))), false);
  assert.ok(performance.now() - t < 200, "no 12 KiB SHA-512-crypt was run");
});
