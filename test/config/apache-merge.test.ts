import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileText } from '../helpers/apache.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { createEngine } from '../../src/engine/decide.js';
import { describeRequire } from '../../src/authz/require-parse.js';
import type { Policy } from '../../src/config/model.js';

function engineFor(conf: string) {
  const c = compileText(conf);
  const e = createEngine(c.model, { logger: memoryLogger() });
  return {
    compiled: c,
    policy(path: string): Policy {
      const p = e.policyFor(path);
      assert.ok('authType' in p, String(p));
      return p;
    },
    ask: (path: string, authorization?: string, method = 'GET', env: Record<string, string> = {}) =>
      // As httpd and the gateway: the app is handed the resolved path.
      e.decide({ environ: environ({ REQUEST_URI: path, REQUEST_METHOD: method, ...env }), authorization, authorizationCount: authorization === undefined ? 0 : 1, appSeesNormalisedPath: true }),
  };
}

const TOP = 'AuthType Basic\nAuthName "Top Realm"\nAuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\nRequire valid-user\n';

test('top-level directives act as a <Location /> that comes first', async () => {
  const e = engineFor(`<Location />\nAuthName "Section Realm"\n</Location>\n${TOP}`);
  assert.equal(e.compiled.model.sections[0]!.where, 'authhook.conf:4');
  // The explicit <Location /> comes after the top level, so its AuthName wins.
  assert.equal(e.policy('/anything').authName, 'Section Realm');
  const d = await e.ask('/anything');
  assert.equal(d.status, 401);
  assert.match(String(d.headers['WWW-Authenticate']), /realm="Section Realm"/);
});

test('a more specific location overrides per directive and inherits the rest', async () => {
  const e = engineFor(`${TOP}<Location /agents>\nRequire wsgi-group secret-agents\nWSGIAuthGroupScript auth.ts\n</Location>\n`);
  const p = e.policy('/agents/x');
  assert.equal(p.authName, 'Top Realm');
  assert.equal(describeRequire(p.require!), 'Require wsgi-group secret-agents');
  assert.equal((await e.ask('/agents/x', basic('spy', 'secret'))).status, 200);
  assert.equal((await e.ask('/agents/x', basic('citizen', 'secret'))).status, 401);
  assert.equal((await e.ask('/elsewhere', basic('citizen', 'secret'))).status, 200);
});

test('specificity decides, not file order: a deeper location written first still wins', () => {
  const e = engineFor(`<Location /a/b>\nAuthName Deep\n</Location>\n<Location /a>\nAuthName Shallow\n</Location>\n${TOP}`);
  assert.equal(e.policy('/a/b/c').authName, 'Deep');
  assert.equal(e.policy('/a/x').authName, 'Shallow');
});

test('two sections for the same path merge in file order, the later winning', () => {
  const e = engineFor(`${TOP}<Location /a>\nAuthName First\nAuthzSendForbiddenOnFailure On\n</Location>\n<Location /a>\nAuthName Second\n</Location>\n`);
  const p = e.policy('/a');
  assert.equal(p.authName, 'Second');
  assert.equal(p.forbiddenOnFailure, true);
  assert.deepEqual(p.from, ['authhook.conf:1', 'authhook.conf:6', 'authhook.conf:10']);
});

test('a <LocationMatch> applies after every matching prefix', async () => {
  const e = engineFor(`${TOP}<LocationMatch "\\.pdf$">\nAuthName Documents\nRequire user spy\n</LocationMatch>\n<Location /docs>\nAuthName Docs\n</Location>\n`);
  assert.equal(e.policy('/docs/a.pdf').authName, 'Documents');
  assert.equal(e.policy('/docs/a.txt').authName, 'Docs');
  assert.equal((await e.ask('/docs/a.pdf', basic('citizen', 'secret'))).status, 401);
  assert.equal((await e.ask('/docs/a.txt', basic('citizen', 'secret'))).status, 200);
});

test('<Location ~ "regex"> is the same as <LocationMatch>', () => {
  const e = engineFor(`${TOP}<Location ~ "^/api/v[0-9]+/">\nRequire user spy\n</Location>\n`);
  assert.equal(e.compiled.model.sections[1]!.kind, 'regex');
  assert.equal(describeRequire(e.policy('/api/v2/x').require!), 'Require user spy');
  assert.equal(describeRequire(e.policy('/api/vx/x').require!), 'Require valid-user');
});

test('a location matches whole path segments only, after normalisation', async () => {
  const e = engineFor(`${TOP}<Location /private>\nRequire user spy\n</Location>\n`);
  assert.equal((await e.ask('/private123', basic('citizen', 'secret'))).status, 200);
  assert.equal((await e.ask('//private/./x', basic('citizen', 'secret'))).status, 401);
  assert.equal((await e.ask('/%70rivate', basic('citizen', 'secret'))).status, 401);
});

test('AuthType None and Require all granted open a sub-location', async () => {
  const e = engineFor(`${TOP}<Location /public>\nAuthType None\nRequire all granted\n</Location>\n`);
  const d = await e.ask('/public/x');
  assert.equal(d.status, 200);
  assert.equal(d.user, null);
});

test('SetEnv is not seen by Require env (httpd sets it after authorisation): 403, as Apache answers', async () => {
  const e = engineFor(`${TOP}<Location /flag>\nSetEnv OPEN_DOOR 1\nRequire env OPEN_DOOR\n</Location>\n`);
  assert.equal((await e.ask('/flag')).status, 403);
  assert.equal((await e.ask('/other')).status, 401);
});

test('SetEnvIf, SetEnvIfNoCase and BrowserMatch set what Require env tests; outer rules run first', async () => {
  const e = engineFor(
    `${TOP}BrowserMatch ^Probe/ probe\n<Location /probe>\nRequire env probe\n</Location>\n` +
      `<Location /lan>\nSetEnvIf Remote_Addr ^10\\. lan\nSetEnvIfNoCase X-Area ^OPEN$ lan=$0\nSetEnvIf X-Area ^never$ !lan\nRequire env lan\n</Location>\n` +
      `<Location /uri>\nSetEnvIf Request_URI ^/uri/ok door\nSetEnvIf Referer ^$ !door\nRequire env door\n</Location>\n`,
  );
  assert.equal((await e.ask('/probe', undefined, 'GET', { HTTP_USER_AGENT: 'Probe/1.0' })).status, 200);
  assert.equal((await e.ask('/probe', undefined, 'GET', { HTTP_USER_AGENT: 'probe/1.0' })).status, 403, 'BrowserMatch minds case');
  assert.equal((await e.ask('/probe')).status, 403);
  assert.equal((await e.ask('/lan', undefined, 'GET', { REMOTE_ADDR: '10.1.2.3' })).status, 200);
  assert.equal((await e.ask('/lan', undefined, 'GET', { REMOTE_ADDR: '192.0.2.1' })).status, 403);
  assert.equal((await e.ask('/lan', undefined, 'GET', { HTTP_X_AREA: 'open' })).status, 200, 'NoCase');
  assert.equal((await e.ask('/lan', undefined, 'GET', { REMOTE_ADDR: '10.1.2.3', HTTP_X_AREA: 'never' })).status, 403, '!var unsets');
  // A missing header is the empty string, so "^$" matches it, as in httpd.
  assert.equal((await e.ask('/uri/ok', undefined, 'GET', { HTTP_REFERER: 'https://x/' })).status, 200);
  assert.equal((await e.ask('/uri/ok')).status, 403);
  assert.equal((await e.ask('/uri/other', undefined, 'GET', { HTTP_REFERER: 'https://x/' })).status, 403);
});

test('Require env never sees the environ: a client cannot grant itself a variable by sending a header of that name', async () => {
  const e = engineFor(`${TOP}<Location /flag>\nRequire env HTTP_X_OPEN REMOTE_ADDR\n</Location>\n`);
  assert.equal((await e.ask('/flag', undefined, 'GET', { HTTP_X_OPEN: '1' })).status, 403);
});

test('a SetEnvIf with a bad regex or variable is a start-up error naming the line', () => {
  assert.throws(() => compileText(`${TOP}SetEnvIf User-Agent "(" probe\n`), /SetEnvIf: "\(" is not a usable regular expression/);
  assert.throws(() => compileText(`${TOP}SetEnvIf User-Agent x 1bad\n`), /SetEnvIf: "1bad" is not a usable variable name/);
  assert.throws(() => compileText(`${TOP}BrowserMatch x\n`), /BrowserMatch/);
});
