import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileText, configError } from '../helpers/apache.js';
import { memoryLogger } from '../helpers/index.js';

const APP = { 'app.ts': 'export default (_req: unknown, res: { end(s: string): void }) => res.end("ok");\n', 'lib/.keep': '' };

test('WSGIScriptAlias records the mount, normalised, with its options', () => {
  const c = compileText('WSGIDaemonProcess site\nWSGIScriptAlias /shop/ app.ts process-group=site application-group=%{GLOBAL} pass-authorization=On\n', { files: APP });
  c.close();
  assert.deepEqual(c.mounts, [
    { path: '/shop', app: join(c.file, '..', 'app.ts'), processGroup: 'site', applicationGroup: '%{GLOBAL}', passAuthorization: true, where: 'authhook.conf:2' },
  ]);
});

test('pass-authorization defaults to the top-level WSGIPassAuthorization, else Off', () => {
  const c = compileText('WSGIScriptAlias /a app.ts\nWSGIScriptAlias /b app.ts pass-authorization=Off\nWSGIPassAuthorization On\n', { files: APP });
  c.close();
  assert.deepEqual(c.mounts.map((m) => m.passAuthorization), [true, false]);
});

test('WSGIScriptAlias errors: a relative URL, a missing app, an unknown option, the same mount twice', () => {
  assert.match(configError('WSGIScriptAlias shop app.ts\n', { files: APP }).message, /must start with "\/"/);
  assert.match(configError('WSGIScriptAlias /shop missing.ts\n').message, /app module not found/);
  assert.match(configError('WSGIScriptAlias /shop app.ts proces-group=x\n', { files: APP }).message, /Invalid option to WSGI script alias definition\. \("proces-group=x"; did you mean "process-group="\?\)/);
  const err = configError('WSGIScriptAlias /shop app.ts\nWSGIScriptAlias /shop/ app.ts\n', { files: APP });
  assert.equal(err.where, 'authhook.conf:2');
  assert.match(err.message, /already mounted \(authhook.conf:1\)/);
});

test('a process-group= or WSGIProcessGroup must name a WSGIDaemonProcess (defined anywhere in the file)', () => {
  const ok = compileText('WSGIScriptAlias /shop app.ts process-group=site\n<Location /shop>\nWSGIProcessGroup site\n</Location>\nWSGIDaemonProcess site\n', { files: APP });
  ok.close();
  const err = configError('WSGIDaemonProcess site\nWSGIScriptAlias /shop app.ts process-group=stie\n', { files: APP });
  assert.equal(err.where, 'authhook.conf:2');
  assert.match(err.message, /no WSGIDaemonProcess named "stie" \(did you mean "site"\?\)/);
  compileText('<Location />\nWSGIProcessGroup %{ENV:GROUP}\n</Location>\n').close();
});

test('WSGIProcessGroup and WSGIApplicationGroup are kept per location for the gateway', () => {
  const c = compileText('WSGIDaemonProcess site\nWSGIApplicationGroup %{GLOBAL}\n<Location /shop>\nWSGIProcessGroup site\nWSGIApplicationGroup shop\n</Location>\n');
  c.close();
  assert.deepEqual(
    c.locationGroups.map((g) => [g.path, g.processGroup, g.applicationGroup, g.where]),
    [['/', null, '%{GLOBAL}', 'authhook.conf:2'], ['/shop', 'site', 'shop', 'authhook.conf:3']],
  );
  assert.match(configError('WSGIApplicationGroup ""\n').message, /Invalid name for WSGI application group/);
});

test('WSGIDaemonProcess reads every option the gateway will use', () => {
  const conf = 'WSGIDaemonProcess shop processes=3 threads=8 home=lib node-path=lib:other lang=en_GB.UTF-8 locale=en_GB.UTF-8 maximum-requests=1000 inactivity-timeout=300 request-timeout=60 queue-timeout=45 display-name=%{GROUP} user=www-data group=www-data\n';
  const c = compileText(conf, { files: APP, logger: memoryLogger() });
  c.close();
  const dir = join(c.file, '..');
  assert.deepEqual(c.daemonProcesses, [
    {
      name: 'shop', processes: 3, threads: 8, home: join(dir, 'lib'), nodePath: [join(dir, 'lib'), join(dir, 'other')],
      lang: 'en_GB.UTF-8', locale: 'en_GB.UTF-8', maximumRequests: 1000, inactivityTimeoutS: 300, requestTimeoutS: 60,
      queueTimeoutS: 45, displayName: '%{GROUP}', user: 'www-data', group: 'www-data', where: 'authhook.conf:1',
    },
  ]);
});

test('WSGIDaemonProcess defaults are mod_wsgi\'s: one process, 15 threads, nothing recycled', () => {
  const c = compileText('WSGIDaemonProcess plain\n');
  c.close();
  assert.equal(c.daemonProcesses[0]!.processes, 1);
  assert.equal(c.daemonProcesses[0]!.threads, 15);
  assert.equal(c.daemonProcesses[0]!.maximumRequests, 0);
});

test('python-path= and python-home= are read as node-path=, with a warning', () => {
  const logger = memoryLogger();
  const c = compileText('WSGIDaemonProcess shop python-home=lib python-path=lib\n', { files: APP, logger });
  c.close();
  assert.equal(c.daemonProcesses[0]!.nodePath.length, 2);
  assert.equal(logger.lines.filter((l) => l.level === 'warn' && /read as node-path=/.test(l.message)).length, 2);
});

test('mod_wsgi options without meaning here are warned about; unknown ones are errors', () => {
  const logger = memoryLogger();
  compileText('WSGIDaemonProcess shop umask=0002 shutdown-timeout=5\n', { logger }).close();
  assert.equal(logger.lines.filter((l) => /has no effect in authhook/.test(l.message)).length, 2);
  assert.match(configError('WSGIDaemonProcess shop thread=4\n').message, /Invalid option to WSGI daemon process definition\. \("thread=4"; did you mean "threads"\?/);
});

test('WSGIDaemonProcess value errors: bad counts, missing home, a repeated option, a duplicate name', () => {
  assert.match(configError('WSGIDaemonProcess shop processes=0\n').message, /processes= must be a whole number, 1 or more/);
  assert.match(configError('WSGIDaemonProcess shop threads=many\n').message, /threads=/);
  assert.match(configError('WSGIDaemonProcess shop home=nowhere\n').message, /home= is not a directory/);
  assert.match(configError('WSGIDaemonProcess shop threads=2 threads=3\n').message, /given twice/);
  const err = configError('WSGIDaemonProcess shop\nWSGIDaemonProcess shop\n');
  assert.equal(err.where, 'authhook.conf:2');
  assert.match(err.message, /Name duplicates previous WSGI daemon definition/);
});

test('WSGIDaemonProcess and WSGIScriptAlias belong at the top level only', () => {
  assert.match(configError('<Location /x>\nWSGIDaemonProcess shop\n</Location>\n').message, /not allowed in <Location>/);
});

test('WSGIDispatchScript is recorded for the gateway; its errors name the line', () => {
  const files = { ...APP, 'dispatch.ts': 'export function process_group() { return null; }\n' };
  const c = compileText('WSGIScriptAlias / app.ts\nWSGIDispatchScript dispatch.ts application-group=%{GLOBAL}\n', { files });
  c.close();
  assert.equal(c.dispatchScript, join(c.file, '..', 'dispatch.ts'));
  const none = compileText('WSGIScriptAlias / app.ts\n', { files });
  none.close();
  assert.equal(none.dispatchScript, null);
  assert.match(configError('WSGIDispatchScript missing.ts\n').message, /dispatch script not found/);
  assert.match(configError('WSGIDispatchScript dispatch.ts proces-group=x\n', { files }).message, /Invalid option to WSGI dispatch script definition/);
  const twice = configError('WSGIDispatchScript dispatch.ts\nWSGIDispatchScript dispatch.ts\n', { files });
  assert.equal(twice.where, 'authhook.conf:2');
  assert.match(twice.message, /already set \(authhook.conf:1\)/);
  assert.match(configError('<Location /x>\nWSGIDispatchScript dispatch.ts\n</Location>\n', { files }).message, /WSGIDispatchScript: not allowed in <Location>/);
});
