import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeLdapConnections, ldapProviderFactory, type LdapProviderFactory } from '../../providers/ldap/index.js';
import { compileLdapSettings } from '../../providers/ldap/settings.js';
import { rememberUser } from '../../providers/ldap/shared.js';
import { parseAttributePairs } from '../../providers/ldap/require.js';
import { parseRequireLine, type RequireRule } from '../../src/authz/require-parse.js';
import { createEngine, type Engine } from '../../src/engine/decide.js';
import { ConfigError } from '../../src/errors.js';
import type { LdapSettings } from '../../src/config/model.js';
import type { Environ } from '../../src/types.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { freePort, GROUPS, ldapModel, ldapSettings, PASSWORDS, PEOPLE, slapdSkipReason, startSlapd, type LdapLocation, type Slapd } from '../e2e/slapd.js';

const group = (cn: string) => `cn=${cn},${GROUPS}`;
// A file-like provider: knows zed (not in LDAP) and bob (who is in LDAP), with its own passwords.
const backup = {
  check_password: (_e: unknown, user: string, password: string) => (user === 'zed' || user === 'bob' ? password === `${user}-file` : null),
};

const LOCATIONS: Record<string, LdapLocation> = {
  user: { require: 'ldap-user alice bob' },
  dn: { require: `ldap-dn uid=alice,${PEOPLE}` },
  dnSpelled: { require: `ldap-dn "UID=Alice, ou=People,dc=example,dc=com"` },
  staff: { require: `ldap-group ${group('staff')}` },
  admins: { require: `ldap-group ${group('admins')}` },
  devs: { require: `ldap-group ${group('devs')}`, ldap: { groupAttributes: ['memberUid'], groupAttributeIsDN: false } },
  nestTop: { require: `ldap-group ${group('nest-top')}` },
  nestTop2: { require: `ldap-group ${group('nest-top')}`, ldap: { maxSubGroupDepth: 2 } },
  nestTop1: { require: `ldap-group ${group('nest-top')}`, ldap: { maxSubGroupDepth: 1 } },
  nestTop0: { require: `ldap-group ${group('nest-top')}`, ldap: { maxSubGroupDepth: 0 } },
  nestLow0: { require: `ldap-group ${group('nest-low')}`, ldap: { maxSubGroupDepth: 0 } },
  loop: { require: `ldap-group ${group('loop-a')}` },
  noGroup: { require: `ldap-group ${group('no-such-group')}` },
  attr: { require: 'ldap-attribute employeeType=staff' },
  attrQuoted: { require: 'ldap-attribute mail=nobody@example.com employeeType="Full Time"' },
  filter: { require: 'ldap-filter employeeType=contractor' },
  filterOr: { require: 'ldap-filter |(employeeType=contractor)(cn=Carol*)' },
  fileStaff: { providers: ['backup'], require: `ldap-group ${group('staff')}` },
  noUrl: { providers: ['backup'], ldap: null, require: `ldap-group ${group('staff')}` },
  anyOf: { require: ['ldap-user carol', `ldap-group ${group('admins')}`] },
  forbidden: { require: `ldap-group ${group('admins')}`, forbiddenOnFailure: true },
};

describe('Require ldap-* against slapd', { skip: slapdSkipReason() }, () => {
  let slapd: Slapd;
  let factory: LdapProviderFactory;
  let engine: Engine;
  const logger = memoryLogger();

  before(async () => {
    slapd = await startSlapd();
    factory = ldapProviderFactory({ logger });
    const locations = Object.entries(LOCATIONS).map(([path, l]) => ({ ...l, path: `/${path}` }));
    engine = createEngine(ldapModel(slapd.server, locations, factory, { backup }), { logger });
  });
  after(async () => {
    await factory?.close();
    await slapd?.close();
  });

  async function status(path: string, user: string, password = PASSWORDS[user.trim().toLowerCase()] ?? `${user}-file`): Promise<number> {
    const d = await engine.decide({ environ: environ({ REQUEST_URI: `/${path}` }), authorization: basic(user, password), authorizationCount: 1 });
    return d.status;
  }
  async function expect(path: string, cases: Record<string, number>): Promise<void> {
    for (const [user, want] of Object.entries(cases)) assert.equal(await status(path, user), want, `${path} as ${JSON.stringify(user)}`);
  }

  test('ldap-user compares names through the directory, case-insensitively', async () => {
    await expect('user', { alice: 200, bob: 200, ALICE: 200, carol: 401 });
  });

  test('a granting ldap-* rule hands the app AUTHORIZE_<ATTR> (the URL attributes of the entry), never on a refusal', async () => {
    const decide = (path: string, user: string, password: string) =>
      engine.decide({ environ: environ({ REQUEST_URI: `/${path}` }), authorization: basic(user, password), authorizationCount: 1 });
    const granted = await decide('user', 'alice', PASSWORDS.alice!);
    assert.equal(granted.status, 200);
    assert.deepEqual(granted.variables, { AUTHORIZE_UID: 'alice', AUTHORIZE_CN: 'Alice Liddell', AUTHORIZE_MAIL: 'alice@example.com' });
    // A user from another provider is looked up by the URL's filter: the same variables.
    const fromFile = await decide('fileStaff', 'bob', 'bob-file');
    assert.equal(fromFile.status, 200);
    assert.equal(fromFile.variables?.AUTHORIZE_UID, 'bob');
    const refused = await decide('user', 'carol', PASSWORDS.carol!);
    assert.equal(refused.status, 401);
    assert.equal(refused.variables, undefined);
  });

  test('ldap-dn compares the DN as the directory spells it, as a string (real httpd refuses another spelling)', async () => {
    await expect('dn', { alice: 200, bob: 401 });
    await expect('dnSpelled', { alice: 401, bob: 401 });
  });

  test('ldap-group checks member (groupOfNames) and uniqueMember (groupOfUniqueNames)', async () => {
    await expect('staff', { alice: 200, bob: 200, carol: 401 });
    await expect('admins', { alice: 200, bob: 401 });
  });

  test('with AuthLDAPGroupAttributeIsDN off, memberUid is compared with the typed name, case-exactly', async () => {
    await expect('devs', { carol: 200, bob: 200, CAROL: 401, alice: 401 });
  });

  test('nested groups are followed up to AuthLDAPMaxSubGroupDepth levels below the group', async () => {
    await expect('nestTop', { dave: 200, carol: 200, alice: 401 });
    await expect('nestTop2', { dave: 200 });
    await expect('nestTop1', { dave: 401, carol: 200 });
    await expect('nestTop0', { dave: 401, carol: 200 });
    await expect('nestLow0', { dave: 200 });
  });

  test('groups that contain each other end the search', async () => {
    await expect('loop', { eve: 200, alice: 401 });
  });

  test('a group that does not exist grants nobody', async () => {
    await expect('noGroup', { alice: 401 });
  });

  test('ldap-attribute compares attributes of the entry; quoted values may hold spaces', async () => {
    await expect('attr', { alice: 200, bob: 401 });
    await expect('attrQuoted', { alice: 200, bob: 401 });
  });

  test('ldap-filter searches (&(F)(uid=USER)), F written without its outer parentheses (mod_authnz_ldap adds them)', async () => {
    await expect('filter', { bob: 200, alice: 401 });
    await expect('filterOr', { bob: 200, carol: 200, alice: 401 });
  });

  test('an ldap-filter written with outer parentheses is refused at start-up, saying how to write it (httpd denies everyone with it)', () => {
    assert.throws(() => parseRequireLine('ldap-filter (|(employeeType=contractor)(cn=Carol*))'), /without its outer parentheses, as mod_authnz_ldap wraps it itself \(\|\(employeeType=contractor\)\(cn=Carol\*\), not/);
    assert.throws(() => parseRequireLine('ldap-filter (mail=*)'), ConfigError);
  });

  test('a user from another provider is looked up by the URL filter; not in LDAP is denied', async () => {
    assert.equal(await status('fileStaff', 'bob', 'bob-file'), 200);
    assert.equal(await status('fileStaff', 'zed', 'zed-file'), 401);
  });

  test('without an AuthLDAPURL an ldap-* rule denies (and logs), it never grants', async () => {
    logger.lines.length = 0;
    assert.equal(await status('noUrl', 'bob', 'bob-file'), 401);
    assert.ok(logger.lines.some((l) => l.level === 'error'));
  });

  test('ldap rules combine with others: any of several lines grants', async () => {
    await expect('anyOf', { carol: 200, alice: 200, bob: 401 });
  });

  test('AuthzSendForbiddenOnFailure turns the refusal into 403', async () => {
    await expect('forbidden', { bob: 403, alice: 200 });
  });

  test('no password reaches the log', async () => {
    assert.ok(!logger.text().includes('-pw'));
    assert.ok(!logger.text().includes('search-secret'));
  });
});

describe('Require ldap-* arguments', () => {
  test('ldap-attribute needs name=value pairs', () => {
    assert.deepEqual(parseAttributePairs(['a=b', 'c="d', 'e"', "f='g'"], undefined), [
      ['a', 'b'],
      ['c', 'd e'],
      ['f', 'g'],
    ]);
    assert.throws(() => parseRequireLine('ldap-attribute employeeType'), ConfigError);
    assert.throws(() => parseRequireLine('ldap-attribute =x'), ConfigError);
  });

  test('a bad ldap-filter, or a rule without arguments, is refused at start-up', () => {
    assert.throws(() => parseRequireLine('ldap-filter (cn=(x'), ConfigError);
    for (const name of ['ldap-user', 'ldap-dn', 'ldap-group', 'ldap-attribute', 'ldap-filter']) {
      assert.throws(() => parseRequireLine(name), ConfigError, name);
    }
  });
});

describe('the user the provider authenticated', () => {
  const ctx = (env: Environ, user: string, ldap: LdapSettings) => ({
    environ: env,
    user,
    method: 'GET',
    remoteAddr: '127.0.0.1',
    env: {},
    ldap,
    groups: async () => ({ outcome: 'groups' as const, groups: [] }),
  });

  test('is reused by the rules of the same request, without another look-up', async () => {
    const port = await freePort();
    // Nothing listens there: any LDAP traffic would fail.
    const settings = ldapSettings(`ldap://127.0.0.1:${port}`, { timeoutMs: 300 });
    const env = environ();
    rememberUser(env, { key: compileLdapSettings(settings).key, typed: 'alice', user: 'alice', dn: `uid=alice,${PEOPLE}`, attributes: {} });
    const rule = parseRequireLine(`ldap-dn uid=alice,${PEOPLE}`) as RequireRule;
    assert.equal(await rule.check(ctx(env, 'alice', settings)), 'granted');
    // Another request, or another user, or other settings: looked up again (and here the
    // unreachable directory makes it a general error, never a grant).
    assert.equal(await rule.check(ctx(environ(), 'alice', settings)), 'error');
    assert.equal(await rule.check(ctx(env, 'bob', settings)), 'error');
    assert.equal(await rule.check(ctx(env, 'alice', { ...settings, remoteUserAttribute: 'mail' })), 'error');
    await closeLdapConnections();
  });
});
