// Client copies of the headers only the gateway sets (X-Request-Start, Auth-Type, its facts
// header) and of identity headers are removed in every mode, however many come, and the app
// can still read every view of the headers (headers, rawHeaders, headersDistinct).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../helpers/index.js';
import { daemon, mount, startGateway, writeApp, type Started } from './_helpers.js';

let s: Started;
before(async () => {
  const app = writeApp();
  s = await startGateway({
    mounts: [mount('/main', app, { applicationGroup: '%{GLOBAL}' }), mount('/worker', app), mount('/daemon', app, { processGroup: 'dd' })],
    daemonProcesses: [daemon('dd')],
  });
});
after(() => s?.close());

/** GET with headers sent as repeated lines; the report app's JSON. */
async function getRaw(path: string, headers: Record<string, string | string[]>): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await rawRequest(s.port, path, headers);
  return { status: r.status, json: r.status === 200 ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
}

test('two gateway-owned headers and an identity header from the client: removed, the request served, in every mode', async () => {
  const hostile = { 'Auth-Type': ['a', 'b'], 'X-Request-Start': ['t=1', 't=2'], 'X-Authhook-Forwarded': '{"app":"/etc/passwd"}', 'Remote-User': 'x' };
  for (const path of ['/main/x', '/worker/x', '/daemon/x']) {
    const r = await getRaw(path, hostile);
    assert.equal(r.status, 200, path);
    assert.equal(r.json.headerUser, null, path);
    assert.equal(r.json.distinctRemoteUser, null, path);
    assert.match(String(r.json.xRequestStart), /^t=\d{16}$/, path);
  }
});

test('an app in a worker or daemon group can read headersDistinct (the hop headers are gone from it)', async () => {
  for (const path of ['/worker/x', '/daemon/x']) {
    const r = await getRaw(path, {});
    assert.equal(r.status, 200, path);
    assert.equal(r.json.distinctRemoteUser, null, path);
  }
});
