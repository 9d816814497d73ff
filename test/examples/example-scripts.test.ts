// The example hook scripts are what users copy: a name that is a property of every JavaScript
// object ("constructor", "__proto__", …) must be nobody, with any password, in every hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../helpers/index.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const SCRIPTS = readdirSync(EXAMPLES).map((d) => `${EXAMPLES}${d}/auth.ts`).filter(existsSync);
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf'];
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

for (const script of [...SCRIPTS, fileURLToPath(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url))]) {
  test(`${script.replace(/.*\/(examples|test)\//, '')}: a prototype name is an unknown user in every hook`, async () => {
    const m = (await import(script)) as Hooks;
    for (const user of PROTOTYPE_NAMES) {
      for (const password of PASSWORDS) {
        if (m.check_password) assert.ok([null, undefined, false].includes(m.check_password(ENV, user, password) as never), `check_password ${user}/${password}`);
      }
      if (m.get_realm_hash) assert.equal(m.get_realm_hash(ENV, user, 'Realm') ?? null, null, `get_realm_hash ${user}`);
      if (m.groups_for_user) assert.deepEqual([...((m.groups_for_user(ENV, user) as Iterable<string>) ?? [])], [], `groups_for_user ${user}`);
    }
  });
}

test('the real users of the quickstart and nginx examples still log in, and a wrong password is refused', async () => {
  const quick = (await import(`${EXAMPLES}quickstart/auth.ts`)) as Required<Hooks>;
  assert.equal(quick.check_password(ENV, 'alice', 'wonderland'), true);
  assert.equal(quick.check_password(ENV, 'alice', 'nope'), false);
  assert.deepEqual(quick.groups_for_user(ENV, 'alice'), ['staff']);
  assert.match(String(quick.get_realm_hash(ENV, 'bob', 'R')), /^[0-9a-f]{32}$/);
  const nginx = (await import(`${EXAMPLES}nginx/auth.ts`)) as Required<Hooks>;
  assert.deepEqual(nginx.check_password(ENV, 'bob', 'builder'), { groups: ['staff'], attributes: { name: 'Bob Builder', email: 'bob@example.org' } });
  assert.equal(nginx.check_password(ENV, 'bob', 'wonderland'), false);
});

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
