import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applicationGroupName, processGroupName, serverGroupName } from '../../src/gateway/group-name.js';
import { decodeFacts, decodeHeaderValue, encodeFacts, encodeHeaderValue, identityHeaders, readIdentity } from '../../src/gateway/hop.js';
import { appUrl, createMountTable } from '../../src/gateway/route.js';
import { microsText, nowMicros } from '../../src/gateway/clock.js';
import { mount } from './_helpers.js';

const env = (vars: Record<string, string>) => (name: string) => vars[name];
const ctx = (o: Partial<Parameters<typeof applicationGroupName>[1]> = {}) => ({ serverName: 'www.example.com', serverPort: 8080, scriptName: '/app', env: env({}), ...o });

test('%{GLOBAL} is the empty name, %{SERVER} adds the port unless it is 80 or 443', () => {
  assert.equal(applicationGroupName('%{GLOBAL}', ctx()), '');
  assert.equal(applicationGroupName('%{SERVER}', ctx()), 'www.example.com:8080');
  assert.equal(applicationGroupName('%{SERVER}', ctx({ serverPort: 80 })), 'www.example.com');
  assert.equal(applicationGroupName('%{SERVER}', ctx({ serverPort: 443 })), 'www.example.com');
  assert.equal(serverGroupName('WWW.Example.COM', 8443), 'www.example.com:8443');
});

test('%{RESOURCE} is server|SCRIPT_NAME, with an empty SCRIPT_NAME for a mount at /', () => {
  assert.equal(applicationGroupName('%{RESOURCE}', ctx()), 'www.example.com:8080|/app');
  assert.equal(applicationGroupName('%{RESOURCE}', ctx({ scriptName: '', serverPort: 80 })), 'www.example.com|');
});

test('%{ENV:VAR} takes the value, expands a value that is another label, and stays literal when unset', () => {
  assert.equal(applicationGroupName('%{ENV:G}', ctx({ env: env({ G: 'shop' }) })), 'shop');
  assert.equal(applicationGroupName('%{ENV:G}', ctx({ env: env({ G: '%{GLOBAL}' }) })), '');
  assert.equal(applicationGroupName('%{ENV:G}', ctx({ env: env({ G: '%{RESOURCE}' }) })), 'www.example.com:8080|/app');
  assert.equal(applicationGroupName('%{ENV:G}', ctx()), '%{ENV:G}');
  assert.equal(applicationGroupName('%{ENV:A}', ctx({ env: env({ A: '%{ENV:A}' }) })), '%{ENV:A}');
  assert.equal(applicationGroupName('%{UNKNOWN}', ctx()), '%{UNKNOWN}');
  assert.equal(applicationGroupName('named', ctx()), 'named');
});

test('a process group of %{GLOBAL} is in-process; %{ENV:VAR} names a daemon group', () => {
  assert.equal(processGroupName('%{GLOBAL}', env({})), '');
  assert.equal(processGroupName('%{ENV:PG}', env({ PG: 'daemon1' })), 'daemon1');
  assert.equal(processGroupName('%{ENV:PG}', env({ PG: '%{GLOBAL}' })), '');
  assert.equal(processGroupName('daemon1', env({})), 'daemon1');
});

test('the longest mount on whole segments wins; SCRIPT_NAME is the canonical mount', () => {
  const find = createMountTable([mount('/', '/a.mjs'), mount('/shop', '/b.mjs'), mount('/shop/admin', '/c.mjs')]);
  assert.deepEqual(((r) => [r.mount.app, r.scriptName, r.pathInfo])(find('/shop/admin/x')!), ['/c.mjs', '/shop/admin', '/x']);
  assert.deepEqual(((r) => [r.mount.app, r.scriptName, r.pathInfo])(find('/shopping')!), ['/a.mjs', '', '/shopping']);
  assert.deepEqual(((r) => [r.scriptName, r.pathInfo])(find('/shop/')!), ['/shop', '/']);
  assert.equal(createMountTable([mount('/shop', '/b.mjs')])('/x'), null);
});

test('the app sees PATH_INFO and the query as its URL, re-encoded where decoding changed it', () => {
  assert.equal(appUrl('/x', '/app/x?q=1'), '/x?q=1');
  assert.equal(appUrl('', '/app?q=1'), '/?q=1');
  assert.equal(appUrl('/x', '//app//x'), '/x');
  assert.equal(appUrl('/a b', '/app/a%20b'), '/a%20b');
  assert.equal(appUrl('/a?b', '/app/a%3Fb'), '/a%3Fb');
  assert.equal(appUrl('/100%', '/app/100%25'), '/100%25');
});

test('identity header values survive commas, percent signs, non-ASCII and edge spaces', () => {
  for (const v of ['alice', 'o,neil', '100%', 'jürgen', ' padded ', 'a\nb', 'emoji 😀']) assert.equal(decodeHeaderValue(encodeHeaderValue(v)), v);
  assert.equal(encodeHeaderValue('alice@example.com'), 'alice@example.com');
  const decision = { status: 200, headers: {}, user: 'jürgen', groups: ['staff', 'a,b'], attributes: {}, authType: 'Basic', reason: 'ok' } as const;
  const raw = identityHeaders(decision);
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!;
  assert.deepEqual(readIdentity(headers), { user: 'jürgen', groups: ['staff', 'a,b'], authType: 'Basic' });
  assert.deepEqual(identityHeaders({ ...decision, user: null }), []);
});

test('the facts header round-trips and refuses anything malformed', () => {
  const facts = decodeFacts(encodeFacts('/srv/app.mjs', { SCRIPT_NAME: '/app', HTTP_HOST: 'x', CONTENT_TYPE: 't' }, { mail: 'a@b' }));
  assert.deepEqual(facts, { app: '/srv/app.mjs', cgi: { SCRIPT_NAME: '/app' }, attributes: { mail: 'a@b' } });
  assert.equal(decodeFacts(undefined), null);
  assert.equal(decodeFacts('not base64 json'), null);
  assert.equal(decodeFacts('{"app":1,"cgi":{},"attributes":{}}'), null);
  assert.equal(decodeFacts('J,{"app":1,"cgi":{},"attributes":{}}'), null);
  const odd = encodeFacts('/srv/ä.mjs', { PATH_INFO: '/ü\n😀' }, {});
  assert.match(odd, /^[\x20-\x7e]+$/);
  assert.deepEqual(decodeFacts(odd)?.cgi, { PATH_INFO: '/ü\n😀' });
});

/** An environ as the gateway builds one: every fixed key, the header keys, and what else a location adds. */
function gatewayEnviron(over: Record<string, string> = {}): Record<string, string> {
  return {
    REQUEST_METHOD: 'GET', REQUEST_URI: '/app/x?q=1', SCRIPT_NAME: '/app', PATH_INFO: '/x', QUERY_STRING: 'q=1', SERVER_NAME: 'localhost',
    SERVER_PORT: '8080', SERVER_PROTOCOL: 'HTTP/1.0', REMOTE_ADDR: '::1', REMOTE_PORT: '50123', 'authhook.version': '9',
    'authhook.application_group': '', 'authhook.process_group': 'site', 'authhook.queue_start': '1764691930123456',
    HTTP_HOST: 'localhost:8080', CONTENT_LENGTH: '3', ...over,
  };
}

test('the facts of a gateway request go by position; what the hop request carries itself is left out', () => {
  const header = encodeFacts('/srv/app.mjs', gatewayEnviron(), {});
  assert.ok(header.startsWith('P,/srv/app.mjs,'), header);
  assert.ok(header.length < 120, header);
  const facts = decodeFacts(header)!;
  const expected = gatewayEnviron();
  for (const k of ['REQUEST_METHOD', 'QUERY_STRING', 'authhook.version', 'HTTP_HOST', 'CONTENT_LENGTH']) delete expected[k];
  assert.deepEqual(facts, { app: '/srv/app.mjs', cgi: expected, attributes: {} });
});

test('facts by position keep any value exactly: separators, escapes, edges, empty, non-ASCII; extras and attributes too', () => {
  const hostile = ['/a,b/%2e%2E/c', ' lead', 'trail ', '', '%', ',', 'ü😀\u0000\r\n', 'x%2Cy', '\ud800'];
  for (const v of hostile) {
    const environ = gatewayEnviron({ PATH_INFO: v, REQUEST_URI: v, 'authhook.process_group': v, SETENV_VAR: v, HTTPS: 'on' });
    const header = encodeFacts(`/srv/${v}.mjs`, environ, { mail: v, 'given-name': 'x,y' });
    assert.match(header, /^[\x21-\x7e][\x20-\x7e]*[\x21-\x7e]$/, JSON.stringify(v));
    const facts = decodeFacts(header)!;
    // A lone surrogate (no environ value can hold one: they come from UTF-8 or Latin-1) has no
    // UTF-8 form, so a positional field carries U+FFFD; the JSON tail keeps it as it is.
    const want = (s: string): string => (s === '\ud800' ? '\ufffd' : s);
    assert.equal(facts.app, `/srv/${want(v)}.mjs`);
    assert.equal(facts.cgi.PATH_INFO, want(v));
    assert.equal(facts.cgi.REQUEST_URI, want(v));
    assert.equal(facts.cgi['authhook.process_group'], want(v));
    assert.equal(facts.cgi.SETENV_VAR, v);
    assert.equal(facts.cgi.HTTPS, 'on');
    assert.deepEqual(facts.attributes, { mail: v, 'given-name': 'x,y' });
  }
});

test("the client's hop-by-hop headers travel as facts: Connection by position, the rare ones in the tail", () => {
  for (const connection of ['keep-alive', 'close, Upgrade', '', ' x%,y ', 'ü']) {
    const environ = gatewayEnviron({ HTTP_CONNECTION: connection, HTTP_KEEP_ALIVE: 'timeout=5, max=9', HTTP_TE: 'trailers', HTTP_X_OTHER: 'o' });
    const facts = decodeFacts(encodeFacts('/srv/app.mjs', environ, {}))!;
    assert.equal(facts.cgi.HTTP_CONNECTION, connection, JSON.stringify(connection));
    assert.equal(facts.cgi.HTTP_KEEP_ALIVE, 'timeout=5, max=9');
    assert.equal(facts.cgi.HTTP_TE, 'trailers');
    assert.equal(facts.cgi.HTTP_X_OTHER, undefined, 'an end-to-end header goes as a header, not as a fact');
  }
  const none = encodeFacts('/srv/app.mjs', gatewayEnviron(), {});
  assert.ok(none.endsWith(',,'), none);
  assert.equal('HTTP_CONNECTION' in decodeFacts(none)!.cgi, false);
  // The connection field is empty or starts with "=".
  assert.equal(decodeFacts(none.slice(0, -1) + 'keep-alive,'), null);
  // The whole-JSON form, for an environ without the fixed keys, carries them too.
  assert.equal(decodeFacts(encodeFacts('/srv/app.mjs', { HTTP_CONNECTION: 'close', HTTP_UPGRADE: 'h2c' }, {}))?.cgi.HTTP_UPGRADE, 'h2c');
});

test('a facts header with the wrong number of fields or a bad tail is refused', () => {
  const good = encodeFacts('/srv/app.mjs', gatewayEnviron(), {});
  assert.notEqual(decodeFacts(good), null);
  assert.equal(decodeFacts(good + ','), null);
  assert.equal(decodeFacts(good.slice(0, good.lastIndexOf(','))), null);
  assert.equal(decodeFacts('Q' + good.slice(1)), null);
  assert.equal(decodeFacts(good + '{'), null);
  assert.equal(decodeFacts(good + encodeURIComponent('{"cgi":{"A":1},"attributes":{}}')), null);
  assert.equal(decodeFacts(good + encodeURIComponent('[]')), null);
});

test('queue time stamps are 16 digits of µs and never ahead of the wall clock', () => {
  const before = Date.now() * 1000;
  const t = nowMicros();
  const after = Date.now() * 1000 + 999;
  assert.match(String(t), /^\d{16}$/);
  assert.ok(t >= before && t <= after);
});

test('microsText writes a stamp as String() does', () => {
  const t = nowMicros();
  const samples = [t, t + 1, t + 999, t + 1000, t + 999_999, t + 1_000_000, 1_000_000, 1_000_001, 999_999, 0, 1764691930000000, 1764691930000999, 1764691930123456];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 2 ** 53));
  for (const us of samples) assert.equal(microsText(us), String(us), String(us));
  for (const odd of [1.5, -3, Number.NaN, 2 ** 60]) assert.equal(microsText(odd), String(odd));
});
