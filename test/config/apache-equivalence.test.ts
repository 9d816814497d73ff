// One policy, two readers: the same rules written as defineConfig and as authhook.conf must
// decide every request the same way.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { compileConfig } from '../../src/config/compile.js';
import { compileApacheConfig } from '../../src/config/apache/index.js';
import { defineConfig } from '../../src/config/schema.js';
import { createEngine, type Engine } from '../../src/engine/decide.js';
import type { PolicyLookupResult } from '../../src/engine/policy-lookup.js';
import type { Decision } from '../../src/types.js';
import { PLAIN_FILE_PROVIDERS, writeConf } from '../helpers/apache.js';
import { basic, digestAuthorization, environ, memoryLogger } from '../helpers/index.js';

const CONF = String.raw`# The same policy as the typed config below.
AuthhookNonceSecret "equivalence-test-secret"
AuthType Basic
AuthName "Staff"
AuthBasicProvider file wsgi
AuthUserFile users.txt
WSGIAuthUserScript auth.ts
WSGIAuthGroupScript auth.ts
Require valid-user

<Location /agents>
  <RequireAll>
    Require valid-user
    Require wsgi-group secret-agents
  </RequireAll>
  AuthzSendForbiddenOnFailure On
</Location>
<Location /public>
  Require all granted
</Location>
<Location /intranet>
  Require ip 10.0.0.0/8
</Location>
<Location /digest>
  AuthType Digest
  AuthName "Digest Area"
  AuthDigestProvider wsgi
  AuthDigestAlgorithm SHA-256 MD5
  Require user spy witness
</Location>
<LocationMatch "^/reports/.+\.pdf$">
  <RequireAll>
    Require valid-user
    Require not method DELETE
  </RequireAll>
</LocationMatch>
<Location /admin>
  WSGIAccessScript access.ts
  Require user spy
</Location>
<Location /env>
  SetEnvIf Request_Method ^GET$ AREA=open
  Require env AREA
</Location>
<Location /groupfile>
  AuthGroupFile groups.txt
  Require group staff
</Location>
`;

const FILES = {
  'users.txt': 'alice:wonderland\nbob:builder\n',
  'groups.txt': 'staff: alice\n',
  'access.ts': 'export function allow_access(_e: unknown, host: string) {\n  if (host.startsWith("10.")) return false;\n  return host === "127.0.0.1" ? true : null;\n}\n',
};

const conf = writeConf(CONF, FILES);
const typed = defineConfig({
  baseDir: dirname(conf),
  nonceSecret: 'equivalence-test-secret',
  locations: [
    { path: '/', authType: 'Basic', authName: 'Staff', authBasicProvider: ['file', 'wsgi'], authUserFile: 'users.txt', authUserScript: 'auth.ts', authGroupScript: 'auth.ts', require: 'valid-user' },
    { path: '/agents', require: { all: ['valid-user', 'wsgi-group secret-agents'] }, authzSendForbiddenOnFailure: true },
    { path: '/public', require: 'all granted' },
    { path: '/intranet', require: 'ip 10.0.0.0/8' },
    { path: '/digest', authType: 'Digest', authName: 'Digest Area', authDigestProvider: 'wsgi', authDigestAlgorithm: ['SHA-256', 'MD5'], require: 'user spy witness' },
    { match: '^/reports/.+\\.pdf$', require: { all: ['valid-user', 'not method DELETE'] } },
    { path: '/admin', accessScript: 'access.ts', require: 'user spy' },
    { path: '/env', setEnvIf: [{ attribute: 'Request_Method', match: '^GET$', set: ['AREA=open'] }], require: 'env AREA' },
    { path: '/groupfile', authGroupFile: 'groups.txt', require: 'group staff' },
  ],
});

const NOW = () => 1_800_000_000_000;
const fromApache = compileApacheConfig(conf, { providerFactories: PLAIN_FILE_PROVIDERS, env: {} });
const fromTyped = compileConfig(typed, { providerFactories: PLAIN_FILE_PROVIDERS });
after(() => {
  fromApache.close();
  fromTyped.close();
});
const apache = createEngine(fromApache.model, { logger: memoryLogger(), now: NOW });
const typedEngine = createEngine(fromTyped.model, { logger: memoryLogger(), now: NOW });

type Credentials = readonly ['basic' | 'digest', string, string] | readonly ['raw', string];
interface Row {
  readonly method?: string;
  readonly path: string;
  readonly auth?: Credentials;
  readonly addr?: string;
  readonly status: Decision['status'];
}

const TABLE: readonly Row[] = [
  { path: '/', status: 401 },
  { path: '/', auth: ['basic', 'alice', 'wonderland'], status: 200 },
  { path: '/', auth: ['basic', 'alice', 'wrong'], status: 401 },
  { path: '/', auth: ['basic', 'spy', 'secret'], status: 200 },
  { path: '/', auth: ['basic', 'witness', 'secret'], status: 200 },
  { path: '/', auth: ['basic', 'nobody', 'x'], status: 401 },
  { path: '/', auth: ['raw', 'Basic !!not-base64!!'], status: 401 },
  { path: '/', auth: ['raw', 'Bearer abc.def'], status: 401 },
  { path: '/agents/x', auth: ['basic', 'spy', 'secret'], status: 200 },
  { path: '/agents/x', auth: ['basic', 'citizen', 'secret'], status: 403 },
  { path: '/agents/x', status: 401 },
  { path: '//agents/../agents/./y', auth: ['basic', 'citizen', 'secret'], status: 403 },
  { path: '/agentsX', auth: ['basic', 'citizen', 'secret'], status: 200 },
  { path: '/public', status: 200 },
  { path: '/public/deeper/page', status: 200 },
  { path: '/intranet', addr: '10.1.2.3', status: 200 },
  { path: '/intranet', addr: '127.0.0.1', status: 403 },
  { path: '/digest', status: 401 },
  { path: '/digest/doc?x=1', auth: ['digest', 'spy', 'secret'], status: 200 },
  { path: '/digest/doc', auth: ['digest', 'citizen', 'secret'], status: 401 },
  { path: '/digest/doc', auth: ['digest', 'spy', 'wrong'], status: 401 },
  { path: '/digest/doc', auth: ['basic', 'spy', 'secret'], status: 401 },
  { path: '/reports/q1.pdf', auth: ['basic', 'alice', 'wonderland'], status: 200 },
  { method: 'DELETE', path: '/reports/q1.pdf', auth: ['basic', 'alice', 'wonderland'], status: 403 },
  { path: '/reports/q1.pdf', status: 401 },
  { path: '/reports/q1.txt', auth: ['basic', 'bob', 'builder'], status: 200 },
  { path: '/admin', addr: '10.0.0.1', auth: ['basic', 'spy', 'secret'], status: 403 },
  { path: '/admin', addr: '127.0.0.1', auth: ['basic', 'spy', 'secret'], status: 200 },
  { path: '/admin', addr: '127.0.0.1', auth: ['basic', 'alice', 'wonderland'], status: 401 },
  { path: '/env', status: 200 },
  { path: '/groupfile', auth: ['basic', 'alice', 'wonderland'], status: 200 },
  { path: '/groupfile', auth: ['basic', 'bob', 'builder'], status: 401 },
  { method: 'TRACE', path: '/', status: 401 },
];

async function run(engine: Engine, row: Row): Promise<Decision> {
  const method = row.method ?? 'GET';
  const env = environ({ REQUEST_URI: row.path, REQUEST_METHOD: method, REMOTE_ADDR: row.addr ?? '192.0.2.9' });
  const ask = (authorization?: string) => engine.decide({ environ: env, authorization, authorizationCount: authorization === undefined ? 0 : 1, appSeesNormalisedPath: true });
  const a = row.auth;
  if (a === undefined) return ask();
  if (a[0] === 'raw') return ask(a[1]);
  if (a[0] === 'basic') return ask(basic(a[1], a[2]));
  const challenge = (await ask()).headers['WWW-Authenticate'] as readonly string[];
  return ask(digestAuthorization({ challenge: challenge[0]!, user: a[1], password: a[2], method, uri: row.path }));
}

/** A decision without what differs by design: the nonce in a Digest challenge. */
function comparable(d: Decision): unknown {
  const headers = JSON.parse(JSON.stringify(d.headers).replace(/nonce=\\"[^\\]*\\"/g, 'nonce=\\"*\\"')) as unknown;
  return { status: d.status, user: d.user, groups: d.groups, authType: d.authType, reason: d.reason, attributes: d.attributes, headers };
}

test('the table has enough rows to mean something', () => {
  assert.ok(TABLE.length >= 20);
});

for (const row of TABLE) {
  const who = row.auth === undefined ? 'nobody' : row.auth[0] === 'raw' ? row.auth[1] : `${row.auth[0]} ${row.auth[1]}`;
  test(`both readers decide ${row.method ?? 'GET'} ${row.path} (${who}${row.addr ? ` from ${row.addr}` : ''}) alike: ${row.status}`, async () => {
    const a = await run(apache, row);
    const t = await run(typedEngine, row);
    assert.deepEqual(comparable(a), comparable(t));
    assert.equal(a.status, row.status);
  });
}

function shape(p: PolicyLookupResult): unknown {
  assert.ok('authType' in p, String(p));
  return {
    authType: p.authType, authName: p.authName, basic: p.basicProviders.map((s) => s.label), digest: p.digestProviders.map((s) => s.label),
    algorithms: p.digestAlgorithms, groups: p.groupSources.map((s) => s.label), access: p.accessSource?.label ?? null,
    forbidden: p.forbiddenOnFailure, setEnv: p.setEnv, sections: p.from.length,
  };
}

test('both readers produce the same merged policy at every location', () => {
  for (const path of ['/', '/agents', '/public', '/intranet', '/digest', '/reports/x.pdf', '/admin', '/env', '/groupfile']) {
    assert.deepEqual(shape(apache.policyFor(path)), shape(typedEngine.policyFor(path)), path);
  }
});
