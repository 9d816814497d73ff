// Differential test of config acceptance: each snippet, inside an authenticated <Location>, is
// checked by real Apache httpd (`apache2 -t`, with the modules the directives need) and
// compiled by authhook (`check-config` does the same). Both must accept it, or both refuse it.
// Where SPEC or the README has authhook refuse what httpd accepts (a config that can only
// deny, or that httpd reads differently), the case says why and asserts authhook's refusal.
// Skipped with a reason when httpd or mod_wsgi is missing; a failure under CI=true.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../providers/ldap/index.js';
import { compileApacheConfig } from '../../src/config/apache/index.js';
import { findHttpd } from './httpd.js';

const APACHE = findHttpd('mod_wsgi.so', 'libapache2-mod-wsgi-py3');
const MODULES = [
  'mpm_event', 'authz_core', 'authz_host', 'authz_user', 'authz_groupfile', 'authn_core', 'authn_file', 'auth_basic', 'auth_digest',
  'setenvif', 'env', 'ldap', 'authnz_ldap', 'wsgi',
];

interface Case {
  readonly body: string;
  /** The snippet goes at the top level, before the location (server-level directives). */
  readonly top?: boolean;
  /** authhook refuses what httpd accepts, on purpose: why. */
  readonly stricter?: string;
  /** authhook accepts what httpd refuses, on purpose: why. */
  readonly looser?: string;
}

const NO_ARGS = 'a rule that names nobody (or nothing) can only deny: authhook refuses it at start-up, as it does a config it cannot run';
const CASES: readonly Case[] = [
  { body: 'Require valid-user' },
  { body: 'Require ip 10.1' },
  { body: 'Require ip 10.' },
  { body: 'Require ip 10.0.0.1/8' },
  { body: 'Require ip 10.0.0.0/255.0.0.0' },
  { body: 'Require ip 10.0.0.0/33' },
  { body: 'Require ip 10.0.0.0/8.0' },
  { body: 'Require ip 2001:db8::/129' },
  { body: 'Require ip 127.0.0.1 ::1 10/8' },
  { body: 'Require ip 256.1.1.1' },
  { body: 'Require ip ::ffff:10.0.0.1' },
  { body: 'Require local' },
  { body: 'Require all granted denied' },
  { body: 'Require all' },
  { body: 'Require not valid-user' },
  { body: 'Require not ip 10.0.0.1' },
  { body: '<RequireAny>\n</RequireAny>' },
  { body: '<RequireAll>\nRequire not ip 10.0.0.1\n</RequireAll>' },
  { body: '<RequireNone>\nRequire ip 10.0.0.1\n</RequireNone>' },
  { body: '<RequireAll>\nRequire valid-user\nRequire not user u\n</RequireAll>' },
  { body: '<RequireAny>\nRequire valid-user\nRequire not user u\n</RequireAny>' },
  { body: 'Require method GET POST' },
  { body: 'Require method get' },
  { body: 'Require method FROB' },
  { body: 'Require method PROPFIND BASELINE-CONTROL' },
  { body: 'Require nosuch x' },
  { body: 'Satisfy any' },
  { body: 'Order allow,deny' },
  { body: 'AuthBasicProvider nosuch' },
  { body: 'AuthName' },
  { body: 'SetEnvIf User-Agent "(" x' },
  { body: 'SetEnvIf User-Agent ^curl is_curl\nRequire env is_curl' },
  { body: 'AuthLDAPURL "ldap://127.0.0.1/dc=example,dc=com?uid?sub?(objectClass=*)"\nRequire ldap-filter &(mail=*)(cn=a*)' },
  { body: 'AuthLDAPURL "ldap://127.0.0.1/dc=example,dc=com?uid?tree"' },
  { body: 'WSGIPassAuthorization On' },
  { body: 'WSGIPassAuthorization maybe' },
  { body: 'AuthDigestQop auth' },
  { body: 'AuthDigestQop auth auth-int' },
  { body: 'AuthDigestQop none' },
  { body: 'AuthDigestAlgorithm MD5' },
  { body: 'AuthDigestAlgorithm MD5-sess' },
  { body: 'AuthDigestNonceLifetime abc' },
  { body: 'AuthDigestShmemSize 10K', top: true },
  { body: 'AuthDigestShmemSize x', top: true },
  { body: 'AuthDigestShmemSize 10K' },
  { body: 'WSGIScriptAlias /a', top: true },
  { body: 'WSGIDaemonProcess g processes=0', top: true },
  { body: 'WSGIDaemonProcess g bogus=1', top: true },
  { body: 'WSGIDaemonProcess g\nWSGIDaemonProcess g', top: true },
  { body: 'WSGIApplicationGroup', top: true },
  { body: 'BrowserMatch ^x' },
  { body: 'AuthLDAPGroupAttributeIsDN maybe' },
  { body: '<LocationMatch "(">\n</LocationMatch>', top: true },
  { body: 'AuthDigestAlgorithm SHA-256', looser: 'SPEC §3 (RFC 7616): authhook answers SHA-256 Digest; mod_auth_digest 2.4 knows MD5 only' },
  { body: 'AuthDigestNonceLifetime -1', stricter: 'a nonce that never expires is refused: a lifetime of 1 s or more' },
  { body: 'SetEnv 1bad x', stricter: 'a variable name no environ reader can use is a mistake' },
  { body: 'AuthMerging And', stricter: 'AuthMerging Off only: a section\'s Require replaces the inherited one (README)' },
  { body: 'WSGIProcessGroup nope', stricter: 'httpd answers 500 for every request there; authhook will not start with a group that does not exist' },
  { body: 'WSGIDaemonProcess g threads=0', top: true, stricter: 'a daemon group needs a thread to serve' },
  { body: 'Require env', stricter: NO_ARGS },
  { body: 'Require user', stricter: NO_ARGS },
  { body: 'Require group', stricter: NO_ARGS },
  { body: 'Require method', stricter: NO_ARGS },
  { body: 'Require valid-user extra', stricter: 'httpd ignores the extra word; authhook refuses a rule it would have to read loosely' },
  { body: 'Require ldap-filter (mail=*)', stricter: 'README: mod_authnz_ldap wraps the filter in parentheses itself, so this one denies everyone under httpd' },
  { body: 'AuthType Form', stricter: 'authhook runs Basic and Digest only (httpd accepts any word here and answers 500 without mod_auth_form)' },
];

let dir: string | undefined;
after(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The snippet as an authenticated location, its password file beside it. */
function siteConf(c: Case): string {
  const location = (body: string): string => `<Location /x>\nAuthType Basic\nAuthName X\nAuthUserFile ${join(dir!, 'passwords')}\nRequire valid-user\n${body}\n</Location>\n`;
  return c.top === true ? `${c.body}\n${location('')}` : location(c.body);
}

/** httpd's verdict: `null` for Syntax OK, else its first error line. */
function httpdVerdict(site: string): string | null {
  const prelude = [
    `ServerRoot ${dir}`,
    `Listen 127.0.0.1:9`,
    `PidFile ${join(dir!, 'httpd.pid')}`,
    `ErrorLog ${join(dir!, 'error.log')}`,
    'ServerName parity.example',
    ...MODULES.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
    `Include ${site}`,
  ].join('\n');
  const conf = join(dir!, 'httpd.conf');
  writeFileSync(conf, prelude + '\n');
  const r = spawnSync(APACHE.bin!, ['-t', '-f', conf], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.stderr + r.stdout).split('\n').find((l) => l.trim() !== '') ?? `exit ${r.status}`;
}

/** authhook's verdict: `null` when it compiles, else the error message. */
function authhookVerdict(site: string): string | null {
  try {
    compileApacheConfig(site, { env: {} }).close();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

describe('config acceptance: authhook refuses at start-up what httpd refuses (apache2 -t)', { skip: APACHE.skip }, () => {
  for (const c of CASES) {
    test(`${c.top === true ? 'top level: ' : ''}${c.body.replace(/\n/g, ' ⏎ ')}`, () => {
      dir ??= mkdtempSync(join(tmpdir(), 'authhook-config-parity-'));
      writeFileSync(join(dir, 'passwords'), 'u:{SHA}ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\n');
      const site = join(dir, 'site.conf');
      writeFileSync(site, siteConf(c));
      const httpd = httpdVerdict(site);
      const ours = authhookVerdict(site);
      const shown = `\n  httpd:    ${httpd ?? 'Syntax OK'}\n  authhook: ${ours ?? 'compiles'}`;
      if (c.stricter !== undefined) {
        assert.equal(httpd, null, `httpd accepts it${shown}`);
        assert.notEqual(ours, null, `authhook refuses it (${c.stricter})${shown}`);
        return;
      }
      if (c.looser !== undefined) {
        assert.notEqual(httpd, null, `httpd refuses it${shown}`);
        assert.equal(ours, null, `authhook accepts it (${c.looser})${shown}`);
        return;
      }
      assert.equal(ours === null, httpd === null, `both accept it, or both refuse it${shown}`);
    });
  }
});
