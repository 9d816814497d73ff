import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  UnavailableError,
  BusyError,
} from 'ldapts';
import { createLdapProvider, ldapProviderFactory, type LdapProviderFactory } from '../../providers/ldap/index.js';
import { classifyUserBind } from '../../providers/ldap/connection.js';
import { createEngine } from '../../src/engine/decide.js';
import { ProviderUnavailableError } from '../../src/errors.js';
import type { LdapSettings } from '../../src/config/model.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { freePort, GROUPS, ldapModel, ldapSettings, PASSWORDS, slapdSkipReason, startHangingServer, startSlapd, tlsSkipReason, type Slapd } from '../e2e/slapd.js';

const isUnavailable = (e: unknown) => (e as { code?: unknown }).code === ProviderUnavailableError.code;

async function rejectsUnavailable(settings: LdapSettings, user = 'alice', password = PASSWORDS.alice!): Promise<number> {
  const p = createLdapProvider(settings);
  const t0 = Date.now();
  try {
    await assert.rejects(p.check_password(environ(), user, password), isUnavailable);
    return Date.now() - t0;
  } finally {
    await p.close();
  }
}

test('a refused or locked bind denies; a vanished entry is not found; anything else is an error', () => {
  assert.equal(classifyUserBind(new InvalidCredentialsError()), 'denied');
  assert.equal(classifyUserBind(new ConstraintViolationError()), 'denied');
  assert.equal(classifyUserBind(new InsufficientAccessError()), 'denied');
  assert.equal(classifyUserBind(new NoSuchObjectError()), 'gone');
  assert.equal(classifyUserBind(new UnavailableError()), 'error');
  assert.equal(classifyUserBind(new BusyError()), 'error');
  assert.equal(classifyUserBind(new Error('ECONNRESET')), 'error');
});

test('connection refused is a ProviderUnavailableError, and a 503 from the engine', async () => {
  const port = await freePort();
  await rejectsUnavailable(ldapSettings(`ldap://127.0.0.1:${port}`));
  const factory = ldapProviderFactory();
  const logger = memoryLogger();
  try {
    const engine = createEngine(ldapModel(`ldap://127.0.0.1:${port}`, [{ require: 'valid-user' }], factory), { logger });
    const d = await engine.decide({ environ: environ(), authorization: basic('alice', PASSWORDS.alice!), authorizationCount: 1 });
    assert.equal(d.status, 503);
    assert.equal(d.user, null);
    assert.ok(logger.lines.some((l) => l.level === 'error' && l.fields.code === ProviderUnavailableError.code));
    assert.ok(!logger.text().includes(PASSWORDS.alice!));
  } finally {
    await factory.close();
  }
});

test('a server that accepts and never answers costs the time limit, not minutes', async () => {
  const hung = await startHangingServer();
  try {
    const ms = await rejectsUnavailable(ldapSettings(`ldap://127.0.0.1:${hung.port}`, { timeoutMs: 300 }));
    assert.ok(ms < 2000, `${ms} ms`);
    const anonymous = await rejectsUnavailable(ldapSettings(`ldap://127.0.0.1:${hung.port}`, { timeoutMs: 300, bindDN: null, bindPassword: null }));
    assert.ok(anonymous < 2000, `${anonymous} ms`);
  } finally {
    await hung.close();
  }
});

test('a hung STARTTLS is cut off by the time limit too', async () => {
  const hung = await startHangingServer();
  try {
    const ms = await rejectsUnavailable(ldapSettings(`ldap://127.0.0.1:${hung.port}`, { timeoutMs: 300, startTls: true }));
    assert.ok(ms < 2000, `${ms} ms`);
  } finally {
    await hung.close();
  }
});

describe('faults against slapd', { skip: slapdSkipReason() }, () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd();
  });
  after(async () => {
    await slapd?.close();
  });

  test("the search account's own bind failing is a 503, never a denial", async () => {
    await rejectsUnavailable(ldapSettings(slapd.server, { bindPassword: 'wrong' }));
    await rejectsUnavailable(ldapSettings(slapd.server, { bindDN: 'cn=nobody,dc=example,dc=com' }));
  });

  test('the hosts of the URL are tried in order: a dead first host fails over to the next', async () => {
    const dead = await freePort();
    const url = `ldap://127.0.0.1:${dead} 127.0.0.1:${slapd.port}`;
    const p = createLdapProvider(ldapSettings(url));
    try {
      assert.equal(typeof (await p.check_password(environ(), 'alice', PASSWORDS.alice!)), 'object');
    } finally {
      await p.close();
    }
  });

  test('STARTTLS refused by the server, or ldaps:// to a plain port, is a 503', async () => {
    await rejectsUnavailable(ldapSettings(slapd.server, { startTls: true }));
    await rejectsUnavailable(ldapSettings(slapd.server.replace('ldap:', 'ldaps:'), { verifyServerCert: false }));
  });

  test('server down → 503 (never a grant, also in Require ldap-* rules); back on the same port → served again without a restart', async () => {
    const factory = ldapProviderFactory({ logger: memoryLogger() });
    const backup = { check_password: (_e: unknown, u: string, p: string) => (u === 'zed' ? p === 'zed-file' : null) };
    const model = ldapModel(
      slapd.server,
      [
        { path: '/app', require: 'valid-user' },
        { path: '/staff', providers: ['backup'], require: `ldap-group cn=staff,${GROUPS}` },
        { path: '/not-staff', providers: ['backup'], require: { all: ['valid-user', `not ldap-group cn=staff,${GROUPS}`] } },
      ],
      factory,
      { backup },
    );
    const engine = createEngine(model, { logger: memoryLogger() });
    const ask = async (path: string, user: string, password: string) =>
      (await engine.decide({ environ: environ({ REQUEST_URI: path }), authorization: basic(user, password), authorizationCount: 1 })).status;
    try {
      assert.equal(await ask('/app', 'alice', PASSWORDS.alice!), 200);
      assert.equal(await ask('/not-staff', 'zed', 'zed-file'), 200);
      await slapd.stop();
      for (let i = 0; i < 3; i++) {
        assert.equal(await ask('/app', 'alice', PASSWORDS.alice!), 503);
        assert.equal(await ask('/app', 'alice', 'wrong'), 503);
      }
      // A Require ldap-* rule that cannot reach the directory is a general error: 503, and
      // never a grant, not even under `not` (where a denial would become neutral).
      assert.equal(await ask('/staff', 'zed', 'zed-file'), 503);
      assert.equal(await ask('/not-staff', 'zed', 'zed-file'), 503);
      await slapd.start();
      assert.equal(await ask('/app', 'alice', PASSWORDS.alice!), 200);
      assert.equal(await ask('/app', 'alice', 'wrong'), 401);
      assert.equal(await ask('/not-staff', 'zed', 'zed-file'), 200);
    } finally {
      await slapd.start();
      await factory.close();
    }
  });

  test('a stand-alone provider recovers as well', async () => {
    const p = createLdapProvider(ldapSettings(slapd.server, { timeoutMs: 500 }));
    try {
      assert.equal(typeof (await p.check_password(environ(), 'bob', PASSWORDS.bob!)), 'object');
      await slapd.stop();
      await assert.rejects(p.check_password(environ(), 'bob', PASSWORDS.bob!), isUnavailable);
      await slapd.start();
      assert.equal(typeof (await p.check_password(environ(), 'bob', PASSWORDS.bob!)), 'object');
    } finally {
      await slapd.start();
      await p.close();
    }
  });
});

describe('closing', () => {
  test('a closed provider refuses new work with 503, it does not hang', async () => {
    const port = await freePort();
    const p = createLdapProvider(ldapSettings(`ldap://127.0.0.1:${port}`));
    await p.close();
    await assert.rejects(p.check_password(environ(), 'alice', 'x'), isUnavailable);
  });

  test('the factory close() can be called twice', async () => {
    const f: LdapProviderFactory = ldapProviderFactory();
    await f.close();
    await f.close();
  });
});

describe('TLS against slapd', { skip: tlsSkipReason() }, () => {
  let slapd: Slapd;
  before(async () => {
    slapd = await startSlapd({ tls: true });
  });
  after(async () => {
    await slapd?.close();
  });
  const logsIn = async (settings: LdapSettings) => {
    const p = createLdapProvider(settings);
    try {
      assert.equal(typeof (await p.check_password(environ(), 'alice', PASSWORDS.alice!)), 'object');
      assert.equal(await p.check_password(environ(), 'alice', 'wrong'), false);
    } finally {
      await p.close();
    }
  };

  test('ldaps:// and STARTTLS work with LDAPTrustedGlobalCert', async () => {
    await logsIn(ldapSettings(slapd.tlsServer!, { trustedCert: slapd.caFile }));
    await logsIn(ldapSettings(slapd.server, { trustedCert: slapd.caFile, startTls: true }));
  });

  test('an untrusted certificate is a 503 unless LDAPVerifyServerCert is off', async () => {
    await rejectsUnavailable(ldapSettings(slapd.tlsServer!));
    await rejectsUnavailable(ldapSettings(slapd.server, { startTls: true }));
    await logsIn(ldapSettings(slapd.tlsServer!, { verifyServerCert: false }));
  });
});
