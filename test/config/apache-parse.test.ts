import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { symlinkSync } from 'node:fs';
import { compileText, configError, writeConf } from '../helpers/apache.js';
import { compileApacheConfig } from '../../src/config/apache/index.js';
import { describeRequire } from '../../src/authz/require-parse.js';
import type { LocationSection } from '../../src/config/model.js';

const BASIC = 'AuthType Basic\nAuthName Staff\nAuthBasicProvider wsgi\nWSGIAuthUserScript auth.ts\n';

function section(sections: readonly LocationSection[], path: string): LocationSection {
  const s = sections.find((x) => x.path === path);
  assert.ok(s, `no section ${path}`);
  return s;
}

test('Include reads another file in place, relative to the main file, with its own line numbers', () => {
  const c = compileText(`${BASIC}<Location /a>\n  Include conf.d/a.conf\n</Location>\n`, {
    files: { 'conf.d/a.conf': '# the a rules\nRequire user spy\n' },
  });
  const a = section(c.model.sections, '/a');
  assert.equal(describeRequire(a.directives.require!), 'Require user spy');
  assert.ok(c.files.some((f) => f.endsWith(join('conf.d', 'a.conf'))));
  c.close();
});

test('an error in an included file names that file and its line', () => {
  const err = configError(`${BASIC}Include conf.d/bad.conf\n`, { files: { 'conf.d/bad.conf': '\n\nRequire grup x\n' } });
  assert.equal(err.where, join('conf.d', 'bad.conf') + ':3');
});

test('Include with a wildcard reads every match in alphabetical order', () => {
  const c = compileText(`${BASIC}Include sites/*.conf\n`, {
    files: {
      'sites/20-b.conf': '<Location /b>\nRequire user b\n</Location>\n',
      'sites/10-a.conf': '<Location /a>\nRequire user a\n</Location>\n',
      'sites/notes.txt': 'not a conf\n',
    },
  });
  assert.deepEqual(c.model.sections.map((s) => s.path), ['/', '/a', '/b']);
  c.close();
});

test('Include of a directory reads the files in it, skipping dot files', () => {
  const c = compileText(`${BASIC}Include sites\n`, {
    files: { 'sites/a.conf': '<Location /a>\nRequire user a\n</Location>\n', 'sites/.a.conf.swp': 'garbage <<<\n' },
  });
  assert.deepEqual(c.model.sections.map((s) => s.path), ['/', '/a']);
  c.close();
});

test('Include of a missing file is an error; a wildcard that matches nothing is too', () => {
  assert.equal(configError(`${BASIC}Include missing.conf\n`).where, 'authhook.conf:5');
  assert.match(configError(`${BASIC}Include none/*.conf\n`).message, /no file matches the wildcard pattern/);
});

test('IncludeOptional of nothing is silent', () => {
  const c = compileText(`${BASIC}IncludeOptional none/*.conf\nIncludeOptional missing.conf\nRequire valid-user\n`);
  assert.equal(c.model.sections.length, 1);
  c.close();
});

test('an include cycle is an error that shows the cycle', () => {
  const err = configError(`${BASIC}Include a.conf\n`, { files: { 'a.conf': 'Include b.conf\n', 'b.conf': 'Include a.conf\n' } });
  assert.equal(err.where, 'b.conf:1');
  assert.match(err.message, /include cycle: a\.conf → b\.conf → a\.conf/);
});

test('a file including itself through a symlink is a cycle too', () => {
  const conf = writeConf(`${BASIC}Include loop/self.conf\n`, { 'self.conf': 'Include loop/self.conf\n' });
  symlinkSync(dirname(conf), join(dirname(conf), 'loop'));
  assert.throws(() => compileApacheConfig(conf, { env: {} }), (err: Error & { code?: string }) => err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' && /include cycle/.test(err.message));
});

test('a section must close in the file that opened it', () => {
  const err = configError(`${BASIC}Include open.conf\nRequire valid-user\n</Location>\n`, { files: { 'open.conf': '<Location /x>\n' } });
  assert.equal(err.where, 'open.conf:1');
  assert.match(err.message, /<Location> was not closed/);
});

test('Define sets a variable for later lines; UnDefine removes it', () => {
  const err = configError(`Define REALM "Back Office"\n${BASIC.replace('AuthName Staff', 'AuthName "${REALM}"')}UnDefine REALM\nAuthName \${REALM}\n`);
  assert.equal(err.where, 'authhook.conf:7');
  const c = compileText(`Define REALM "Back Office"\nDefine DIR conf.d\n${BASIC.replace('AuthName Staff', 'AuthName "${REALM}"')}Include \${DIR}/x.conf\n`, {
    files: { 'conf.d/x.conf': 'Require valid-user\n' },
  });
  assert.equal(c.model.sections[0]!.directives.authName, 'Back Office');
  c.close();
});

test('${VAR} falls back to the environment given to the reader', () => {
  const c = compileText(`${BASIC.replace('AuthName Staff', 'AuthName "${SITE_REALM}"')}Require valid-user\n`, { env: { SITE_REALM: 'From Env' } });
  assert.equal(c.model.sections[0]!.directives.authName, 'From Env');
  c.close();
});

test('<IfDefine> keeps its contents only when the name is defined; ! negates', () => {
  const conf = `Define STRICT\n${BASIC}<IfDefine STRICT>\nRequire user spy\n</IfDefine>\n<IfDefine !STRICT>\nRequire valid-user\n</IfDefine>\n`;
  const c = compileText(conf);
  assert.equal(describeRequire(c.model.sections[0]!.directives.require!), 'Require user spy');
  c.close();
});

test('a skipped section is not read: unknown directives and undefined variables in it are no error', () => {
  const c = compileText(`${BASIC}<IfDefine NOPE>\nBogusDirective \${UNDEFINED}\nInclude missing.conf\n</IfDefine>\nRequire valid-user\n`);
  assert.equal(c.model.sections.length, 1);
  c.close();
});

test('<IfModule> contents apply (every module counts as loaded); <IfModule !x> is skipped', () => {
  const conf = `${BASIC}<IfModule mod_wsgi.c>\nRequire user spy\n</IfModule>\n<IfModule !wsgi_module>\nRequire all granted\n</IfModule>\n`;
  const c = compileText(conf);
  assert.equal(describeRequire(c.model.sections[0]!.directives.require!), 'Require user spy');
  c.close();
});

test('<IfVersion> compares against httpd 2.4, so the 2.2 branch of a dual config is skipped', () => {
  const conf = `${BASIC}<IfVersion < 2.4>\nOrder allow,deny\nAllow from all\n</IfVersion>\n<IfVersion >= 2.4>\nRequire valid-user\n</IfVersion>\n`;
  const c = compileText(conf);
  assert.equal(describeRequire(c.model.sections[0]!.directives.require!), 'Require valid-user');
  c.close();
});

test('a closing tag that does not match the open section is an error', () => {
  const err = configError(`${BASIC}<Location /x>\n<RequireAll>\nRequire valid-user\n</Location>\n`);
  assert.equal(err.where, 'authhook.conf:8');
  assert.match(err.message, /Expected <\/RequireAll> but saw <\/Location>/);
});

test('a closing tag with nothing open is an error', () => {
  assert.match(configError(`${BASIC}</Location>\n`).message, /<\/Location> without matching <Location> section/);
});

test('an unclosed section is an error at the line that opened it', () => {
  const err = configError(`${BASIC}<Location /x>\nRequire valid-user\n`);
  assert.equal(err.where, 'authhook.conf:5');
});

test('a section tag without its closing > is an error', () => {
  assert.match(configError(`${BASIC}<Location /x\nRequire valid-user\n</Location>\n`).message, /missing closing '>'/);
});

test('section and directive names are case-insensitive, as in httpd', () => {
  const c = compileText(`authtype basic\nAUTHNAME Staff\nauthbasicprovider wsgi\nwsgiauthuserscript auth.ts\n<location /x>\nrequire valid-user\n</LOCATION>\n`);
  assert.equal(section(c.model.sections, '/x').directives.require!.kind, 'rule');
  assert.equal(c.model.sections[0]!.directives.authType, 'Basic');
  c.close();
});
