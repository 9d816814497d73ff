import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runAuthhook } from '../helpers/spawn.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/apache/site/${name}`, import.meta.url));

test('check-config prints the effective policy per location and the mounts, and exits 0', async () => {
  const r = await runAuthhook(['check-config', fixture('authhook.conf')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /<Location \/shop>  \(authhook\.conf:8\)\n  AuthType Basic, AuthName "Shop"\n  Basic providers, in order:\n    1\. wsgi \(.*mod-wsgi-auth\.ts\)\n  Require:\n    Require valid-user\n/);
  assert.match(r.stdout, /<Location \/shop\/admin>  \(authhook\.conf:8 \+ authhook\.conf:17\)/);
  assert.match(r.stdout, / {4}<RequireAll>\n {6}Require valid-user\n {6}Require wsgi-group secret-agents\n {4}<\/RequireAll>\n  a user who is not authorised gets 403 \(AuthzSendForbiddenOnFailure On\)\n  groups from: .*mod-wsgi-auth\.ts/);
  assert.match(r.stdout, /Mounts \(WSGIScriptAlias\), longest prefix first:\n  \/shop\/admin → .*app\.ts  application-group=admin pass-authorization=Off  \(authhook\.conf:6\)\n  \/shop → /);
  assert.match(r.stdout, /Syntax OK\n$/);
});

test('check-config of a file with a mistake exits non-zero with file:line, directive and suggestion on stderr', async () => {
  const r = await runAuthhook(['check-config', fixture('typo.conf')]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /typo\.conf:7: Require: unknown provider "grup" \(did you mean "group"\?\) \[AUTHHOOK_ERR_CONFIG_INVALID\]/);
});

test('check-config refuses an unknown directive, and with --warn-unknown warns and goes on', async () => {
  const strict = await runAuthhook(['check-config', fixture('unknown.conf')]);
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /unknown\.conf:3: FrobnicateHeaders: unknown directive/);
  const lenient = await runAuthhook(['check-config', '--warn-unknown', fixture('unknown.conf')]);
  assert.equal(lenient.code, 0, lenient.stderr);
  assert.match(lenient.stderr, /FrobnicateHeaders: unknown directive; skipped/);
  assert.match(lenient.stdout, /Syntax OK/);
});

test('check-config loads the hook scripts: one that lacks the hook a location calls is an error', async () => {
  const r = await runAuthhook(['check-config', fixture('no-hook.conf')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-hook\.conf:2: .*app\.ts exports no check_password, which \/ calls/);
});

test('check-config of a file that does not exist is an error', async () => {
  const r = await runAuthhook(['check-config', fixture('nope.conf')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /cannot read config file/);
});

test('check-config without a file prints what it needs', async () => {
  const r = await runAuthhook(['check-config']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /check-config needs exactly one FILE/);
});
