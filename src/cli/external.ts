/**
 * `authhook external` and `authhook external-group`: programs for mod_authnz_external's
 * `pipe` method (`DefineExternalAuth` / `DefineExternalGroup`). Apache starts one per check,
 * so this module imports only what a check needs.
 * @module
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HookTimeoutError } from '../errors.js';
import { compileHookScript, importHookUrl } from '../hooks/compile-cache.js';
import { staticSource } from '../hooks/load-script.js';
import { DEFAULT_HOOK_TIMEOUT_MS, type HookSource } from '../config/model.js';
import {
  checkExternalGroups,
  checkExternalPassword,
  EXTERNAL_EXIT,
  externalEnviron,
  parseGroupWords,
  parsePipeInput,
  readPipeInput,
  type ExternalExitCode,
  type ExternalOutcome,
} from '../fronts/external.js';
import type { HookModule } from '../types.js';

/** Which protocol: a password check (`AuthExternal`) or a group check (`GroupExternal`). */
export type ExternalKind = 'external' | 'external-group';

const OPTIONS = {
  script: { type: 'string' },
  realm: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'cache-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `usage:
  authhook external --script F [--realm R] [--timeout-ms N] [--cache-dir D]
      stdin: user line, password line; exit 0 granted, 1 wrong password, 2 unknown user,
      3 bad input, 4 hook error, 5 time-out or backend down, 6 usage
  authhook external-group --script F [--timeout-ms N] [--cache-dir D]
      stdin: user line, the required groups (space-separated); exit 0 member, 1 not a member
`;

const STDIN_TIMEOUT_MS = 10_000;

interface Settings {
  readonly script: string;
  readonly realm: string | undefined;
  readonly timeoutMs: number;
  readonly cacheDir: string | undefined;
}

/**
 * Writes one line to stderr, which Apache sends to its error log. A line quoting the password
 * is withheld whole (replacing only the password would show it as the gaps in the text).
 */
function logLine(message: string, secret: string): void {
  const text = secret === '' || !message.includes(secret) ? message : '[message withheld: it holds the password]';
  // writeSync: the line is out before process.exit, and no stderr stream is built for it.
  try {
    writeSync(2, `authhook external[${process.pid}]: ${text.replace(/[\r\n]+/g, ' ')}\n`);
  } catch {
    // Nowhere to log to: the exit status still says it all.
  }
}

function parseSettings(argv: readonly string[]): Settings | string {
  let values: { script?: string; realm?: string; 'timeout-ms'?: string; 'cache-dir'?: string; help?: boolean };
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (values.help === true) return '';
  if (values.script === undefined || values.script === '') return '--script is required';
  const timeout = values['timeout-ms'] === undefined ? DEFAULT_HOOK_TIMEOUT_MS : Number(values['timeout-ms']);
  if (!Number.isInteger(timeout) || timeout <= 0 || timeout > 600_000) return '--timeout-ms must be a whole number of milliseconds (1 to 600000)';
  return { script: values.script, realm: values.realm, timeoutMs: timeout, cacheDir: values['cache-dir'] };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookTimeoutError(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

async function loadSource(settings: Settings): Promise<{ source: HookSource; module: HookModule } | ExternalOutcome> {
  try {
    const compiled = await compileHookScript(settings.script, { cacheDir: settings.cacheDir });
    if (compiled.via === 'uncached') logLine(`${settings.script}: no private cache directory usable (see --cache-dir); compiling on every check`, '');
    // Compiling is not the script's time; running its top level (a top-level await) is.
    const ns = await withTimeout(importHookUrl(compiled.url, settings.script), settings.timeoutMs, 'loading the hook script');
    const source = staticSource(settings.script, ns as HookModule);
    return { source, module: await source.current() };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
    const code = err instanceof HookTimeoutError ? EXTERNAL_EXIT.unavailable : EXTERNAL_EXIT.hookError;
    return { code, message: `${e.message}${cause}` };
  }
}

/** Runs one check and resolves to the exit status; never throws. */
export async function runExternal(kind: ExternalKind, argv: readonly string[]): Promise<ExternalExitCode> {
  let secret = '';
  const fault = (err: unknown): never => {
    logLine(`fault outside a hook call; refused: ${err instanceof Error ? err.message : String(err)}`, secret);
    process.exit(EXTERNAL_EXIT.hookError);
  };
  process.on('uncaughtException', fault);
  process.on('unhandledRejection', fault);
  const settings = parseSettings(argv);
  if (typeof settings === 'string') {
    writeSync(2, settings === '' ? USAGE : `authhook ${kind}: ${settings}\n${USAGE}`);
    // Even --help exits non-zero: Apache would take 0 as a grant.
    return EXTERNAL_EXIT.usage;
  }
  let input: Buffer;
  try {
    // Apache writes stdin before it waits: only a caller that never closes it meets this limit.
    input = await withTimeout(readPipeInput(), Math.max(settings.timeoutMs, STDIN_TIMEOUT_MS), 'reading stdin');
  } catch (err) {
    logLine(`${settings.script}: refused: ${err instanceof Error ? err.message : String(err)}`, '');
    return EXTERNAL_EXIT.badInput;
  }
  const parsed = parsePipeInput(input);
  if (!parsed.ok) {
    logLine(`${settings.script}: refused: stdin is not "user\\n${kind === 'external' ? 'password' : 'groups'}\\n" (${parsed.reason})`, '');
    return EXTERNAL_EXIT.badInput;
  }
  if (kind === 'external') secret = parsed.second;
  const outcome = await check(kind, settings, parsed.first, parsed.second);
  if (outcome.message !== null) logLine(outcome.message, secret);
  return outcome.code;
}

async function check(kind: ExternalKind, settings: Settings, user: string, second: string): Promise<ExternalOutcome> {
  const loaded = await loadSource(settings);
  if ('code' in loaded) return loaded;
  const { source, module } = loaded;
  if (kind === 'external') {
    const environ = externalEnviron(process.env, { authType: 'PASS' });
    return checkExternalPassword(source, module, environ, user, second, { timeoutMs: settings.timeoutMs, realm: settings.realm });
  }
  const environ = externalEnviron(process.env, { authType: 'GROUP', remoteUser: user });
  return checkExternalGroups(source, environ, user, parseGroupWords(second), settings.timeoutMs);
}

/** Runs one check and exits with its status at once, whatever the hook left running (timers, sockets). */
export async function externalCommand(kind: ExternalKind, argv: readonly string[]): Promise<never> {
  process.exit(await runExternal(kind, argv));
}
