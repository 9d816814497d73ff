import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeHashPool, htpasswdProvider } from '../../providers/htpasswd/index.js';
import { environ, tempDir } from '../helpers/index.js';
import { realHtpasswdVerifies, run, runOnTty, skipWithout } from '../helpers/tools.js';

after(() => closeHashPool());

// The sources, not bin/authhook.js: that prefers a dist/ build, which may be older.
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function htpasswd(args: readonly string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'htpasswd', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const FLAGS = ['-B', '-m', '-s', '-d', '-2', '-5'];

test('every format the CLI writes is verified by the real htpasswd -v', { skip: skipWithout('htpasswd') }, async () => {
  const file = join(tempDir(), 'htpasswd');
  assert.equal((await htpasswd(['-c', '-i', '-B', '-C', '4', file, 'first'], 'one\n')).code, 0);
  for (const [i, flag] of FLAGS.entries()) {
    const pw = i === 3 ? 'pä:ss' : `pä:ss wörd ${i}`;
    assert.equal((await htpasswd(['-i', flag, file, `u${i}`], pw + '\n')).code, 0, flag);
    assert.equal(realHtpasswdVerifies(file, `u${i}`, pw), 0, `${flag} verified by htpasswd`);
    assert.equal(realHtpasswdVerifies(file, `u${i}`, 'wrong'), 3);
  }
  assert.equal(realHtpasswdVerifies(file, 'first', 'one'), 0);
});

test('-v exits 0 for the right password, 3 for a wrong one, 6 for an unknown user, on files the real htpasswd wrote', { skip: skipWithout('htpasswd') }, async () => {
  const file = join(tempDir(), 'htpasswd');
  run('htpasswd', ['-cbB', '-C', '4', file, 'alice', 'pä:ss']);
  for (const flag of ['-m', '-s', '-d', '-2', '-5']) run('htpasswd', [`-b${flag.slice(1)}`, file, `u${flag}`, 'secret']);
  assert.equal((await htpasswd(['-v', '-i', file, 'alice'], 'pä:ss\n')).code, 0);
  assert.equal((await htpasswd(['-v', '-i', file, 'alice'], 'pä:sS\n')).code, 3);
  assert.equal((await htpasswd(['-v', '-i', file, 'nobody'], 'x\n')).code, 6);
  for (const flag of ['-m', '-s', '-d', '-2', '-5']) {
    assert.equal((await htpasswd(['-v', '-i', file, `u${flag}`], 'secret\n')).code, 0, flag);
    assert.equal((await htpasswd(['-v', '-i', file, `u${flag}`], 'Secret\n')).code, 3, flag);
  }
});

test('updating a user replaces their line in place and keeps every other line and the file mode', async () => {
  const file = join(tempDir(), 'htpasswd');
  writeFileSync(file, '# staff\nalice:{SHA}x\nbob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n');
  chmodSync(file, 0o640);
  const r = await htpasswd(['-i', '-s', file, 'alice'], 'new\n');
  assert.equal(r.code, 0);
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[0], '# staff');
  assert.match(lines[1]!, /^alice:\{SHA\}/);
  assert.equal(lines[2], 'bob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  const p = htpasswdProvider(file, { watch: false, statIntervalMs: 0 });
  assert.equal(await p.check_password(environ(), 'alice', 'new'), true);
  p.close();
});

test('-D deletes the user (exit 0), and deleting an absent user is exit 0 as well', async () => {
  const file = join(tempDir(), 'htpasswd');
  writeFileSync(file, 'alice:{SHA}x\nbob:{SHA}y\n');
  assert.equal((await htpasswd(['-D', file, 'alice'])).code, 0);
  assert.equal(readFileSync(file, 'utf8'), 'bob:{SHA}y\n');
  assert.equal((await htpasswd(['-D', file, 'alice'])).code, 0);
});

test('bad usage exits like htpasswd: 1 for a missing file, 2 for syntax, 5 for too long, 6 for a bad user name', async () => {
  const dir = tempDir();
  assert.equal((await htpasswd(['-i', join(dir, 'missing'), 'alice'], 'x\n')).code, 1);
  assert.equal((await htpasswd(['-c', '-i', '-B', '-m', join(dir, 'f'), 'alice'], 'x\n')).code, 2);
  assert.equal((await htpasswd(['-c', '-i', '-C', '3', join(dir, 'f'), 'alice'], 'x\n')).code, 2);
  assert.equal((await htpasswd(['-c', '-b', join(dir, 'f'), 'alice', 'pw'])).code, 2, 'no passwords in argv');
  assert.equal((await htpasswd(['-c', '-i', join(dir, 'f'), 'a:b'], 'x\n')).code, 6);
  assert.equal((await htpasswd(['-c', '-i', join(dir, 'f'), 'x'.repeat(300)], 'x\n')).code, 5);
  assert.equal((await htpasswd(['-c', '-i', join(dir, 'f'), 'alice'], 'y'.repeat(300) + '\n')).code, 5);
  assert.equal((await htpasswd(['-c', join(dir, 'f'), 'alice'])).code, 2, 'no terminal and no -i');
  assert.equal((await htpasswd(['--nope'])).code, 2);
});

test('-n prints the line and writes no file', async () => {
  const r = await htpasswd(['-n', '-i', '-s', 'alice'], 'secret\n');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n');
});

test('on a terminal the password is asked (twice when setting it) without echo', { skip: skipWithout('python3', 'htpasswd') }, () => {
  const file = join(tempDir(), 'htpasswd');
  const ok = runOnTty('pä:ss', process.execPath, ['--import', 'tsx', MAIN, 'htpasswd', '-c', '-m', file, 'alice']);
  assert.equal(ok.status, 0, ok.output);
  assert.ok(!ok.output.includes('pä:ss'), 'the password is not echoed');
  assert.equal(realHtpasswdVerifies(file, 'alice', 'pä:ss'), 0);
  const verify = runOnTty('pä:ss', process.execPath, ['--import', 'tsx', MAIN, 'htpasswd', '-v', file, 'alice']);
  assert.equal(verify.status, 0, verify.output);
});
