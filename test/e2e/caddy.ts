// A real Caddy for end-to-end tests: its own Caddyfile, PID file, storage and XDG dirs in a
// fresh directory, no admin endpoint, no automatic HTTPS, stopped by PID.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/index.js';
import { requireServer, startProcess, type ServerProcess } from './proc.js';

/** The caddy binary, or why the Caddy tests are skipped (a failure in CI). */
export const CADDY = requireServer('caddy', ['/usr/bin/caddy', 'caddy']);

/** A running Caddy. */
export interface RunningCaddy extends ServerProcess {
  readonly dir: string;
  readonly port: number;
}

/** Options of `startCaddy`. */
export interface CaddyOptions {
  /** The port the site listens on (the caller writes the site address); readiness is checked there. */
  readonly port: number;
  /** Site blocks, after the global options this helper writes. */
  readonly sites: string;
}

/** Starts `caddy run` and resolves once it listens. */
export async function startCaddy(o: CaddyOptions): Promise<RunningCaddy> {
  if (CADDY.bin === undefined) throw new Error(CADDY.skip);
  const dir = tempDir('authhook-caddy-');
  for (const d of ['data', 'config', 'storage']) mkdirSync(join(dir, d));
  const caddyfile = join(dir, 'Caddyfile');
  writeFileSync(
    caddyfile,
    `{
\tadmin off
\tauto_https off
\tstorage file_system ${join(dir, 'storage')}
}

${o.sites}
`,
  );
  const pidFile = join(dir, 'caddy.pid');
  const proc = await startProcess({
    label: 'caddy',
    command: CADDY.bin,
    args: ['run', '--config', caddyfile, '--adapter', 'caddyfile', '--pidfile', pidFile],
    env: { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
    pidFile,
    port: o.port,
  });
  return { ...proc, dir, port: o.port };
}
