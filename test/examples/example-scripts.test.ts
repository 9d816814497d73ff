// The example hook scripts are what users copy: a name that is a property of every JavaScript
// object ("constructor", "__proto__", …) must be nobody, with any password, in every hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../helpers/index.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const SCRIPTS = readdirSync(EXAMPLES).map((d) => `${EXAMPLES}${d}/auth.ts`).filter(existsSync);
const FIXTURE = fileURLToPath(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url));
const BENCH = fileURLToPath(new URL('../../bench/middleware/auth.ts', import.meta.url));
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__'];
const PASSWORDS = ['undefined', 'function Object() { [native code] }', '', 'x'];
const ENV = { 'authhook.digest_algorithm': 'MD5' };

type Hooks = {
  check_password?: (e: unknown, u: string, p: string) => unknown;
  get_realm_hash?: (e: unknown, u: string, r: string) => unknown;
  groups_for_user?: (e: unknown, u: string) => unknown;
};

test('every example script has hooks to check', () => {
  assert.ok(SCRIPTS.length >= 5, SCRIPTS.join(', '));
});

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const short = (script: string): string => relative(ROOT, script);

for (const script of [...SCRIPTS, FIXTURE, BENCH]) {
  test(`${short(script)}: a prototype name is an unknown user in every hook`, async () => {
    const m = (await import(script)) as Hooks;
    for (const user of PROTOTYPE_NAMES) {
      for (const password of PASSWORDS) {
        if (m.check_password) assert.ok([null, false].includes(m.check_password(ENV, user, password) as never), `check_password ${user}/${password}`);
      }
      if (m.get_realm_hash) assert.equal(m.get_realm_hash(ENV, user, 'Realm') ?? null, null, `get_realm_hash ${user}`);
      if (m.groups_for_user) assert.deepEqual([...((m.groups_for_user(ENV, user) as Iterable<string>) ?? [])], [], `groups_for_user ${user}`);
    }
  });
}

// Each script's own users, as listed in it: [user, password, what check_password grants, groups_for_user].
type RealUser = readonly [user: string, password: string, grant: unknown, groups: readonly string[]];
const facts = (groups: string[], name: string, email: string) => ({ groups, attributes: { name, email } });
const REAL_USERS: Record<string, readonly RealUser[]> = {
  [`${EXAMPLES}apache-external/auth.ts`]: [['alice', 'wonderland', true, ['Staff']], ['bob', 'builder', true, []], ['zoë', 'pä:ss wörd', true, ['Domain Users']]],
  [`${EXAMPLES}apache-migration/auth.ts`]: [['carol', 'contract', true, ['wiki-admins']], ['dave', 'dave-secret', true, []]],
  [`${EXAMPLES}gateway/auth.ts`]: [['alice', 'wonderland', true, ['admins', 'staff']], ['bob', 'builder', true, ['staff']]],
  [`${EXAMPLES}nginx/auth.ts`]: [
    ['alice', 'wonderland', facts(['admins', 'staff'], 'Alice Liddell', 'alice@example.org'), ['admins', 'staff']],
    ['bob', 'builder', facts(['staff'], 'Bob Builder', 'bob@example.org'), ['staff']],
  ],
  [`${EXAMPLES}quickstart/auth.ts`]: [['alice', 'wonderland', true, ['staff']], ['bob', 'builder', true, []]],
  [`${EXAMPLES}traefik-caddy/auth.ts`]: [
    ['alice', 'wonderland', facts(['admins', 'staff'], 'Alice Liddell', 'alice@example.org'), ['admins', 'staff']],
    ['bob', 'builder', facts(['staff'], 'Bob Builder', 'bob@example.org'), ['staff']],
  ],
  [FIXTURE]: [['spy', 'secret', true, ['secret-agents']], ['citizen', 'secret', true, []], ['witness', 'secret', 'protected', []]],
  [BENCH]: [['alice', 'wonderland', true, []]],
};

test('every example script has its real users listed here', () => {
  assert.deepEqual(SCRIPTS.filter((s) => !(s in REAL_USERS)), []);
});

for (const [script, users] of Object.entries(REAL_USERS)) {
  test(`${short(script)}: the listed users log in with their password, a wrong one is refused, Digest hashes and groups are theirs`, async () => {
    const m = (await import(script)) as Hooks;
    for (const [user, password, grant, groups] of users) {
      assert.deepEqual(m.check_password!(ENV, user, password), grant, `${user}: right password`);
      for (const wrong of ['', `${password}x`, password.slice(0, -1), password.toUpperCase(), 'undefined']) {
        assert.equal(m.check_password!(ENV, user, wrong), false, `${user}: wrong password ${JSON.stringify(wrong)}`);
      }
      if (m.get_realm_hash) {
        const realm = 'Some Realm';
        assert.equal(m.get_realm_hash(ENV, user, realm), createHash('md5').update(`${user}:${realm}:${password}`).digest('hex'), `${user}: MD5 realm hash`);
        const sha = { 'authhook.digest_algorithm': 'SHA-256' };
        assert.equal(m.get_realm_hash(sha, user, realm), createHash('sha256').update(`${user}:${realm}:${password}`).digest('hex'), `${user}: SHA-256 realm hash`);
      }
      if (m.groups_for_user) assert.deepEqual([...(m.groups_for_user(ENV, user) as Iterable<string>)], groups, `${user}: groups`);
    }
  });
}

test('the gateway example serves its admin page at /admin and under it only, not at /adminx or /admin.txt', async () => {
  const app = ((await import(`${EXAMPLES}gateway/notes.ts`)) as { default: Parameters<typeof createServer>[0] }).default;
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const path of ['/admin', '/admin/', '/admin/x?y=1']) assert.match((await rawRequest(port, path)).body, /"admin":true/, path);
    for (const path of ['/adminx', '/admin.txt', '/admin;x', '/administrator']) assert.doesNotMatch((await rawRequest(port, path)).body, /"admin":true/, path);
  } finally {
    server.close();
  }
});
