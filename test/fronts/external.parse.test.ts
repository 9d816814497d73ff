import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { externalEnviron, MAX_EXTERNAL_LINE, parseGroupWords, parsePipeInput } from '../../src/fronts/external.js';
import { contentHash, resolveCacheDir } from '../../src/hooks/compile-cache.js';
import { tempDir } from '../helpers/index.js';

const parse = (s: string | Buffer) => parsePipeInput(Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8'));

test('two lines give the user and the second line; the last newline may be missing', () => {
  assert.deepEqual(parse('alice\nsecret\n'), { ok: true, first: 'alice', second: 'secret' });
  assert.deepEqual(parse('alice\nsecret'), { ok: true, first: 'alice', second: 'secret' });
  assert.deepEqual(parse('alice\r\nse:cr et\r\n'), { ok: true, first: 'alice', second: 'se:cr et' });
});

test('an empty password line is a password, an empty user line is not a user', () => {
  assert.deepEqual(parse('alice\n\n'), { ok: true, first: 'alice', second: '' });
  assert.equal(parse('\nsecret\n').ok, false);
});

test('anything but exactly two lines is refused', () => {
  for (const s of ['', '\n', 'alice', 'alice\n', 'alice\nsecret\n\n', 'alice\nsecret\nmore', 'a\u0000\nb\n']) assert.equal(parse(s).ok, false, JSON.stringify(s));
});

test('lines are limited to 8 KiB each', () => {
  assert.equal(parse(`${'u'.repeat(MAX_EXTERNAL_LINE)}\n${'p'.repeat(MAX_EXTERNAL_LINE)}\n`).ok, true);
  assert.equal(parse(`${'u'.repeat(MAX_EXTERNAL_LINE + 1)}\np\n`).ok, false);
  assert.equal(parse(`u\n${'p'.repeat(MAX_EXTERNAL_LINE + 1)}\n`).ok, false);
});

test('UTF-8 is decoded, and bytes that are not UTF-8 as Latin-1', () => {
  assert.deepEqual(parse('zoë\npä:ss\n'), { ok: true, first: 'zoë', second: 'pä:ss' });
  assert.deepEqual(parse(Buffer.from([0x7a, 0xeb, 0x0a, 0xe4, 0x0a])), { ok: true, first: 'zë', second: 'ä' });
});

test('group words split on white space; quotes keep a name with spaces whole', () => {
  assert.deepEqual(parseGroupWords('staff  admins'), ['staff', 'admins']);
  assert.deepEqual(parseGroupWords(`"Domain Users" 'two words' plain "es\\"c"`), ['Domain Users', 'two words', 'plain', 'es"c']);
  assert.deepEqual(parseGroupWords('   '), []);
});

test('the environ maps the mod_authnz_external variables and leaves USER/PASS out', () => {
  const e = externalEnviron({ URI: '/a/b', IP: '::1', HTTP_HOST: '[::1]:8080', USER: 'x', PASS: 'y', GROUP: 'z', METHOD: 'POST' }, { authType: 'GROUP', remoteUser: 'alice' });
  assert.equal(e.REQUEST_URI, '/a/b');
  assert.equal(e.REQUEST_METHOD, 'POST');
  assert.equal(e.REMOTE_ADDR, '::1');
  assert.equal(e.SERVER_NAME, '[::1]');
  assert.equal(e.SERVER_PORT, '8080');
  assert.equal(e.REMOTE_USER, 'alice');
  assert.equal(e['authhook.external.authtype'], 'GROUP');
  assert.ok(!Object.values(e).includes('y') && !('PASS' in e) && !('USER' in e) && !('GROUP' in e));
  assert.ok(Object.isFrozen(e));
});

test('the cache directory must be private: not a symlink, not writable by others', () => {
  const root = tempDir();
  assert.equal(resolveCacheDir(join(root, 'new')), join(root, 'new'));
  const open = join(root, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  assert.equal(resolveCacheDir(open), null);
  symlinkSync(join(root, 'new'), join(root, 'link'));
  assert.equal(resolveCacheDir(join(root, 'link')), null);
});

test('without --cache-dir the cache falls back to XDG_CACHE_HOME, HOME, then the temp directory', () => {
  const root = tempDir();
  assert.equal(resolveCacheDir(undefined, { XDG_CACHE_HOME: root }), join(root, 'authhook'));
  assert.equal(resolveCacheDir(undefined, { HOME: root }), join(root, '.cache', 'authhook'));
  assert.match(resolveCacheDir(undefined, {}) ?? '', /authhook-cache-/);
});

test('the content hash changes with any byte', () => {
  const a = contentHash(Buffer.from('export const x = 1;'));
  assert.notEqual(contentHash(Buffer.from('export const x = 2;')), a);
  assert.equal(contentHash(Buffer.from('export const x = 1;')), a);
});
