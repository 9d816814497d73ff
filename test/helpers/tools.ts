// Real external tools (htpasswd, htdigest, openssl) for tests: skip with a reason when one is
// missing, except under CI=true, where the test runs and fails on the missing tool.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './index.js';

function present(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
}

/** `skip` option for a test needing these tools: a reason when one is missing, `false` under CI. */
export function skipWithout(...tools: string[]): string | false {
  const missing = tools.filter((t) => !present(t));
  if (missing.length === 0 || process.env.CI === 'true') return false;
  return `needs ${missing.join(', ')} (Debian apache2-utils / openssl / python3)`;
}

/** Runs a tool to completion; throws when it cannot be started. */
export function run(tool: string, args: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', input: input ?? '' });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `htpasswd -nb<flags> user password`: the line the real tool writes. */
export function realHtpasswdLine(flags: string, user: string, password: string, extra: readonly string[] = []): string {
  const r = run('htpasswd', [`-nb${flags}`, ...extra, user, password]);
  if (r.status !== 0) throw new Error(`htpasswd -nb${flags} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Whether the real `htpasswd -v` accepts the password for the user in the file. */
export function realHtpasswdVerifies(file: string, user: string, password: string): number | null {
  return run('htpasswd', ['-vb', file, user, password]).status;
}

const PTY_DRIVER = `import os, pty, sys
pw = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
buf, sent = b'', 0
while True:
    try:
        d = os.read(fd, 1024)
    except OSError:
        break
    if not d:
        break
    buf += d
    if buf.count(b'password:') > sent:
        sent += 1
        os.write(fd, pw.encode() + b'\\r')
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
`;

/** Runs a command on a pseudo-terminal (python3's pty), typing `password` at every "password:" prompt. */
export function runOnTty(password: string, command: string, args: readonly string[]): { status: number | null; output: string } {
  const driver = join(tempDir('authhook-pty-'), 'drive_tty.py');
  writeFileSync(driver, PTY_DRIVER);
  const r = spawnSync('python3', [driver, password, command, ...args], { encoding: 'utf8', timeout: 20_000 });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Runs the real `htdigest [-c] FILE REALM USER`, typing the password at its terminal prompts. */
export function realHtdigest(file: string, realm: string, user: string, password: string, create: boolean): void {
  const r = runOnTty(password, 'htdigest', [...(create ? ['-c'] : []), file, realm, user]);
  if (r.status !== 0) throw new Error(`htdigest failed: ${r.output}`);
}
