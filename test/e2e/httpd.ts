// A real Apache httpd for end-to-end tests: its own ServerRoot, minimal httpd.conf, PID file
// and error log in a fresh directory, the prefork MPM (mod_authnz_external is not safe under
// event, SPEC §7), a loopback port, stopped by PID. A CGI script echoes what the app sees
// (`cgi: false` leaves URL mapping to the config, e.g. mod_wsgi's WSGIScriptAlias).
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/index.js';
import { findBinary, freePort, requireServer, startProcess, type ServerProcess } from './proc.js';

const MODULES_DIR = '/usr/lib/apache2/modules';

/**
 * The httpd binary, or why a test that needs it and `module` (in httpd's modules directory)
 * is skipped; in CI (`CI=true`) a missing one is a failure: this throws.
 */
export function findHttpd(
  module = 'mod_authnz_external.so',
  debianPackage = 'libapache2-mod-authnz-external',
): { bin: string; skip: false } | { bin: undefined; skip: string } {
  const found = requireServer('Apache httpd', ['/usr/sbin/apache2', '/usr/sbin/httpd', 'apache2', 'httpd']);
  if (found.bin === undefined) return found;
  const path = join(MODULES_DIR, module);
  if (existsSync(path)) return found;
  const reason = `${module.replace(/\.so$/, '')} not installed (no ${path}; Debian: ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
  return { bin: undefined, skip: reason };
}

/** The httpd binary, or why the Apache tests are skipped (a failure in CI). */
export const HTTPD = findHttpd();

/** A running httpd. */
export interface RunningHttpd extends ServerProcess {
  readonly dir: string;
  readonly port: number;
  /** The error log so far (mod_authnz_external's "Failed (N)" lines and the program's stderr). */
  errorLog(): string;
}

/** Options of `startHttpd`. */
export interface HttpdOptions {
  /** Modules to load besides the base set (the config may load its own). */
  readonly modules?: readonly string[];
  /** Server-level directives after the base config: `DefineExternalAuth`, `<Location>` sections… */
  readonly config: (dir: string) => string;
  /** Files to write into the server directory first (name → content), e.g. hook scripts. */
  readonly files?: Readonly<Record<string, string>>;
  /** The httpd binary (default: `HTTPD`'s), e.g. one `findHttpd` found with another module. */
  readonly bin?: string;
  /** Map every `/<segment>/` URL to the whoami CGI (default true); false for a config that maps URLs itself. */
  readonly cgi?: boolean;
}

const MODULES = [
  'mpm_prefork',
  'authz_core',
  'authn_core',
  'auth_basic',
  'authz_user',
  'alias',
  'cgi',
  'env',
];

/** The CGI "app": prints the identity Apache hands it, and whether a client header got through. */
const WHOAMI = `#!/bin/sh
printf 'Content-Type: text/plain\\n\\n'
printf 'REMOTE_USER=%s\\n' "$REMOTE_USER"
printf 'AUTH_TYPE=%s\\n' "$AUTH_TYPE"
`;

/** The user Apache's children run as: as root it must drop to someone; else itself. */
export function childUser(): { user: string; group: string; uid: number; gid: number } | null {
  return process.getuid?.() === 0 ? { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 } : null;
}

function baseConfig(dir: string, port: number, extra: readonly string[], cgi: boolean): string {
  const who = childUser();
  const load = [...MODULES, ...extra].map((m) => `LoadModule ${m}_module ${join(MODULES_DIR, `mod_${m}.so`)}`).join('\n');
  return `ServerRoot "${dir}"
DefaultRuntimeDir "${dir}"
PidFile "${join(dir, 'httpd.pid')}"
ErrorLog "${join(dir, 'error.log')}"
LogLevel notice
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
${load}
${who === null ? '' : `User ${who.user}\nGroup ${who.group}`}
StartServers 2
MinSpareServers 2
MaxSpareServers 4
DocumentRoot "${join(dir, 'htdocs')}"
<Directory />
  AllowOverride None
  Require all granted
</Directory>
${cgi ? `ScriptAliasMatch "^/[^/]+/" "${join(dir, 'cgi', 'whoami.cgi')}"\n` : ''}`;
}

/** Makes the server directory readable by the child user, and `writable` (e.g. a cache) its own. */
function shareWithChildren(dir: string, writable: readonly string[]): void {
  chmodSync(dir, 0o755);
  const who = childUser();
  for (const w of writable) {
    mkdirSync(w, { recursive: true, mode: 0o700 });
    if (who !== null) chownSync(w, who.uid, who.gid);
  }
}

/** Starts httpd in the foreground and resolves once it listens. `cacheDir` is made for the external program. */
export async function startHttpd(o: HttpdOptions): Promise<RunningHttpd & { cacheDir: string }> {
  const bin = o.bin ?? HTTPD.bin;
  if (bin === undefined) throw new Error(HTTPD.skip || 'no httpd binary');
  const dir = tempDir('authhook-httpd-');
  const port = await freePort();
  mkdirSync(join(dir, 'htdocs'));
  mkdirSync(join(dir, 'cgi'));
  writeFileSync(join(dir, 'cgi', 'whoami.cgi'), WHOAMI, { mode: 0o755 });
  for (const [name, content] of Object.entries(o.files ?? {})) writeFileSync(join(dir, name), content, { mode: 0o644 });
  const cacheDir = join(dir, 'cache');
  shareWithChildren(dir, [cacheDir]);
  const conf = join(dir, 'httpd.conf');
  writeFileSync(conf, baseConfig(dir, port, o.modules ?? [], o.cgi ?? true) + o.config(dir));
  const errorLog = join(dir, 'error.log');
  // httpd's shutdown signals its whole process group: in a session of its own (setsid
  // execs in place, so the PID is httpd's), that group is not the test runner's.
  const setsid = findBinary(['/usr/bin/setsid', 'setsid']);
  const command = [bin, '-f', conf, '-DFOREGROUND'];
  const proc = await startProcess({
    label: 'httpd',
    command: setsid ?? command[0]!,
    args: setsid === undefined ? command.slice(1) : command,
    pidFile: join(dir, 'httpd.pid'),
    port,
    logFiles: [errorLog],
  }).catch((err: unknown) => {
    // It never listened (a config error, say): the error carries the log; the directory goes.
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  // In its own session httpd would outlive a test process that dies: stop it on the way out.
  const reap = (): void => {
    try {
      process.kill(proc.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', reap);
  let log = '';
  const errorLogText = (): string => (existsSync(errorLog) ? (log = readFileSync(errorLog, 'utf8')) : log);
  const stop = async (): Promise<void> => {
    await proc.stop();
    process.removeListener('exit', reap);
    errorLogText();
    rmSync(dir, { recursive: true, force: true });
  };
  return { ...proc, stop, dir, port, cacheDir, errorLog: errorLogText };
}
