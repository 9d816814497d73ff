import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTERNAL_EXIT } from '../../src/fronts/external.js';
import { tempDir, writeScript } from '../helpers/index.js';

const BIN = fileURLToPath(new URL('../../bin/authhook.js', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'Tr0ub4dor-and-3';
const CACHE = tempDir('authhook-external-cache-');

interface Run {
  code: number | null;
  stderr: string;
}

/** Runs the CLI; `input: null` gives it no stdin at all (/dev/null). */
function run(args: readonly string[], input: string | Buffer | null, env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: [input === null ? 'ignore' : 'pipe', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin?.on('error', () => {}); // the program may stop reading a hostile input early
  child.stdin?.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

const USERS = `
const USERS: Record<string, string> = { alice: ${JSON.stringify(PASSWORD)}, 'zoë': 'pä:ss wörd', bob: 'x:y:z' };
export function check_password(_e: Record<string, string>, user: string, password: string): boolean | null {
  const known = USERS[user];
  return known === undefined ? null : known === password;
}
`;

let script = '';
const external = (input: string | Buffer | null, extra: readonly string[] = [], env?: Record<string, string>) =>
  run(['external', '--script', script, '--cache-dir', CACHE, ...extra], input, env);

function assertNoPassword(r: Run): void {
  assert.ok(!r.stderr.includes(PASSWORD), `the password leaked into stderr: ${r.stderr}`);
}

describe('authhook external: the pipe protocol', { concurrency: true }, () => {
  before(async () => {
    script = writeScript(USERS);
    assert.equal((await external(`alice\n${PASSWORD}\n`)).code, 0); // fills the cache
  });

  test('the right password exits 0', async () => {
    const r = await external(`alice\n${PASSWORD}\n`);
    assert.equal(r.code, EXTERNAL_EXIT.granted);
    assert.equal(r.stderr, '');
  });
  test('a wrong password exits 1', async () => assert.equal((await external('alice\nwrong\n')).code, EXTERNAL_EXIT.denied));
  test('an unknown user exits 2', async () => assert.equal((await external(`mallory\n${PASSWORD}\n`)).code, EXTERNAL_EXIT.notFound));
  test('CRLF line ends are tolerated', async () => assert.equal((await external(`alice\r\n${PASSWORD}\r\n`)).code, 0));
  test('a password with ":" and non-ASCII UTF-8 is passed whole', async () => {
    assert.equal((await external('zoë\npä:ss wörd\n')).code, 0);
    assert.equal((await external('bob\nx:y:z\n')).code, 0);
    assert.equal((await external('bob\nx\n')).code, EXTERNAL_EXIT.denied);
  });
  test('bytes that are not UTF-8 are read as Latin-1', async () => {
    const input = Buffer.concat([Buffer.from('zo'), Buffer.from([0xeb]), Buffer.from('\np'), Buffer.from([0xe4]), Buffer.from(':ss w'), Buffer.from([0xf6]), Buffer.from('rd\n')]);
    assert.equal((await external(input)).code, 0);
  });

  const hostile: [string, string | Buffer | null][] = [
    ['no stdin at all', null],
    ['an empty stdin', ''],
    ['an empty line', '\n'],
    ['an empty user before the password', `\n${PASSWORD}\n`],
    ['only one line', 'alice\n'],
    ['one line without its newline', 'alice'],
    ['a third line (a password holding a newline)', `alice\n${PASSWORD}\nmore\n`],
    ['a password that is the first line of the real one', `alice\n${PASSWORD.slice(0, 4)}\n${PASSWORD.slice(4)}\n`],
    ['a NUL byte', `alice\n${PASSWORD}\u0000\n`],
    ['a control character in the user name', `al\u0007ice\n${PASSWORD}\n`],
    ['a user line over 8 KiB', `${'a'.repeat(8193)}\n${PASSWORD}\n`],
    ['a password line over 8 KiB', `alice\n${'p'.repeat(8193)}\n`],
    ['a megabyte without a newline', 'x'.repeat(1 << 20)],
  ];
  for (const [what, input] of hostile) {
    test(`${what} is refused (exit 3), never granted`, async () => {
      const r = await external(input);
      assert.equal(r.code, EXTERNAL_EXIT.badInput);
      assertNoPassword(r);
    });
  }

  test('USER and PASS in the environment are never read', async () => {
    const r = await external('alice\nwrong\n', [], { USER: 'alice', PASS: PASSWORD });
    assert.equal(r.code, EXTERNAL_EXIT.denied);
  });
});

function scriptWith(body: string): string {
  return writeScript(body);
}

describe('authhook external: what the hook returns or does', { concurrency: true }, () => {
  const cases: [string, string, number][] = [
    ['a throw', `export function check_password(_e: unknown, _u: string, p: string) { throw new Error('db down for ' + p); }`, EXTERNAL_EXIT.hookError],
    ['an async rejection', `export async function check_password() { throw new TypeError('nope'); }`, EXTERNAL_EXIT.hookError],
    ['a number', `export function check_password() { return 1; }`, EXTERNAL_EXIT.hookError],
    ['an empty string', `export function check_password() { return ''; }`, EXTERNAL_EXIT.hookError],
    ['an array', `export function check_password() { return ['alice']; }`, EXTERNAL_EXIT.hookError],
    ['a grant object with an unknown key', `export function check_password() { return { admin: true }; }`, EXTERNAL_EXIT.hookError],
    ['no check_password', `export function groups_for_user() { return []; }`, EXTERNAL_EXIT.hookError],
    ['a syntax error', `export function check_password( {`, EXTERNAL_EXIT.hookError],
    ['a throw at import', `throw new Error('broken at import');\nexport function check_password() { return true; }`, EXTERNAL_EXIT.hookError],
    ['a hang past --timeout-ms', `export function check_password() { return new Promise(() => {}); }`, EXTERNAL_EXIT.unavailable],
    ['a hang at import', `await new Promise(() => { setInterval(() => {}, 1000); });\nexport function check_password() { return true; }`, EXTERNAL_EXIT.unavailable],
    ['a backend-unavailable error', `export function check_password() { throw Object.assign(new Error('ldap down'), { code: 'AUTHHOOK_ERR_PROVIDER_UNAVAILABLE' }); }`, EXTERNAL_EXIT.unavailable],
  ];
  for (const [what, body, code] of cases) {
    test(`${what} exits ${code}, never 0, and the password stays out of stderr`, async () => {
      // Only the hangs need a short limit; the others keep the default, so a loaded machine cannot turn them into time-outs.
      const limit = code === EXTERNAL_EXIT.unavailable ? ['--timeout-ms', '1000'] : [];
      const r = await run(['external', '--script', scriptWith(body), '--cache-dir', CACHE, ...limit], `alice\n${PASSWORD}\n`);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, /authhook external\[\d+\]: /);
      assertNoPassword(r);
    });
  }

  test('a missing script file exits 4', async () => {
    const r = await run(['external', '--script', join(tempDir(), 'nope.ts'), '--cache-dir', CACHE], `alice\n${PASSWORD}\n`);
    assert.equal(r.code, EXTERNAL_EXIT.hookError);
  });

  test('a canonical name grants but says REMOTE_USER cannot change', async () => {
    const r = await run(['external', '--script', scriptWith(`export function check_password() { return 'uid-1001'; }`), '--cache-dir', CACHE], `alice\n${PASSWORD}\n`);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /cannot rename the user/);
  });

  test('a grant object grants', async () => {
    const r = await run(['external', '--script', scriptWith(`export function check_password() { return { groups: ['staff'] }; }`), '--cache-dir', CACHE], `alice\n${PASSWORD}\n`);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });

  test('timers or sockets the hook leaves open do not keep the check running', async () => {
    const started = Date.now();
    const r = await run(['external', '--script', scriptWith(`setInterval(() => {}, 1000);\nexport function check_password() { return true; }`), '--cache-dir', CACHE], `alice\n${PASSWORD}\n`);
    assert.equal(r.code, 0);
    assert.ok(Date.now() - started < 5000);
  });

  test('a script with only get_realm_hash is checked with --realm (MD5 of user:realm:password)', async () => {
    const s = scriptWith(`import { createHash } from 'node:crypto';
export function get_realm_hash(_e: unknown, user: string, realm: string) {
  return user === 'alice' ? createHash('md5').update(user + ':' + realm + ':' + ${JSON.stringify(PASSWORD)}).digest('hex') : null;
}`);
    const args = ['external', '--script', s, '--cache-dir', CACHE, '--realm', 'Staff'];
    assert.equal((await run(args, `alice\n${PASSWORD}\n`)).code, 0);
    assert.equal((await run(args, 'alice\nwrong\n')).code, EXTERNAL_EXIT.denied);
    assert.equal((await run(args, `carol\n${PASSWORD}\n`)).code, EXTERNAL_EXIT.notFound);
  });

  test('the command line is checked: no --script, a bad --timeout-ms, even --help exit 6', async () => {
    assert.equal((await run(['external'], 'alice\nx\n')).code, EXTERNAL_EXIT.usage);
    assert.equal((await run(['external', '--script', 'a.ts', '--timeout-ms', 'soon'], 'alice\nx\n')).code, EXTERNAL_EXIT.usage);
    assert.equal((await run(['external', '--help'], 'alice\nx\n')).code, EXTERNAL_EXIT.usage);
  });
});

describe('authhook external: the environ from mod_authnz_external variables', () => {
  test('URI, IP, HOST, HTTP_HOST, COOKIE, CONTEXT map to CGI names; no credential is in it', async () => {
    const s = scriptWith(`export function check_password(e: Record<string, string>, _u: string, p: string) {
  if (Object.values(e).some((v) => v.includes(p))) return false;
  const want = { REQUEST_URI: '/admin/x', REMOTE_ADDR: '192.0.2.7', REMOTE_HOST: 'client.example', SERVER_NAME: 'www.example.org',
    SERVER_PORT: '8443', HTTP_COOKIE: 'a=b', 'authhook.external.context': 'ctx', AUTH_TYPE: 'Basic' } as Record<string, string>;
  return Object.entries(want).every(([k, v]) => e[k] === v) && !('PASS' in e) && !('USER' in e);
}`);
    const env = { URI: '/admin/x', IP: '192.0.2.7', HOST: 'client.example', HTTP_HOST: 'WWW.example.org:8443', COOKIE: 'a=b', CONTEXT: 'ctx', AUTHTYPE: 'PASS' };
    const r = await run(['external', '--script', s, '--cache-dir', CACHE], `alice\n${PASSWORD}\n`, env);
    assert.equal(r.code, 0, r.stderr);
  });
});

describe('authhook external-group: the GroupExternal pipe protocol', { concurrency: true }, () => {
  const groups = `export function groups_for_user(e: Record<string, string>, user: string) {
  if (e.REMOTE_USER !== user) throw new Error('REMOTE_USER not set');
  return ({ alice: ['Staff', 'Domain Users'], bob: [], carol: 'staff', dave: null } as Record<string, unknown>)[user] ?? (() => { throw new Error('no such user'); })();
}`;
  const group = (input: string | null, body = groups) => run(['external-group', '--script', scriptWith(body), '--cache-dir', CACHE], input);
  test('a member of any listed group exits 0, compared case-insensitively', async () => assert.equal((await group('alice\nadmins staff\n')).code, 0));
  test('a quoted group name with a space is one group', async () => assert.equal((await group('alice\n"domain users"\n')).code, 0));
  test('a user in none of the groups exits 1', async () => assert.equal((await group('alice\nadmins ops\n')).code, EXTERNAL_EXIT.denied));
  test('a user in no group at all exits 1', async () => assert.equal((await group('bob\nstaff\n')).code, EXTERNAL_EXIT.denied));
  test('a bare string from groups_for_user is a wrong type: exit 4', async () => assert.equal((await group('carol\nstaff\n')).code, EXTERNAL_EXIT.hookError));
  test('null from groups_for_user is a wrong type: exit 4', async () => assert.equal((await group('dave\nstaff\n')).code, EXTERNAL_EXIT.hookError));
  test('a throw exits 4', async () => assert.equal((await group('eve\nstaff\n')).code, EXTERNAL_EXIT.hookError));
  test('a script without groups_for_user exits 4', async () => {
    assert.equal((await group('alice\nstaff\n', 'export function check_password() { return true; }')).code, EXTERNAL_EXIT.hookError);
  });
  test('no group names, or no second line, exits 3', async () => {
    assert.equal((await group('alice\n\n')).code, EXTERNAL_EXIT.badInput);
    assert.equal((await group('alice\n')).code, EXTERNAL_EXIT.badInput);
    assert.equal((await group(null)).code, EXTERNAL_EXIT.badInput);
  });
});

describe('authhook external: the compile cache', () => {
  test('the cache is private, reused, and an edit of an imported file takes effect', async () => {
    const dir = tempDir();
    const cache = join(dir, 'cache');
    writeFileSync(join(dir, 'users.ts'), `export const PASSWORD = 'one';\n`);
    const s = writeScript(`import { PASSWORD } from './users.js';\nexport const check_password = (_e: unknown, _u: string, p: string) => p === PASSWORD;\n`, 'auth.ts', dir);
    const args = ['external', '--script', s, '--cache-dir', cache];
    assert.equal((await run(args, 'alice\none\n')).code, 0);
    const entries = readdirSync(cache);
    assert.equal((await run(args, 'alice\none\n')).code, 0);
    assert.deepEqual(readdirSync(cache), entries, 'a warm run writes nothing');
    writeFileSync(join(dir, 'users.ts'), `export const PASSWORD = 'two!';\n`);
    assert.equal((await run(args, 'alice\none\n')).code, EXTERNAL_EXIT.denied);
    assert.equal((await run(args, 'alice\ntwo!\n')).code, 0);
    const old = new Date(Date.now() - 120_000);
    for (const f of readdirSync(cache)) utimesSync(join(cache, f), old, old); // old enough to prune
    writeFileSync(s, readFileSync(s, 'utf8') + '// edited\n');
    assert.equal((await run(args, 'alice\ntwo!\n')).code, 0);
    assert.equal(readdirSync(cache).length, 2, 'one .mjs and one .json: older versions are pruned');
  });

  test('import.meta.url names the source file, and packages resolve from the script', async () => {
    const dir = tempDir();
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'users.json'), JSON.stringify({ alice: 'from-json' }));
    const s = writeScript(`import { readFileSync } from 'node:fs';
import { z } from 'zod';
const users = z.record(z.string(), z.string()).parse(JSON.parse(readFileSync(new URL('./users.json', import.meta.url), 'utf8')));
export const check_password = (_e: unknown, u: string, p: string) => users[u] === undefined ? null : users[u] === p;
`, 'auth.ts', dir);
    const r = await run(['external', '--script', s, '--cache-dir', join(dir, 'cache')], 'alice\nfrom-json\n');
    assert.equal(r.code, 0, r.stderr);
  });

  test('a cache directory others can write is not used, and the check still works', async () => {
    const shared = join(tempDir(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const r = await run(['external', '--script', script, '--cache-dir', shared], `alice\n${PASSWORD}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(shared), []);
  });

  test('a plain JavaScript script is imported as it is', async () => {
    const s = writeScript(`export function check_password(_e, _u, p) { return p === 'js'; }\n`, 'auth.mjs');
    assert.equal((await run(['external', '--script', s, '--cache-dir', CACHE], 'alice\njs\n')).code, 0);
  });
});
