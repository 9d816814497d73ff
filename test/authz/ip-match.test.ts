import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileIpMatcher } from '../../src/authz/ip-match.js';
import { ConfigError } from '../../src/errors.js';

function rejects(arg: string): void {
  assert.throws(
    () => compileIpMatcher([arg], 'locations.0.require'),
    (err: unknown) => err instanceof ConfigError && err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && err.message.includes(`"${arg}"`),
  );
}

describe('compileIpMatcher: IPv4', () => {
  it('a full address matches only itself', () => {
    const match = compileIpMatcher(['192.0.2.10']);
    assert.equal(match('192.0.2.10'), true);
    assert.equal(match('192.0.2.11'), false);
  });

  it('a CIDR network matches the addresses inside it', () => {
    const match = compileIpMatcher(['10.0.0.0/8']);
    assert.equal(match('10.255.1.2'), true);
    assert.equal(match('11.0.0.1'), false);
  });

  it('a dotted netmask works like the prefix length', () => {
    const match = compileIpMatcher(['172.16.0.0/255.240.0.0']);
    assert.equal(match('172.31.255.255'), true);
    assert.equal(match('172.32.0.0'), false);
  });

  it('a partial address is a network of its octets, as Apache reads "10.1"', () => {
    const match = compileIpMatcher(['10.1']);
    assert.equal(match('10.1.200.3'), true);
    assert.equal(match('10.2.0.1'), false);
    assert.equal(compileIpMatcher(['10.1.'])('10.1.0.9'), true);
  });

  it('host bits beyond the mask are ignored', () => {
    assert.equal(compileIpMatcher(['10.9.9.9/8'])('10.0.0.1'), true);
  });

  it('a /32 and a high address (top bit set) compare correctly', () => {
    assert.equal(compileIpMatcher(['255.255.255.254/32'])('255.255.255.254'), true);
    assert.equal(compileIpMatcher(['200.0.0.0/1'])('128.0.0.1'), true);
    assert.equal(compileIpMatcher(['200.0.0.0/1'])('127.0.0.1'), false);
  });

  it('an IPv4-mapped IPv6 client matches an IPv4 rule', () => {
    const match = compileIpMatcher(['127.0.0.1']);
    assert.equal(match('::ffff:127.0.0.1'), true);
    assert.equal(match('::FFFF:7f00:1'), true);
    assert.equal(match('::ffff:127.0.0.2'), false);
  });

  it('any one of several rules is enough', () => {
    const match = compileIpMatcher(['10.0.0.0/8', '192.168.0.0/16', '::1']);
    assert.equal(match('192.168.4.4'), true);
    assert.equal(match('::1'), true);
    assert.equal(match('8.8.8.8'), false);
  });
});

describe('compileIpMatcher: IPv6', () => {
  it('a full address matches itself in any spelling', () => {
    const match = compileIpMatcher(['::1']);
    assert.equal(match('::1'), true);
    assert.equal(match('0:0:0:0:0:0:0:1'), true);
    assert.equal(match('::2'), false);
  });

  it('a CIDR network matches the addresses inside it', () => {
    const match = compileIpMatcher(['2001:db8::/32']);
    assert.equal(match('2001:db8:1234::42'), true);
    assert.equal(match('2001:0DB8:ffff:ffff:ffff:ffff:ffff:ffff'), true);
    assert.equal(match('2001:db9::1'), false);
  });

  it('a prefix that is not on a 32-bit boundary is honoured', () => {
    const match = compileIpMatcher(['fe80::/10']);
    assert.equal(match('febf::1'), true);
    assert.equal(match('fec0::1'), false);
  });

  it('a zone index on the client address is ignored', () => {
    assert.equal(compileIpMatcher(['fe80::/10'])('fe80::1%eth0'), true);
  });

  it('an IPv4 client does not match an IPv6 rule, nor a native IPv6 client an IPv4 rule', () => {
    assert.equal(compileIpMatcher(['::/1'])('10.0.0.1'), false);
    assert.equal(compileIpMatcher(['0.0.0.0/1'])('::1'), false);
  });
});

describe('compileIpMatcher: bad input', () => {
  it('a prefix length past the family size is a config error naming it', () => {
    rejects('10.0.0.0/33');
    rejects('2001:db8::/129');
  });

  it('an octet above 255 is a config error', () => {
    rejects('300.1.1.1');
  });

  it('something that is not an address is a config error', () => {
    rejects('abc');
    rejects('');
    rejects('10.0.0.0/');
    rejects('10.0.0.0/0');
    rejects('10.0.0.0/255.0.0');
    rejects('10.1/8');
    rejects('1.2.3.4.5');
    rejects('2001:db8::/255.0.0.0');
    rejects('1:2:3:4:5:6:7:8:9');
    rejects('1::2::3');
  });

  it('an IPv4-mapped IPv6 rule is refused, as APR does', () => {
    rejects('::ffff:10.0.0.1');
  });

  it('no arguments at all is a config error', () => {
    assert.throws(() => compileIpMatcher([]), { code: 'AUTHHOOK_ERR_CONFIG_INVALID' });
  });

  it('an address that cannot be parsed at match time simply does not match', () => {
    const match = compileIpMatcher(['0.0.0.0/1', '::/1']);
    for (const addr of ['', 'localhost', '1.2.3', '01.2.3.4', '1.2.3.256', ':::', '::1::', '1:2', 'g::1']) {
      assert.equal(match(addr), false, addr);
    }
  });
});
