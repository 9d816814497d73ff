import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authScheme, basicChallenge, parseBasic } from '../../src/authn/basic.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const b64Bytes = (bytes: number[]): string => Buffer.from(bytes).toString('base64');
const ALICE = b64('alice:secret'); // YWxpY2U6c2VjcmV0

test('a well-formed Basic header yields user and password (RFC 7617 §2)', () => {
  assert.deepEqual(parseBasic(`Basic ${ALICE}`), { user: 'alice', password: 'secret' });
});

test('the scheme name is case-insensitive', () => {
  assert.deepEqual(parseBasic(`basic ${ALICE}`), { user: 'alice', password: 'secret' });
  assert.deepEqual(parseBasic(`BASIC ${ALICE}`), { user: 'alice', password: 'secret' });
  assert.deepEqual(parseBasic(`bAsIc ${ALICE}`), { user: 'alice', password: 'secret' });
});

test('several spaces may separate the scheme from the token', () => {
  assert.deepEqual(parseBasic(`Basic   ${ALICE}`), { user: 'alice', password: 'secret' });
});

test('a tab between scheme and token is malformed (1*SP only)', () => {
  assert.equal(parseBasic(`Basic\t${ALICE}`), undefined);
});

test('trailing whitespace after the token is tolerated', () => {
  assert.deepEqual(parseBasic(`Basic ${ALICE}  \t`), { user: 'alice', password: 'secret' });
});

test('leading whitespace before the scheme is malformed', () => {
  assert.equal(parseBasic(` Basic ${ALICE}`), undefined);
});

test('missing padding is tolerated', () => {
  const padded = b64('bob:x'); // Ym9iOng=
  assert.ok(padded.endsWith('='));
  assert.deepEqual(parseBasic(`Basic ${padded.replace(/=+$/, '')}`), { user: 'bob', password: 'x' });
  assert.deepEqual(parseBasic(`Basic ${padded}`), { user: 'bob', password: 'x' });
});

test('a token whose length is 1 mod 4 is malformed', () => {
  assert.equal(parseBasic(`Basic ${ALICE}A`), undefined);
  assert.equal(parseBasic('Basic Y'), undefined);
});

test('partial or excess padding is malformed', () => {
  assert.equal(parseBasic('Basic Og='), undefined);
  assert.equal(parseBasic(`Basic ${ALICE}=`), undefined);
  assert.equal(parseBasic(`Basic ${ALICE}==`), undefined);
  assert.equal(parseBasic('Basic Ym9iOng==='), undefined);
});

test('a token with non-zero spare bits is malformed (RFC 4648 §3.5)', () => {
  // "YQ" and "YR" both decode to "a"; only the canonical spelling is accepted.
  assert.deepEqual(parseBasic('Basic YQ'), { user: 'a', password: '' });
  assert.equal(parseBasic('Basic YR'), undefined);
  assert.deepEqual(parseBasic('Basic YWI'), { user: 'ab', password: '' });
  assert.equal(parseBasic('Basic YWJ'), undefined);
  assert.equal(parseBasic('Basic YWJ='), undefined);
});

test('a character outside base64 after the token is malformed (httpd granted …c2VjcmV0;)', () => {
  assert.equal(parseBasic(`Basic ${ALICE};`), undefined);
  assert.equal(parseBasic(`Basic ${ALICE}!`), undefined);
});

test('a second token after the credentials is malformed (httpd granted … Og==)', () => {
  assert.equal(parseBasic(`Basic ${ALICE} Og==`), undefined);
});

test('base64 continuing after padding is malformed (httpd granted …=Ym9iOng=)', () => {
  assert.equal(parseBasic(`Basic ${b64('alice:secre')}=Ym9iOng=`), undefined);
  assert.equal(parseBasic('Basic =Ym9iOng='), undefined);
});

test('a doubled scheme is malformed (Basic Basic <b64> crashed httpd)', () => {
  assert.equal(parseBasic(`Basic Basic ${ALICE}`), undefined);
});

test('base64url characters are malformed', () => {
  const token = b64Bytes([0x61, 0x3a, 0xfb, 0xff]); // "YTr7/w=="
  assert.ok(token.includes('/'));
  assert.equal(parseBasic(`Basic ${token.replace('/', '_')}`), undefined);
});

test('a header longer than 8192 characters is malformed', () => {
  const user = 'u'.repeat(6131);
  const exact = `Basic ${b64(`${user}:ppppppp`).replace(/=+$/, '')}`;
  assert.equal(exact.length, 8192);
  assert.deepEqual(parseBasic(exact), { user, password: 'ppppppp' });
  assert.equal(parseBasic(`${exact} `), undefined);
});

test('a 64 KiB header is malformed', () => {
  const header = `Basic ${b64(`alice:${'x'.repeat(49_152)}`)}`;
  assert.ok(header.length >= 65_536);
  assert.equal(parseBasic(header), undefined);
});

test('another scheme is not Basic', () => {
  assert.equal(parseBasic('Bearer eyJhbGciOiJIUzI1NiJ9'), undefined);
  assert.equal(parseBasic(`Digest ${ALICE}`), undefined);
  assert.equal(parseBasic(`Basicx ${ALICE}`), undefined);
});

test('Basic with no token is malformed', () => {
  assert.equal(parseBasic('Basic'), undefined);
  assert.equal(parseBasic('Basic '), undefined);
  assert.equal(parseBasic('Basic    '), undefined);
});

test('an absent or empty header has no credentials', () => {
  assert.equal(parseBasic(undefined), undefined);
  assert.equal(parseBasic(''), undefined);
});

test('UTF-8 user and password are decoded as UTF-8', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('jörg:pässwörd€')}`), { user: 'jörg', password: 'pässwörd€' });
  assert.deepEqual(parseBasic(`Basic ${b64('用户:密码🔑')}`), { user: '用户', password: '密码🔑' });
});

test('bytes that are not UTF-8 fall back to Latin-1', () => {
  const bytes = [...Buffer.from('caf'), 0xe9, 0x3a, ...Buffer.from('cr'), 0xe8, ...Buffer.from('me')];
  assert.deepEqual(parseBasic(`Basic ${b64Bytes(bytes)}`), { user: 'café', password: 'crème' });
});

test('Latin-1 fallback maps 0x80–0x9f to C1 code points, not windows-1252', () => {
  assert.deepEqual(parseBasic(`Basic ${b64Bytes([0x61, 0x3a, 0x80])}`), { user: 'a', password: '\u0080' });
});

test('a UTF-8 byte-order mark is kept, not dropped', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('\ufeffalice:pw')}`), { user: '\ufeffalice', password: 'pw' });
});

test('only the first colon splits, so the password may hold colons', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('alice:se:cr:et')}`), { user: 'alice', password: 'se:cr:et' });
  assert.deepEqual(parseBasic(`Basic ${b64('alice::')}`), { user: 'alice', password: ':' });
});

test('no colon means an empty password', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('alice')}`), { user: 'alice', password: '' });
});

test('a trailing colon means an empty password', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('alice:')}`), { user: 'alice', password: '' });
});

test('an empty user is malformed', () => {
  assert.equal(parseBasic(`Basic ${b64(':secret')}`), undefined);
  assert.equal(parseBasic(`Basic ${b64(':')}`), undefined);
});

test('a NUL in the user is malformed (httpd cut at it)', () => {
  assert.equal(parseBasic(`Basic ${b64('alice\u0000evil:secret')}`), undefined);
  assert.equal(parseBasic(`Basic ${b64('\u0000:secret')}`), undefined);
});

test('a C0 control character or DEL in the user is malformed', () => {
  for (const c of ['\u0001', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f']) {
    assert.equal(parseBasic(`Basic ${b64(`ali${c}ce:secret`)}`), undefined, JSON.stringify(c));
  }
});

test('a NUL in the password is malformed', () => {
  assert.equal(parseBasic(`Basic ${b64('alice:sec\u0000ret')}`), undefined);
  assert.equal(parseBasic(`Basic ${b64('alice:secret\u0000')}`), undefined);
});

test('other control characters in the password are kept', () => {
  assert.deepEqual(parseBasic(`Basic ${b64('alice:a\tb\u007f')}`), { user: 'alice', password: 'a\tb\u007f' });
});

test('the challenge names the realm and the UTF-8 charset (RFC 7617 §2.1)', () => {
  assert.equal(basicChallenge('Staff only'), 'Basic realm="Staff only", charset="UTF-8"');
});

test('the challenge escapes quotes and backslashes in the realm as quoted-pairs', () => {
  assert.equal(basicChallenge('a "b" \\c'), 'Basic realm="a \\"b\\" \\\\c", charset="UTF-8"');
});

test('authScheme gives the lower-cased scheme of a header', () => {
  assert.equal(authScheme(`Basic ${ALICE}`), 'basic');
  assert.equal(authScheme('Bearer abc.def'), 'bearer');
  assert.equal(authScheme('DIGEST username="x"'), 'digest');
  assert.equal(authScheme('Negotiate'), 'negotiate');
});

test('authScheme is null for an absent, empty or non-token header', () => {
  assert.equal(authScheme(undefined), null);
  assert.equal(authScheme(''), null);
  assert.equal(authScheme(' Basic x'), null);
  assert.equal(authScheme('"quoted" x'), null);
  assert.equal(authScheme('x'.repeat(65)), null);
});
