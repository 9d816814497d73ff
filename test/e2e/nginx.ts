// A real nginx for end-to-end tests: its own prefix, config, PID file, logs and temp paths
// in a fresh directory, no root-only path, stopped by PID.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/index.js';
import { requireServer, startProcess, type ServerProcess } from './proc.js';

/** The nginx binary, or why the nginx tests are skipped (a failure in CI). */
export const NGINX = requireServer('nginx', ['/usr/sbin/nginx', 'nginx']);

/** A running nginx. */
export interface RunningNginx extends ServerProcess {
  readonly dir: string;
  readonly port: number;
}

/** Options of `startNginx`. */
export interface NginxOptions {
  /** The port the `http` block listens on (the caller writes the `listen`); readiness is checked there. */
  readonly port: number;
  /** Text inside `http { … }`: upstreams and servers. */
  readonly http: string;
  readonly workers?: number;
  /** Extra files to write into the prefix directory (name → content), e.g. an htpasswd file. */
  readonly files?: Readonly<Record<string, string>>;
}

function mainConfig(dir: string, o: NginxOptions): string {
  const tmp = (name: string) => join(dir, 'tmp', name);
  // As root, workers would drop to "nobody", which cannot read this private directory.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${user}worker_processes ${o.workers ?? 1};
error_log ${join(dir, 'error.log')} notice;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
${o.http}
}
`;
}

/** Starts nginx in the foreground (`daemon off`) and resolves once it listens. */
export async function startNginx(o: NginxOptions): Promise<RunningNginx> {
  if (NGINX.bin === undefined) throw new Error(NGINX.skip);
  const dir = tempDir('authhook-nginx-');
  mkdirSync(join(dir, 'tmp'));
  for (const [name, content] of Object.entries(o.files ?? {})) writeFileSync(join(dir, name), content);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, mainConfig(dir, o));
  const pidFile = join(dir, 'nginx.pid');
  const errorLog = join(dir, 'error.log');
  const proc = await startProcess({
    label: 'nginx',
    command: NGINX.bin,
    // -e: the compiled-in error log under /var/log is opened before the config is read.
    args: ['-p', dir, '-c', conf, '-e', errorLog, '-g', `daemon off; pid ${pidFile};`],
    pidFile,
    port: o.port,
    logFiles: [errorLog],
  });
  return { ...proc, dir, port: o.port };
}
