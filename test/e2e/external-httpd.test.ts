// Real Apache httpd + mod_authnz_external running `authhook external` / `external-group`,
// with the example's config fragment verbatim (paths aside): what the client sees, what the
// app (a CGI script) sees, and what lands in Apache's error log.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HTTPD, startHttpd, type RunningHttpd } from './httpd.js';
import { rawRequest, type RawReply } from './proc.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const EXAMPLE = join(REPO, 'examples', 'apache-external');
const skip = HTTPD.skip;
let httpd: (RunningHttpd & { cacheDir: string }) | undefined;

const THROWS = `export function check_password(_e: unknown, _u: string, p: string): boolean { throw new Error('backend said no to ' + p); }\n`;
const HANGS = `export function check_password(): Promise<boolean> { return new Promise(() => {}); }\n`;
const SPINS = `export function check_password(): boolean { for (;;) {} }\n`;
const ENVIRON = `export function check_password(e: Record<string, string>, user: string, password: string): boolean | null {
  if (user !== 'env') return null;
  // Grants only when the environ says what Apache passed, and holds no password.
  return password === 'check' && e.REQUEST_URI === '/env/here' && e.REMOTE_ADDR === '127.0.0.1' && e.HTTP_COOKIE === 'k=v'
    && e.SERVER_NAME === 'app.example' && e['authhook.external.context'] === 'intranet' && !Object.values(e).includes(password);
}\n`;

function config(dir: string): string {
  const example = readFileSync(join(EXAMPLE, 'authhook-external.conf'), 'utf8')
    .replaceAll('/usr/bin/node', process.execPath)
    .replaceAll('/opt/authhook', REPO)
    .replaceAll('/etc/authhook/auth.ts', join(EXAMPLE, 'auth.ts'))
    .replaceAll('/var/cache/authhook', join(dir, 'cache'));
  const cmd = (script: string, extra = ''): string =>
    `"${process.execPath} ${REPO}/bin/authhook.js external --script ${join(dir, script)} --cache-dir ${join(dir, 'cache')}${extra}"`;
  const location = (path: string, name: string, extra = '') => `<Location ${path}>
  AuthType Basic
  AuthName "${name}"
  AuthBasicProvider external
  AuthExternal ${name}
  Require valid-user
${extra}</Location>
`;
  return `${example}
DefineExternalAuth throws pipe ${cmd('throws.ts')}
DefineExternalAuth hangs pipe ${cmd('hangs.ts', ' --timeout-ms 300')}
DefineExternalAuth environ pipe ${cmd('environ.ts')}
DefineExternalAuth spins pipe "/usr/bin/timeout 2 ${cmd('spins.ts').slice(1)}
${location('/throws/', 'throws')}${location('/hangs/', 'hangs')}${location('/spins/', 'spins')}${location('/env/', 'environ', '  AuthExternalContext intranet\n')}`;
}

const basicAuth = (user: string, password: string): Record<string, string> => ({
  Authorization: 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64'),
});

async function get(path: string, headers: Record<string, string> = {}): Promise<RawReply> {
  return rawRequest(httpd!.port, path, headers);
}

/** `n` concurrent logins as alice; a connection error is kept as `null`. */
async function burst(n: number, password: (i: number) => string, prefix: string): Promise<(RawReply | null)[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => get(`${prefix}${i}`, basicAuth('alice', password(i)))));
  return settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
}

/**
 * A wrong password is never granted. A right one is granted, except that mod_authnz_external
 * 3.3 itself sometimes SIGTERMs a neighbouring checker or child under concurrency (a stale
 * pointer in its pool cleanup, phokz/mod-auth-external#28; seen here with /bin/sh checkers
 * too): that request gets a 401 or a dropped connection, never a 200 it should not have.
 */
function assertBurst(replies: readonly (RawReply | null)[], valid: (i: number) => boolean): void {
  let granted = 0;
  replies.forEach((r, i) => {
    if (!valid(i)) assert.notEqual(r?.status, 200, `request ${i} with a wrong password was granted`);
    else if (r !== null && r.status !== 401) assert.equal(r.status, 200, `request ${i}`);
    if (valid(i) && r?.status === 200) granted++;
  });
  const wanted = replies.filter((_, i) => valid(i)).length;
  // A quarter: with the whole suite running beside it, 7 of 16 once passed (that bug's losses grow with load).
  assert.ok(granted >= wanted / 4, `only ${granted} of ${wanted} valid logins passed`);
}

before(async () => {
  if (skip !== false) return;
  httpd = await startHttpd({ config, files: { 'throws.ts': THROWS, 'hangs.ts': HANGS, 'spins.ts': SPINS, 'environ.ts': ENVIRON } });
});

after(async () => {
  await httpd?.stop();
});

describe('Apache httpd + mod_authnz_external + authhook external', { skip }, () => {
  test('the first checks, concurrent and with a cold cache: no wrong password is granted', async () => {
    const replies = await burst(8, (i) => (i % 2 === 0 ? 'wonderland' : 'nope'), '/private/');
    assertBurst(replies, (i) => i % 2 === 0);
  });

  test('no credentials: 401 with the Basic challenge', async () => {
    const r = await get('/private/x');
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Basic realm="Private"');
  });

  test('the right password: 200, and the app sees REMOTE_USER', async () => {
    const r = await get('/private/x', basicAuth('alice', 'wonderland'));
    assert.equal(r.status, 200);
    assert.match(r.body, /^REMOTE_USER=alice$/m);
    assert.match(r.body, /^AUTH_TYPE=Basic$/m);
  });

  test('a wrong password and an unknown user: 401', async () => {
    assert.equal((await get('/private/x', basicAuth('alice', 'Wonderland'))).status, 401);
    assert.equal((await get('/private/x', basicAuth('mallory', 'wonderland'))).status, 401);
    assert.match(httpd!.errorLog(), /AuthExtern authhook \[.*\]: Failed \(1\) for user alice/);
    assert.match(httpd!.errorLog(), /Failed \(2\) for user mallory/);
  });

  test('a password with ":" and non-ASCII UTF-8 gets through whole', async () => {
    const r = await get('/private/x', basicAuth('zoë', 'pä:ss wörd'));
    assert.equal(r.status, 200);
  });

  test('external-group: a member of any listed group gets 200, others 401', async () => {
    assert.equal((await get('/staff/x', basicAuth('alice', 'wonderland'))).status, 200);
    assert.equal((await get('/staff/x', basicAuth('bob', 'builder'))).status, 401);
    assert.equal((await get('/staff/x', basicAuth('bob', 'nope'))).status, 401);
  });

  test('external-group: a quoted group name with a space', async () => {
    assert.equal((await get('/domain/x', basicAuth('zoë', 'pä:ss wörd'))).status, 200);
    assert.equal((await get('/domain/x', basicAuth('alice', 'wonderland'))).status, 401);
  });

  test('a script that throws: 401, never 200, and the password stays out of the log', async () => {
    const r = await get('/throws/x', basicAuth('alice', 'Sekr1t-Thr0w'));
    assert.equal(r.status, 401);
    assert.match(httpd!.errorLog(), /Failed \(4\) for user alice/);
    assert.match(httpd!.errorLog(), /check_password threw/);
    assert.ok(!httpd!.errorLog().includes('Sekr1t-Thr0w'));
  });

  test('a script that hangs: 401 once --timeout-ms passes', async () => {
    const started = Date.now();
    const r = await get('/hangs/x', basicAuth('alice', 'wonderland'));
    assert.equal(r.status, 401);
    assert.ok(Date.now() - started < 5000);
    assert.match(httpd!.errorLog(), /Failed \(5\) for user alice/);
  });

  test('a synchronous endless loop is cut off by timeout(1) in front of the command: 401', async () => {
    const r = await get('/spins/x', basicAuth('alice', 'wonderland'));
    assert.equal(r.status, 401);
    assert.match(httpd!.errorLog(), /AuthExtern spins \[.*\]: Failed \(124\) for user alice/);
  });

  test('a newline in the user name is refused, not read as a third line', async () => {
    const r = await get('/private/x', basicAuth('alice\nwonderland', 'x'));
    assert.equal(r.status, 401);
    assert.match(httpd!.errorLog(), /Failed \(3\)/);
  });

  test('a password holding a newline after the real one is refused', async () => {
    const r = await get('/private/x', basicAuth('alice', 'wonderland\nanything'));
    assert.equal(r.status, 401);
  });

  test('the environ carries URI, IP, HTTP_HOST, COOKIE and CONTEXT from Apache', async () => {
    const headers = { ...basicAuth('env', 'check'), Cookie: 'k=v', Host: 'app.example' };
    assert.equal((await get('/env/here', headers)).status, 200);
    assert.equal((await get('/env/elsewhere', headers)).status, 401);
  });

  test('under concurrency no bad login passes, and valid ones do', async () => {
    const replies = await burst(24, (i) => (i % 3 === 0 ? 'nope' : 'wonderland'), '/staff/');
    assertBurst(replies, (i) => i % 3 !== 0);
  });

  test('no password appears in the error log', () => {
    const log = httpd!.errorLog();
    // 'wonderland' is left out: Apache logs the user name "alice\nwonderland" sent above.
    for (const secret of ['builder', 'pä:ss wörd', 'Sekr1t-Thr0w', 'nope']) assert.ok(!log.includes(secret), `${secret} in the log`);
  });
});
