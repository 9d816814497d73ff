// An app sees the same environ in-process, in a worker thread group and in a daemon process
// group: the hop carries the gateway's CGI keys, SetEnv values and attributes exactly, whatever
// characters they hold.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { basic, rawRequest } from '../helpers/index.js';
import { daemon, mount, startGateway, writeApp, type Started } from './_helpers.js';

const ENVIRON_APP = `
export default function app(req, res) {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(req.environ));
}
`;

// Values with the hop format's separator, its escape, spaces and non-ASCII text.
const ZONE = 'a,b %2C ü,';
const MAIL = 'x,y@ex%ample.org';
const user = {
  check_password: (_e: unknown, u: string, p: string) => (u === 'ann' && p === 'pw' ? { user: 'ann', groups: ['g,1'], attributes: { mail: MAIL } } : false),
};

let s: Started;
before(async () => {
  const app = writeApp(ENVIRON_APP);
  s = await startGateway(
    {
      mounts: [
        mount('/in', app, { applicationGroup: '%{GLOBAL}' }),
        mount('/wk', writeApp(ENVIRON_APP, 'worker.mjs'), { applicationGroup: 'w,k' }),
        mount('/dm', writeApp(ENVIRON_APP, 'daemon.mjs'), { processGroup: 'dm', applicationGroup: '%{GLOBAL}' }),
      ],
      daemonProcesses: [daemon('dm')],
    },
    [
      { path: '/', setEnv: { ZONE } },
      { path: '/in/private', authType: 'Basic', authName: 'r', user, require: 'valid-user', setEnv: { ZONE } },
      { path: '/wk/private', authType: 'Basic', authName: 'r', user, require: 'valid-user', setEnv: { ZONE } },
      { path: '/dm/private', authType: 'Basic', authName: 'r', user, require: 'valid-user', setEnv: { ZONE } },
    ],
  );
});
after(() => s.close());

/**
 * What legitimately differs between the three mounts: their prefix and group, the connection
 * and the time of each request, and the accept time a proxied app gets as a header. The
 * client's hop-by-hop headers (Connection, Keep-Alive, TE, …) are not forwarded as headers
 * (RFC 9110 §7.6.1), yet the environ shows them alike in all three, as mod_wsgi's daemon mode does.
 */
const PER_MOUNT = [
  'SCRIPT_NAME', 'REQUEST_URI', 'authhook.application_group', 'authhook.process_group', 'REMOTE_PORT', 'authhook.queue_start',
  'HTTP_X_REQUEST_START',
];

async function environs(rest: string, headers: Record<string, string>): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const m of ['/in', '/wk', '/dm']) {
    const r = await rawRequest(s.port, m + rest, headers);
    assert.equal(r.status, 200, `${m}: ${r.body}`);
    out[m] = JSON.parse(r.body) as Record<string, string>;
  }
  return out;
}

function withoutPerMount(e: Record<string, string>): Record<string, string> {
  const copy = { ...e };
  for (const k of PER_MOUNT) delete copy[k];
  return copy;
}

for (const [name, rest, headers] of [
  ['an open path', '/a,b/%C3%BC%20x%25,y?q=1,2&r=%25', { 'X-Note': 'c,d %41 é' }],
  ['a path behind Basic, with attributes', '/private/a,b?q=%2C', { Authorization: basic('ann', 'pw'), 'X-Note': ' edge ' }],
  ['hop-by-hop headers', '/h?x=1', { Connection: 'keep-alive, X-Note', 'Keep-Alive': 'timeout=5, max=9', TE: 'trailers', 'X-Note': 'n' }],
] as const) {
  test(`${name}: the same environ in-process, in a worker group and in a daemon group`, async () => {
    const e = await environs(rest, headers);
    const inProcess = e['/in']!;
    assert.equal(inProcess.ZONE, ZONE);
    assert.equal(inProcess.QUERY_STRING, rest.slice(rest.indexOf('?') + 1));
    for (const m of ['/wk', '/dm']) {
      assert.deepEqual(withoutPerMount(e[m]!), withoutPerMount(inProcess), m);
      assert.equal(e[m]!.SCRIPT_NAME, m);
      assert.equal(e[m]!.REQUEST_URI, m + rest);
      assert.match(e[m]!['authhook.queue_start']!, /^\d{16}$/);
    }
    for (const m of ['/in', '/wk', '/dm']) {
      assert.equal(e[m]!.HTTP_CONNECTION, 'Connection' in headers ? headers.Connection : 'close', m);
      if ('TE' in headers) assert.deepEqual([e[m]!.HTTP_KEEP_ALIVE, e[m]!.HTTP_TE], [headers['Keep-Alive'], headers.TE], m);
    }
    assert.equal(e['/wk']!['authhook.application_group'], 'w,k');
    assert.equal(e['/dm']!['authhook.process_group'], 'dm');
    if (name.includes('Basic')) {
      for (const m of ['/in', '/wk', '/dm']) {
        assert.equal(e[m]!.REMOTE_USER, 'ann', m);
        assert.equal(e[m]!.AUTHENTICATE_MAIL, MAIL, m);
      }
    }
  });
}
