// Where no section asks anything of a path, the gateway lets the request through without
// building its environ, and builds it when the app first reads it. It must be the environ the
// engine would have built: from the request as it came, not as the app changed it since.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fixture from '../fixtures/mod-wsgi-auth.js';
import { basic, rawRequest } from '../helpers/index.js';
import { mount, startGateway, writeApp, type Started } from './_helpers.js';

// Changes the request before reading req.environ, then reports the environ.
const CHANGING_APP = `
export default function app(req, res) {
  req.url = '/changed-by-app';
  req.rawHeaders.push('X-Late', 'added-by-app');
  req.rawHeaders[req.rawHeaders.indexOf('X-Early') + 1] = 'changed-by-app';
  req.headers['x-early'] = 'changed-by-app';
  setTimeout(() => {
    const e = req.environ;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ frozen: Object.isFrozen(e), same: req.environ === e, environ: e }));
  }, 5);
}
`;

let s: Started;
before(async () => {
  const app = writeApp(CHANGING_APP);
  // In-process (where the environ is deferred), and in a worker thread group (where the hop carries it).
  s = await startGateway({ mounts: [mount('/', app, { applicationGroup: '%{GLOBAL}' }), mount('/wk', writeApp(CHANGING_APP, 'worker.mjs'))] }, [
    { path: '/open', setEnv: { ZONE: 'open-zone' } },
    { path: '/wk/open', setEnv: { ZONE: 'open-zone' } },
    { path: '/closed', authType: 'Basic', authName: 'Gateway', user: fixture, require: 'valid-user', setEnv: { ZONE: 'closed-zone' } },
  ]);
});
after(() => s.close());

const sent = { 'X-Early': 'as-sent', 'Remote-User': 'mallory', 'X-Remote-User': 'mallory' };

async function environAt(path: string, headers: Record<string, string>): Promise<Record<string, string>> {
  const r = await rawRequest(s.port, path, headers);
  assert.equal(r.status, 200, r.body);
  const body = JSON.parse(r.body) as { frozen: boolean; same: boolean; environ: Record<string, string> };
  assert.equal(body.frozen, true);
  assert.equal(body.same, true);
  return body.environ;
}

for (const [where, mountPath] of [['in-process', ''], ['in a worker thread', '/wk']] as const) {
  test(`an open path ${where}: the environ the app reads late is the request as it came`, async () => {
    const e = await environAt(`${mountPath}/open/page?q=1`, sent);
    assert.equal(e.REQUEST_URI, `${mountPath}/open/page?q=1`);
    assert.equal(e.SCRIPT_NAME, mountPath);
    assert.equal(e.PATH_INFO, '/open/page');
    assert.equal(e.QUERY_STRING, 'q=1');
    assert.equal(e.HTTP_X_EARLY, 'as-sent');
    assert.equal(e.HTTP_X_LATE, undefined);
    assert.equal(e.ZONE, 'open-zone');
    assert.equal(e.REMOTE_ADDR, '127.0.0.1');
    assert.match(e.REMOTE_PORT!, /^\d+$/);
    assert.equal(e.SERVER_PORT, String(s.port));
    assert.match(e['authhook.queue_start']!, /^\d{16}$/);
    // Identity headers from the client are gone from the environ too.
    assert.equal(e.HTTP_REMOTE_USER, undefined);
    assert.equal(e.HTTP_X_REMOTE_USER, undefined);
    assert.equal(e.REMOTE_USER, undefined);
  });
}

test('an open path gives the same environ keys as a path the engine decided', async () => {
  const open = await environAt('/open/x', sent);
  const closed = await environAt('/closed/x', { ...sent, Authorization: basic('spy', 'secret') });
  assert.equal(closed.REMOTE_USER, 'spy');
  assert.equal(closed.ZONE, 'closed-zone');
  const keys = (e: Record<string, string>): string[] => Object.keys(e).filter((k) => k !== 'REMOTE_USER' && k !== 'AUTH_TYPE').sort();
  assert.deepEqual(keys(open), keys(closed));
  for (const k of ['REQUEST_METHOD', 'SERVER_NAME', 'SERVER_PROTOCOL', 'REMOTE_ADDR', 'HTTP_HOST', 'HTTP_X_EARLY', 'authhook.version']) {
    assert.equal(open[k], closed[k], k);
  }
});

test('an open path still refuses what the engine refuses before any policy', async () => {
  assert.equal((await rawRequest(s.port, '/open/a%2fb')).status, 404);
  assert.equal((await rawRequest(s.port, '/open/%zz')).status, 400);
  assert.equal((await rawRequest(s.port, '/../open')).status, 400);
});
