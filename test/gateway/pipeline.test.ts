import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic } from '../helpers/index.js';
import { locationGroupsAt } from '../../src/gateway/route.js';
import { get, mount, REPORT_APP, startGateway, writeApp, type Started } from './_helpers.js';

const THROWING_APP = `export default function app() { throw new Error('boom'); }`;

let s: Started;
before(async () => {
  const app = writeApp();
  s = await startGateway(
    {
      mounts: [
        mount('/plain', app),
        mount('/passed', writeApp(REPORT_APP, 'passed.mjs'), { passAuthorization: true }),
        mount('/worker-passed', writeApp(REPORT_APP, 'worker.mjs'), { applicationGroup: 'w', passAuthorization: true }),
        mount('/worker-plain', writeApp(REPORT_APP, 'worker-plain.mjs'), { applicationGroup: 'w' }),
        mount('/throws', writeApp(THROWING_APP, 'throws.mjs')),
      ],
    },
    [{ authType: 'Basic', authName: 'Gateway', user: fixture, require: 'valid-user' }],
  );
});
after(() => s.close());

const auth = { Authorization: basic('spy', 'secret') };

test('the Authorization header reaches the app only with pass-authorization, in-process and in a worker group', async () => {
  for (const [path, passed] of [
    ['/plain/', false],
    ['/passed/', true],
    ['/worker-plain/', false],
    ['/worker-passed/', true],
  ] as const) {
    const r = await get(s.url + path, { headers: auth });
    assert.equal(r.status, 200, path);
    assert.equal(r.json.authorization, passed ? auth.Authorization : null, path);
    assert.equal(r.json.remoteUser, 'spy', path);
    assert.equal(r.json.environUser, 'spy', path);
  }
});

test('an app that throws is a 500, and the gateway goes on serving', async () => {
  assert.equal((await get(s.url + '/throws/', { headers: auth })).status, 500);
  assert.equal((await get(s.url + '/plain/', { headers: auth })).status, 200);
});

test('location groups resolve like policy: the more specific section wins per setting', () => {
  const groups = [
    { kind: 'prefix' as const, path: '/shop/admin', regex: null, processGroup: 'admin', applicationGroup: null, where: 't:2' },
    { kind: 'prefix' as const, path: '/', regex: null, processGroup: 'site', applicationGroup: '%{GLOBAL}', where: 't:1' },
  ];
  assert.deepEqual(locationGroupsAt(groups, '/shop/admin/x'), { processGroup: 'admin', applicationGroup: '%{GLOBAL}' });
  assert.deepEqual(locationGroupsAt(groups, '/other'), { processGroup: 'site', applicationGroup: '%{GLOBAL}' });
});

test('the policy applies before the mount: no credentials is a 401 even where no mount is', async () => {
  assert.equal((await get(s.url + '/nowhere')).status, 401);
  assert.equal((await get(s.url + '/nowhere', { headers: auth })).status, 404);
  assert.equal((await get(s.url + '/plainx', { headers: auth })).status, 404);
});
