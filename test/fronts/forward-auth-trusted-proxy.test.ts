import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientFromForwardedFor, createTrustedProxyMatcher, parseClientAddress } from '../../src/environ/trusted-proxy.js';
import { ConfigError } from '../../src/errors.js';

test('an empty trusted-proxy list trusts nobody, loopback included', () => {
  const t = createTrustedProxyMatcher([]);
  assert.equal(t('127.0.0.1'), false);
  assert.equal(t('::1'), false);
});

test('addresses and CIDRs are trusted, IPv4-mapped peers as their IPv4 form', () => {
  const t = createTrustedProxyMatcher(['127.0.0.1', '10.0.0.0/8', '::1']);
  assert.equal(t('10.20.30.40'), true);
  assert.equal(t('::ffff:127.0.0.1'), true);
  assert.equal(t('::1'), true);
  assert.equal(t('192.0.2.1'), false);
  assert.equal(t(''), false);
});

test('a bad entry is a ConfigError naming the option', () => {
  assert.throws(() => createTrustedProxyMatcher(['10.0.0.0/99']), (e: unknown) => e instanceof ConfigError && /trustedProxies/.test(e.message));
});

test('X-Forwarded-For: the rightmost hop that is not trusted is the client', () => {
  const t = createTrustedProxyMatcher(['10.0.0.0/8']);
  assert.equal(clientFromForwardedFor('6.6.6.6, 192.0.2.1, 10.0.0.2', t), '192.0.2.1');
  assert.equal(clientFromForwardedFor('192.0.2.1', t), '192.0.2.1');
  assert.equal(clientFromForwardedFor('10.0.0.3,10.0.0.2', t), '10.0.0.3');
  assert.equal(clientFromForwardedFor('[2001:db8::1], 10.0.0.2', t), '2001:db8::1');
});

test('X-Forwarded-For: junk in a hop that must be read makes the list unusable; junk further left does not matter', () => {
  const t = createTrustedProxyMatcher(['10.0.0.0/8']);
  assert.equal(clientFromForwardedFor('192.0.2.1, unknown', t), undefined);
  assert.equal(clientFromForwardedFor('', t), undefined);
  assert.equal(clientFromForwardedFor('junk, 192.0.2.1', t), '192.0.2.1');
  assert.equal(clientFromForwardedFor('1.2.3.4:80', t), undefined);
});

test('a single client address header is a bare IP address or nothing', () => {
  assert.equal(parseClientAddress(' 192.0.2.1 '), '192.0.2.1');
  assert.equal(parseClientAddress('::1'), '::1');
  assert.equal(parseClientAddress('localhost'), undefined);
  assert.equal(parseClientAddress('1.2.3.4, 5.6.7.8'), undefined);
});
