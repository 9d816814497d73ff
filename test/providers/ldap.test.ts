import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createLdapProvider,
  escapeDnValue,
  escapeFilterValue,
  ldapProviderFactory,
  parseLdapUrl,
  type LdapProvider,
  type LdapProviderFactory,
} from '../../providers/ldap/index.js';
import { createEngine, type Engine } from '../../src/engine/decide.js';
import type { Environ } from '../../src/types.js';
import { compileLdapSettings } from '../../providers/ldap/settings.js';
import { ConfigError } from '../../src/errors.js';
import { basic, environ } from '../helpers/index.js';
import { ldapModel, ldapSettings, PASSWORDS, PEOPLE, SUFFIX, slapdSkipReason, startHangingServer, startSlapd, type Slapd } from '../e2e/slapd.js';

describe('LDAP escaping', () => {
  test('filter metacharacters and NUL are hex-escaped (RFC 4515)', () => {
    assert.equal(escapeFilterValue('*'), '\\2a');
    assert.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
    assert.equal(escapeFilterValue('a\\b'), 'a\\5cb');
    assert.equal(escapeFilterValue('x\u0000y'), 'x\\00y');
  });

  test('ordinary and non-ASCII text goes through unchanged', () => {
    assert.equal(escapeFilterValue('alice'), 'alice');
    assert.equal(escapeFilterValue('Jörg Ñ'), 'Jörg Ñ');
  });

  test('DN values escape specials, a leading # or space and a trailing space (RFC 4514)', () => {
    assert.equal(escapeDnValue('Smith, John'), 'Smith\\, John');
    assert.equal(escapeDnValue('a+b=c<d>;"e"\\'), 'a\\+b\\=c\\<d\\>\\;\\"e\\"\\\\');
    assert.equal(escapeDnValue('#x'), '\\#x');
    assert.equal(escapeDnValue(' x '), '\\ x\\ ');
    assert.equal(escapeDnValue('a\\ '), 'a\\\\\\ ', 'a space after a backslash is still the trailing space');
    assert.equal(escapeDnValue(' '), '\\ ');
    assert.equal(escapeDnValue('  '), '\\ \\ ');
    assert.equal(escapeDnValue('n\u0000l'), 'n\\00l');
  });
});

describe('AuthLDAPURL', () => {
  test('defaults are uid, sub and (objectClass=*), port 389 or 636', () => {
    const u = parseLdapUrl('ldap://ldap.example.com/dc=example,dc=com');
    assert.deepEqual([u.hosts, u.attributes, u.scope, u.filter, u.secure], [[{ host: 'ldap.example.com', port: 389 }], ['uid'], 'sub', '(objectClass=*)', false]);
    assert.deepEqual(parseLdapUrl('ldaps://h/o=x').hosts, [{ host: 'h', port: 636 }]);
  });

  test('attributes, scope and filter are read and percent-decoded', () => {
    const u = parseLdapUrl('ldap://h:1389/ou=My%20People,dc=x?mail,cn?one?(&(objectClass=person)(cn=A%2aB))');
    assert.equal(u.base, 'ou=My People,dc=x');
    assert.deepEqual(u.attributes, ['mail', 'cn']);
    assert.equal(u.scope, 'one');
    assert.equal(u.filter, '(&(objectClass=person)(cn=A*B))');
  });

  test('a filter without parentheses is wrapped; several hosts are kept in order', () => {
    const u = parseLdapUrl('ldap://a:1 [::1]:2/dc=x?uid??objectClass=person');
    assert.equal(u.filter, '(objectClass=person)');
    assert.deepEqual(u.hosts, [{ host: 'a', port: 1 }, { host: '::1', port: 2 }]);
  });

  test('unusable URLs are configuration errors', () => {
    for (const bad of ['http://h/dc=x', 'ldap://h/dc=x?uid?tree', 'ldap://h/dc=x?u;x', 'ldap://h/dc=x?uid?sub?(cn=(', 'ldap://h/dc=x?uid?sub??!e', 'ldap://h/%zz']) {
      assert.throws(() => parseLdapUrl(bad), (e: unknown) => e instanceof ConfigError, bad);
    }
  });

  test('STARTTLS with ldaps://, or a bind DN without a password, is refused at start-up', () => {
    assert.throws(() => compileLdapSettings(ldapSettings('ldaps://h', { startTls: true })), ConfigError);
    assert.throws(() => compileLdapSettings(ldapSettings('ldap://h', { bindPassword: '' })), ConfigError);
    assert.throws(() => compileLdapSettings(ldapSettings('ldap://h', { maxSubGroupDepth: -1 })), ConfigError);
  });
});

test('an empty password is refused before any LDAP traffic', async () => {
  const hung = await startHangingServer();
  const p = createLdapProvider(ldapSettings(`ldap://127.0.0.1:${hung.port}`));
  try {
    assert.equal(await p.check_password(environ(), 'alice', ''), false);
    assert.equal(hung.connections(), 0);
  } finally {
    await p.close();
    await hung.close();
  }
});

describe('search-then-bind against slapd', { skip: slapdSkipReason() }, () => {
  let slapd: Slapd;
  let ldap: LdapProvider;
  const check = (user: string, password: string) => ldap.check_password(environ(), user, password);

  before(async () => {
    slapd = await startSlapd();
    ldap = createLdapProvider(ldapSettings(slapd.server));
  });
  after(async () => {
    await ldap?.close();
    await slapd?.close();
  });

  test('the right password grants, with the URL attributes as facts', async () => {
    assert.deepEqual(await check('alice', PASSWORDS.alice!), { attributes: { uid: 'alice', cn: 'Alice Liddell', mail: 'alice@example.com' } });
  });

  test('a wrong password denies', async () => {
    assert.equal(await check('alice', 'nope'), false);
    assert.equal(await check('alice', PASSWORDS.bob!), false);
  });

  test('an entry without a password is denied, whatever is sent', async () => {
    assert.equal(await check('frank', 'anything'), false);
  });

  test('an unknown user is not found', async () => {
    assert.equal(await check('mallory', 'x'), null);
  });

  test('two entries with the same uid are "not found", never a grant', async () => {
    assert.equal(await check('twin', PASSWORDS.twin!), null);
  });

  test('hostile user names find nobody, even with a real password', async () => {
    const hostile = ['*', 'al*', '*)(uid=*', ')(', '*)(|(uid=*', 'alice)(uid=*', 'alice\u0000', '\u0000', 'a'.repeat(10 * 1024), '\\2a', 'st*', '*r'];
    for (const name of hostile) {
      for (const pw of [PASSWORDS.alice!, PASSWORDS['st*r']!]) assert.equal(await check(name, pw), null, JSON.stringify(name.slice(0, 20)));
    }
  });

  test('real uids holding *, )( or a space log in', async () => {
    for (const name of ['st*r', 'paren)(user', 'space man']) {
      const r = await check(name, PASSWORDS[name]!);
      assert.equal(typeof r, 'object', name);
      assert.equal((r as { attributes: Record<string, string> }).attributes.uid, name);
    }
  });

  test('the directory matches case- and space-insensitively; the typed name is kept', async () => {
    for (const typed of ['ALICE', ' alice', 'Alice ']) {
      const r = await check(typed, PASSWORDS.alice!);
      assert.ok(r !== null && typeof r === 'object' && !('user' in r), typed);
    }
  });

  test('AuthLDAPRemoteUserAttribute makes that attribute the user', async () => {
    const p = createLdapProvider(ldapSettings(slapd.server, { remoteUserAttribute: 'mail' }));
    try {
      assert.deepEqual(await p.check_password(environ(), 'ALICE', PASSWORDS.alice!), {
        user: 'alice@example.com',
        attributes: { uid: 'alice', cn: 'Alice Liddell', mail: 'alice@example.com' },
      });
    } finally {
      await p.close();
    }
  });

  test('an entry without the AuthLDAPRemoteUserAttribute is a fault, never the name as typed (httpd: 500)', async () => {
    const p = createLdapProvider(ldapSettings(slapd.server, { remoteUserAttribute: 'mail' }));
    try {
      await assert.rejects(async () => p.check_password(environ(), 'dave', PASSWORDS.dave!), /AuthLDAPRemoteUserAttribute mail is absent/);
    } finally {
      await p.close();
    }
  });

  test('a URL attribute the entry lacks is an empty attribute (AUTHENTICATE_MAIL="" under httpd)', async () => {
    assert.deepEqual(await check('dave', PASSWORDS.dave!), { attributes: { uid: 'dave', cn: 'Dave Bowman', mail: '' } });
  });

  test('an anonymous search works when no bind DN is set', async () => {
    const p = createLdapProvider(ldapSettings(slapd.server, { bindDN: null, bindPassword: null }));
    try {
      assert.equal(typeof (await p.check_password(environ(), 'bob', PASSWORDS.bob!)), 'object');
      assert.equal(await p.check_password(environ(), 'bob', 'x'), false);
    } finally {
      await p.close();
    }
  });

  test('scope and filter of the URL limit who is found', async () => {
    const base = createLdapProvider(ldapSettings(slapd.server, {}, `/${PEOPLE}?uid?base`));
    const filtered = createLdapProvider(ldapSettings(slapd.server, {}, `/${PEOPLE}?uid?sub?(employeeType=staff)`));
    try {
      assert.equal(await base.check_password(environ(), 'alice', PASSWORDS.alice!), null);
      assert.equal(typeof (await filtered.check_password(environ(), 'alice', PASSWORDS.alice!)), 'object');
      assert.equal(await filtered.check_password(environ(), 'bob', PASSWORDS.bob!), null);
    } finally {
      await base.close();
      await filtered.close();
    }
  });

  test("user binds never change the search connection's identity", async () => {
    // ghost is visible to cn=search only; interleaved user binds must not make it vanish.
    const p = createLdapProvider(ldapSettings(slapd.server, {}, `/${SUFFIX}?uid`), { poolSize: 1 });
    try {
      const names = ['alice', 'ghost', 'bob', 'ghost', 'carol', 'ghost'];
      for (const [i, n] of names.entries()) assert.equal(typeof (await p.check_password(environ(), n, PASSWORDS[n]!)), 'object', `${i} ${n}`);
      assert.equal(await p.check_password(environ(), 'alice', 'wrong'), false);
      assert.equal(typeof (await p.check_password(environ(), 'ghost', PASSWORDS.ghost!)), 'object');
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => {
          const n = names[i % names.length]!;
          return p.check_password(environ(), n, i % 7 === 0 ? 'wrong' : PASSWORDS[n]!).then((r) => [i, r] as const);
        }),
      );
      for (const [i, r] of results) assert.equal(i % 7 === 0 ? r === false : typeof r === 'object', true, String(i));
    } finally {
      await p.close();
    }
  });

  test('connections idle past the limit are replaced, and logins go on', async () => {
    let now = 1_000_000;
    const p = createLdapProvider(ldapSettings(slapd.server), { now: () => now, poolSize: 1 });
    try {
      assert.equal(typeof (await p.check_password(environ(), 'alice', PASSWORDS.alice!)), 'object');
      now += 10 * 60_000;
      assert.equal(typeof (await p.check_password(environ(), 'bob', PASSWORDS.bob!)), 'object');
      assert.equal(await p.check_password(environ(), 'bob', 'wrong'), false);
    } finally {
      await p.close();
    }
  });

  test('an anonymous search does not see what only the search account may', async () => {
    const p = createLdapProvider(ldapSettings(slapd.server, { bindDN: null, bindPassword: null }, `/${SUFFIX}?uid`));
    try {
      assert.equal(await p.check_password(environ(), 'ghost', PASSWORDS.ghost!), null);
    } finally {
      await p.close();
    }
  });
});

describe('AuthBasicProvider ldap in a chain', { skip: slapdSkipReason() }, () => {
  let slapd: Slapd;
  let factory: LdapProviderFactory;
  let engine: Engine;
  const backupAsked: string[] = [];
  const backup = {
    check_password(_e: Environ, user: string, password: string) {
      backupAsked.push(user);
      return user === 'zed' ? password === 'zed-pw' : null;
    },
  };
  const login = (user: string, password: string) =>
    engine.decide({ environ: environ({ REQUEST_URI: '/app' }), authorization: basic(user, password), authorizationCount: 1 });

  before(async () => {
    slapd = await startSlapd();
    factory = ldapProviderFactory();
    engine = createEngine(ldapModel(slapd.server, [{ providers: ['ldap', 'backup'], require: 'valid-user' }], factory, { backup }));
  });
  after(async () => {
    await factory?.close();
    await slapd?.close();
  });

  test('a user LDAP does not know falls through to the next provider', async () => {
    backupAsked.length = 0;
    assert.equal((await login('zed', 'zed-pw')).status, 200);
    assert.equal((await login('zed', 'nope')).status, 401);
    assert.deepEqual(backupAsked, ['zed', 'zed']);
  });

  test('a wrong LDAP password stops the chain with 401', async () => {
    backupAsked.length = 0;
    assert.equal((await login('alice', 'nope')).status, 401);
    assert.deepEqual(backupAsked, []);
  });

  test('a grant carries the typed name and the URL attributes', async () => {
    const d = await login('ALICE', PASSWORDS.alice!);
    assert.equal(d.status, 200);
    assert.equal(d.user, 'ALICE');
    assert.deepEqual(d.attributes, { uid: 'alice', cn: 'Alice Liddell', mail: 'alice@example.com' });
  });

  test('an empty password is a 401 and never reaches the next provider', async () => {
    backupAsked.length = 0;
    assert.equal((await login('alice', '')).status, 401);
    assert.deepEqual(backupAsked, []);
  });

  test('one provider per distinct settings; different settings get their own', () => {
    const a = factory(ldapSettings(slapd.server));
    assert.equal(factory(ldapSettings(slapd.server)), a);
    assert.notEqual(factory(ldapSettings(slapd.server, { remoteUserAttribute: 'mail' })), a);
  });
});
