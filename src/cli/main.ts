/**
 * The `authhook` command line.
 * @module
 */
import { parseArgs } from 'node:util';
import { AuthhookError } from '../errors.js';

const USAGE = `usage:
  authhook start APP --auth-user-script F [--auth-group-script F --auth-group NAME]
                     [--host-access-script F] [--auth-type Basic|Digest] [--auth-name REALM]
                     [--authz-send-forbidden-on-failure] [--host H] [--port N] [--server-name N]
                     [--processes N] [--threads N] [--reload-on-changes] [--status-path /server-status]
  authhook serve --config authhook.conf [--host H] [--port N] [--server-name N] [--warn-unknown] [--status-path P]
  authhook check-config authhook.conf [--warn-unknown]
  authhook forward-auth --config FILE.ts|.json [--host H] [--port N] [--trusted-proxy CIDR …] [--path-prefix P] [--case-insensitive-paths]
  authhook external --script F [--realm R] [--timeout-ms N] [--cache-dir D]   (mod_authnz_external pipe)
  authhook external-group --script F [--timeout-ms N] [--cache-dir D]         (GroupExternal pipe)
  authhook htpasswd [-c|-n|-v|-D] [-i] [-B|-m|-s|-d|-2|-5] [-C cost] [-r rounds] FILE USER   (as Apache's htpasswd)
`;

/**
 * Runs the command line; resolves to the exit code (a server keeps running). Each command's
 * module is imported in its branch, so `authhook external` (run per check) loads no server code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'external' || command === 'external-group') {
      const { externalCommand } = await import('./external.js');
      return await externalCommand(command, rest);
    }
    if (command === 'htpasswd') {
      const { runHtpasswd } = await import('./htpasswd.js');
      return await runHtpasswd(rest);
    }
    if (command === 'start') {
      const { runStart, START_OPTIONS } = await import('./start.js');
      const { values, positionals } = parseArgs({ args: [...rest], options: START_OPTIONS, allowPositionals: true, strict: true });
      await runStart(positionals, values);
      return -1;
    }
    if (command === 'serve') {
      const { runServe, SERVE_OPTIONS } = await import('./serve.js');
      const { values, positionals } = parseArgs({ args: [...rest], options: SERVE_OPTIONS, allowPositionals: true, strict: true });
      await runServe(positionals, values);
      return -1;
    }
    if (command === 'forward-auth') {
      const { runForwardAuth, FORWARD_AUTH_OPTIONS } = await import('../fronts/forward-auth-cli.js');
      await runForwardAuth(parseArgs({ args: [...rest], options: FORWARD_AUTH_OPTIONS, strict: true }).values);
      return -1;
    }
    if (command === 'check-config') {
      const { CHECK_CONFIG_OPTIONS, runCheckConfig } = await import('./check-config.js');
      const { values, positionals } = parseArgs({ args: [...rest], options: CHECK_CONFIG_OPTIONS, allowPositionals: true, strict: true });
      return await runCheckConfig(positionals, values);
    }
    if (command === '--help' || command === '-h' || command === 'help' || command === undefined) {
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    process.stderr.write(`authhook: unknown command "${command}"\n${USAGE}`);
    return 2;
  } catch (err) {
    const code = err instanceof AuthhookError ? ` [${err.code}]` : '';
    const cause = err instanceof Error && err.cause instanceof Error ? `\n  caused by: ${err.cause.message}` : '';
    process.stderr.write(`authhook: ${err instanceof Error ? err.message : String(err)}${code}${cause}\n`);
    return 2;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
