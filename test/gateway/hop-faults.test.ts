// A response from a worker or daemon that the gateway cannot pass on (here, raw bytes with a
// header value Node refuses to send) is a 502 to the client, and the gateway serves on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest } from '../helpers/index.js';
import { daemon, mount, startGateway, writeApp, type Started } from './_helpers.js';

const RAW_APP = `
export default function app(req, res) {
  if (req.url.startsWith('/bad-header')) return void res.socket.write('HTTP/1.1 200 OK\\r\\nX-Bad: a\\u0001b\\r\\nContent-Length: 2\\r\\n\\r\\nok');
  if (req.url.startsWith('/bad-status')) return void res.socket.write('HTTP/1.1 200 O\\nK\\r\\nContent-Length: 2\\r\\n\\r\\nok');
  res.end('fine');
}
`;

let s: Started;
before(async () => {
  s = await startGateway({
    mounts: [mount('/wk', writeApp(RAW_APP, 'w.mjs'), { applicationGroup: 'w' }), mount('/dm', writeApp(RAW_APP, 'd.mjs'), { processGroup: 'd', applicationGroup: '%{GLOBAL}' })],
    daemonProcesses: [daemon('d')],
  });
});
after(() => s.close());

for (const m of ['/wk', '/dm']) {
  test(`${m}: a response that cannot be passed on is a 502, and the next request is served`, { timeout: 20_000 }, async () => {
    for (const path of ['/bad-header', '/bad-status']) {
      const r = await rawRequest(s.port, m + path);
      assert.equal(r.status, 502, `${m}${path}: ${r.body}`);
      const ok = await rawRequest(s.port, m + '/');
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'fine');
    }
  });
}
