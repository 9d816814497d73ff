/**
 * The `authhook` command line.
 * @module
 */
import { parseArgs } from 'node:util';
import { AuthhookError } from '../errors.js';
import { runStart, START_OPTIONS } from './start.js';

const USAGE = `usage:
  authhook start APP --auth-user-script F [--auth-group-script F --auth-group NAME]
                     [--host-access-script F] [--auth-type Basic|Digest] [--auth-name REALM]
                     [--authz-send-forbidden-on-failure] [--host H] [--port N] [--server-name N]
`;

/** Runs the command line; resolves to the exit code (a server keeps running). */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'start') {
      const { values, positionals } = parseArgs({ args: [...rest], options: START_OPTIONS, allowPositionals: true, strict: true });
      await runStart(positionals, values);
      return -1;
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
