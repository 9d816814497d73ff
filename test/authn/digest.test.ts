import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  computeHA1,
  digestChallenges,
  digestUriMatches,
  expectedResponse,
  parseDigest,
  verifyDigestResponse,
} from '../../src/authn/digest.js';
import type { DigestCredentials } from '../../src/authn/digest.js';

// RFC 7616 §3.9.1.
const RFC = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  uri: '/dir/index.html',
  md5: '8ca523f5e9506fed4657c9700eebdbec',
  sha256: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
} as const;

/** The RFC example's parameters as `name=value` strings, each overridable or removable (null). */
function params(overrides: Record<string, string | null> = {}): string[] {
  const base: Record<string, string> = {
    username: `"${RFC.username}"`,
    realm: `"${RFC.realm}"`,
    uri: `"${RFC.uri}"`,
    algorithm: 'MD5',
    nonce: `"${RFC.nonce}"`,
    nc: '00000001',
    cnonce: `"${RFC.cnonce}"`,
    qop: 'auth',
    response: `"${RFC.md5}"`,
    opaque: `"${RFC.opaque}"`,
  };
  const merged: Record<string, string | null> = { ...base, ...overrides };
  return Object.entries(merged).flatMap(([k, v]) => (v === null ? [] : [`${k}=${v}`]));
}

const header = (overrides: Record<string, string | null> = {}): string => `Digest ${params(overrides).join(', ')}`;

function parsed(h: string): DigestCredentials {
  const creds = parseDigest(h);
  assert.ok(creds !== undefined, 'expected the header to parse');
  return creds;
}

test('the RFC 7616 §3.9.1 header parses into its fields', () => {
  assert.deepEqual(parseDigest(header()), {
    username: RFC.username,
    realm: RFC.realm,
    nonce: RFC.nonce,
    uri: RFC.uri,
    response: RFC.md5,
    algorithm: 'MD5',
    qop: 'auth',
    nc: '00000001',
    ncValue: 1,
    cnonce: RFC.cnonce,
    opaque: RFC.opaque,
  });
});

test('the RFC 7616 §3.9.1 MD5 response is computed from the password', () => {
  const creds = parsed(header());
  const ha1 = computeHA1('MD5', RFC.username, RFC.realm, RFC.password);
  assert.equal(expectedResponse(creds, 'GET', ha1), RFC.md5);
  assert.equal(verifyDigestResponse(creds, 'GET', ha1), true);
});

test('the RFC 7616 §3.9.1 SHA-256 response is computed from the password', () => {
  const creds = parsed(header({ algorithm: 'SHA-256', response: `"${RFC.sha256}"` }));
  assert.equal(creds.algorithm, 'SHA-256');
  const ha1 = computeHA1('SHA-256', RFC.username, RFC.realm, RFC.password);
  assert.equal(expectedResponse(creds, 'GET', ha1), RFC.sha256);
  assert.equal(verifyDigestResponse(creds, 'GET', ha1), true);
});

test('computeHA1 is lower-case hex of H(user:realm:password)', () => {
  assert.equal(computeHA1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'), '939e7578ed9e3c518a452acee763bce9');
  assert.match(computeHA1('SHA-256', 'a', 'b', 'c'), /^[0-9a-f]{64}$/);
});

test('computeHA1 hashes user and password as UTF-8', () => {
  const bytes = Buffer.from('jörg:r:pässword€', 'utf8');
  assert.equal(computeHA1('MD5', 'jörg', 'r', 'pässword€'), createHash('md5').update(bytes).digest('hex'));
});

test('a wrong password does not verify', () => {
  const creds = parsed(header());
  assert.equal(verifyDigestResponse(creds, 'GET', computeHA1('MD5', RFC.username, RFC.realm, 'circle of life')), false);
});

test('another method does not verify', () => {
  const creds = parsed(header());
  const ha1 = computeHA1('MD5', RFC.username, RFC.realm, RFC.password);
  assert.equal(verifyDigestResponse(creds, 'POST', ha1), false);
  assert.equal(verifyDigestResponse(creds, 'get', ha1), false);
});

test('an upper-case hex HA1 from a hook does not verify (MODWSGI case 22)', () => {
  const creds = parsed(header());
  const ha1 = computeHA1('MD5', RFC.username, RFC.realm, RFC.password);
  assert.equal(verifyDigestResponse(creds, 'GET', ha1.toUpperCase()), false);
});

test('an HA1 of the other algorithm does not verify', () => {
  const creds = parsed(header());
  assert.equal(verifyDigestResponse(creds, 'GET', computeHA1('SHA-256', RFC.username, RFC.realm, RFC.password)), false);
});

test('an absent algorithm means MD5', () => {
  assert.equal(parsed(header({ algorithm: null })).algorithm, 'MD5');
});

test('the algorithm name is case-insensitive and may be quoted', () => {
  assert.equal(parsed(header({ algorithm: 'md5' })).algorithm, 'MD5');
  assert.equal(parsed(header({ algorithm: 'sha-256', response: `"${RFC.sha256}"` })).algorithm, 'SHA-256');
  assert.equal(parsed(header({ algorithm: '"SHA-256"', response: `"${RFC.sha256}"` })).algorithm, 'SHA-256');
});

test('an algorithm other than MD5 or SHA-256 is malformed', () => {
  for (const algorithm of ['MD5-sess', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess', 'SHA1', '""']) {
    assert.equal(parseDigest(header({ algorithm })), undefined, algorithm);
  }
});

test('the scheme name is case-insensitive', () => {
  assert.equal(parsed(header().replace('Digest', 'digest')).username, RFC.username);
  assert.equal(parsed(header().replace('Digest', 'DIGEST')).username, RFC.username);
});

test('a duplicated parameter is malformed (httpd took the last value)', () => {
  assert.equal(parseDigest(`${header()}, username="Scar"`), undefined);
  assert.equal(parseDigest(`${header()}, nc=00000002`), undefined);
  assert.equal(parseDigest(`${header()}, opaque="x"`), undefined);
});

test('parameter names are compared case-insensitively, so differently cased duplicates are malformed', () => {
  assert.equal(parseDigest(`${header()}, UserName="Scar"`), undefined);
  assert.equal(parsed(header().replace('username=', 'USERNAME=')).username, RFC.username);
});

test('a duplicated unknown parameter is malformed', () => {
  assert.equal(parseDigest(`${header()}, foo=1, foo=2`), undefined);
});

test('unknown parameters are ignored', () => {
  assert.equal(parsed(`${header()}, domain="/dir", foo=bar, x-y="z"`).username, RFC.username);
});

test('an unterminated quoted-string is malformed', () => {
  assert.equal(parseDigest(header({ opaque: `"${RFC.opaque}` })), undefined);
  assert.equal(parseDigest(header({ username: '"Mufasa' })), undefined);
});

test('a quoted-string ending in a lone backslash is malformed', () => {
  assert.equal(parseDigest(`${header()}, foo="abc\\"`), undefined);
});

test('text glued to a value is malformed', () => {
  assert.equal(parseDigest(header({ username: '"Mufasa"x' })), undefined);
  assert.equal(parseDigest(header({ username: 'Mu"fasa"' })), undefined);
  assert.equal(parseDigest(header({ nc: '00000001"x"' })), undefined);
});

test('parameters without a comma between them are malformed', () => {
  assert.equal(parseDigest(`Digest ${params().join(' ')}`), undefined);
});

test('a parameter without a value is malformed', () => {
  assert.equal(parseDigest(`${header()}, foo`), undefined);
  assert.equal(parseDigest(`${header()}, foo=`), undefined);
  assert.equal(parseDigest(`${header()}, =bar`), undefined);
});

test('a control character in a quoted-string is malformed', () => {
  assert.equal(parseDigest(header({ username: '"Mu\u0000fasa"' })), undefined);
  assert.equal(parseDigest(header({ uri: '"/dir\r\n/index.html"' })), undefined);
});

test('a token68 after the scheme is malformed', () => {
  assert.equal(parseDigest('Digest dXNlcjpwYXNz=='), undefined);
});

test('quoted-pairs are unescaped', () => {
  assert.equal(parsed(header({ username: '"Mu\\"fa\\\\sa"' })).username, 'Mu"fa\\sa');
  assert.equal(parsed(header({ username: '"\\M\\u\\f\\a\\s\\a"' })).username, 'Mufasa');
});

test('whitespace around commas and equals signs is allowed', () => {
  const h = `Digest   ${params().join(' ,\t ')}  `.replace('realm=', 'realm = ');
  assert.equal(parsed(h).realm, RFC.realm);
});

test('empty list elements are skipped (RFC 9110 §5.6.1)', () => {
  assert.equal(parsed(`Digest , ${params().join(', , ')},`).username, RFC.username);
});

test('token values are accepted where the RFC quotes them', () => {
  assert.equal(parsed(header({ username: 'Mufasa', cnonce: 'abc' })).cnonce, 'abc');
});

test('each required parameter is needed', () => {
  for (const name of ['username', 'realm', 'nonce', 'uri', 'response', 'qop', 'nc', 'cnonce']) {
    assert.equal(parseDigest(header({ [name]: null })), undefined, name);
  }
});

test('empty username, nonce, uri or cnonce is malformed', () => {
  for (const name of ['username', 'nonce', 'uri', 'cnonce']) {
    assert.equal(parseDigest(header({ [name]: '""' })), undefined, name);
  }
});

test('opaque is optional', () => {
  assert.equal(parsed(header({ opaque: null })).opaque, null);
});

test('a qop other than auth is malformed', () => {
  for (const qop of ['auth-int', '"auth,auth-int"', 'AUTH', '""', 'auth-int, qop=auth']) {
    assert.equal(parseDigest(header({ qop })), undefined, qop);
  }
});

test('a quoted qop of auth is accepted', () => {
  assert.equal(parsed(header({ qop: '"auth"' })).qop, 'auth');
});

test('an nc with a non-hex digit is malformed (httpd passed 0000000g)', () => {
  assert.equal(parseDigest(header({ nc: '0000000g' })), undefined);
  assert.equal(parseDigest(header({ nc: '-0000001' })), undefined);
  assert.equal(parseDigest(header({ nc: '0x000001' })), undefined);
});

test('an nc that is not exactly 8 digits is malformed', () => {
  assert.equal(parseDigest(header({ nc: '0000001' })), undefined);
  assert.equal(parseDigest(header({ nc: '000000001' })), undefined);
  assert.equal(parseDigest(header({ nc: '1' })), undefined);
});

test('an nc of zero is malformed', () => {
  assert.equal(parseDigest(header({ nc: '00000000' })), undefined);
});

test('nc is kept as sent and read as hex', () => {
  const creds = parsed(header({ nc: '0000000A' }));
  assert.equal(creds.nc, '0000000A');
  assert.equal(creds.ncValue, 10);
  assert.equal(parsed(header({ nc: 'ffffffff' })).ncValue, 0xffffffff);
});

test('userhash=true is malformed', () => {
  assert.equal(parseDigest(header({ userhash: 'true' })), undefined);
  assert.equal(parseDigest(header({ userhash: '"TRUE"' })), undefined);
  assert.equal(parseDigest(header({ userhash: 'maybe' })), undefined);
});

test('userhash=false is accepted', () => {
  assert.equal(parsed(header({ userhash: 'false' })).username, RFC.username);
});

test('a response that is not lower-case hex of the algorithm length is malformed', () => {
  for (const response of [`"${RFC.md5.slice(1)}"`, `"${RFC.md5}0"`, `"${RFC.md5.toUpperCase()}"`, `"${RFC.md5.slice(1)}g"`, '""']) {
    assert.equal(parseDigest(header({ response })), undefined, response);
  }
  assert.equal(parseDigest(header({ response: `"${RFC.md5}"`, algorithm: 'SHA-256' })), undefined);
  assert.equal(parseDigest(header({ response: `"${RFC.sha256}"`, algorithm: 'MD5' })), undefined);
});

test('a header longer than 8192 characters is malformed', () => {
  const base = header();
  const filler = `, x="${'a'.repeat(8192 - base.length - 6)}"`;
  assert.equal(base.length + filler.length, 8192);
  assert.equal(parsed(base + filler).username, RFC.username);
  assert.equal(parseDigest(`${base + filler} `), undefined);
});

test('a 64 KiB header is malformed', () => {
  assert.equal(parseDigest(`${header()}, x="${'a'.repeat(65_536)}"`), undefined);
});

test('another scheme is not Digest', () => {
  assert.equal(parseDigest(header().replace('Digest', 'Basic')), undefined);
  assert.equal(parseDigest(`Bearer ${params().join(', ')}`), undefined);
  assert.equal(parseDigest(header().replace('Digest ', 'Digestx ')), undefined);
});

test('Digest with no parameters is malformed', () => {
  assert.equal(parseDigest('Digest'), undefined);
  assert.equal(parseDigest('Digest '), undefined);
  assert.equal(parseDigest(undefined), undefined);
  assert.equal(parseDigest(''), undefined);
});

test('a doubled scheme is malformed', () => {
  assert.equal(parseDigest(`Digest ${header()}`), undefined);
});

test('username* in RFC 8187 form gives a Unicode user (RFC 7616 §3.9.2)', () => {
  assert.equal(parsed(header({ username: null, 'username*': "UTF-8''J%C3%A4s%C3%B8n%20Doe" })).username, 'Jäsøn Doe');
  assert.equal(parsed(header({ username: null, 'username*': "utf-8'en'Mufasa" })).username, 'Mufasa');
});

test('username and username* together are malformed', () => {
  assert.equal(parseDigest(header({ 'username*': "UTF-8''Mufasa" })), undefined);
});

test('a username* that is not valid RFC 8187 UTF-8 is malformed', () => {
  for (const value of ["\"UTF-8''Mufasa\"", "ISO-8859-1''caf%E9", "UTF-8''caf%E9", "UTF-8''bad%2", "UTF-8''a%zz", 'Mufasa', "UTF-8''", "UTF-8''%00x"]) {
    assert.equal(parseDigest(header({ username: null, 'username*': value })), undefined, value);
  }
});

test('a raw UTF-8 username, which Node hands over one byte per character, is decoded as UTF-8', () => {
  const latin1View = Buffer.from('jörg', 'utf8').toString('latin1');
  assert.equal(parsed(header({ username: `"${latin1View}"` })).username, 'jörg');
});

test('a raw username that is not UTF-8 stays Latin-1', () => {
  assert.equal(parsed(header({ username: '"caf\u00e9"' })).username, 'café');
});

test('a character outside Latin-1 in a quoted-string is malformed', () => {
  assert.equal(parseDigest(header({ username: '"\u0100"' })), undefined);
});

test('a tab in the username is malformed', () => {
  assert.equal(parseDigest(header({ username: '"Mu\tfasa"' })), undefined);
});

test('one challenge is produced per algorithm, in the order given', () => {
  const challenges = digestChallenges({ realm: 'R', algorithms: ['SHA-256', 'MD5'], nonce: 'n1', stale: false, opaque: 'op' });
  assert.deepEqual(challenges, [
    'Digest realm="R", qop="auth", algorithm=SHA-256, nonce="n1", opaque="op"',
    'Digest realm="R", qop="auth", algorithm=MD5, nonce="n1", opaque="op"',
  ]);
  assert.deepEqual(digestChallenges({ realm: 'R', algorithms: ['MD5'], nonce: 'n1', stale: false }), [
    'Digest realm="R", qop="auth", algorithm=MD5, nonce="n1"',
  ]);
});

test('a stale challenge says stale=true', () => {
  assert.deepEqual(digestChallenges({ realm: 'R', algorithms: ['SHA-256'], nonce: 'n2', stale: true }), [
    'Digest realm="R", qop="auth", algorithm=SHA-256, nonce="n2", stale=true',
  ]);
});

test('the challenge escapes quotes and backslashes in the realm', () => {
  assert.deepEqual(digestChallenges({ realm: 'a"b\\c', algorithms: ['MD5'], nonce: 'n', stale: false }), [
    'Digest realm="a\\"b\\\\c", qop="auth", algorithm=MD5, nonce="n"',
  ]);
});

test('a challenge parses back with the parameter parser a client would use', () => {
  const [challenge] = digestChallenges({ realm: 'R "x"', algorithms: ['MD5'], nonce: 'n', stale: true, opaque: 'o' });
  assert.ok(challenge !== undefined);
  const asCreds = `${challenge.replace('Digest', 'Digest username="u", uri="/", nc=00000001, cnonce="c", response="' + '0'.repeat(32) + '",')}`;
  const creds = parsed(asCreds);
  assert.equal(creds.realm, 'R "x"');
  assert.equal(creds.nonce, 'n');
  assert.equal(creds.opaque, 'o');
});

test('the uri matches the identical request-target, query included', () => {
  assert.equal(digestUriMatches('/dir/index.html', '/dir/index.html'), true);
  assert.equal(digestUriMatches('/a?b=1&c=2', '/a?b=1&c=2'), true);
});

test('the uri does not match another path or query', () => {
  assert.equal(digestUriMatches('/dir/index.html', '/dir/other.html'), false);
  assert.equal(digestUriMatches('/a?b=1', '/a?b=2'), false);
  assert.equal(digestUriMatches('/a', '/a?b=1'), false);
  assert.equal(digestUriMatches('/a?b=1', '/a'), false);
  assert.equal(digestUriMatches('/dir', '/dir/index.html'), false);
  assert.equal(digestUriMatches('/DIR/index.html', '/dir/index.html'), false);
});

test('the uri is not normalised before comparison', () => {
  assert.equal(digestUriMatches('/dir/./index.html', '/dir/index.html'), false);
  assert.equal(digestUriMatches('/dir/%69ndex.html', '/dir/index.html'), false);
  assert.equal(digestUriMatches('/dir/index.html#x', '/dir/index.html'), false);
});

test('an absolute-form uri matches when its path and query are the request-target', () => {
  assert.equal(digestUriMatches('http://example.org/dir/index.html', '/dir/index.html'), true);
  assert.equal(digestUriMatches('https://example.org:8443/a?b=1', '/a?b=1'), true);
});

test('an absolute-form uri with another path, query or a fragment does not match', () => {
  assert.equal(digestUriMatches('http://example.org/dir/other.html', '/dir/index.html'), false);
  assert.equal(digestUriMatches('http://example.org/a?b=2', '/a?b=1'), false);
  assert.equal(digestUriMatches('http://example.org/a#f', '/a'), false);
  assert.equal(digestUriMatches('http://example.org', '/'), false);
  assert.equal(digestUriMatches('//example.org/a', '/a'), false);
  assert.equal(digestUriMatches('example.org/a', '/a'), false);
});
