/**
 * The `file` provider for Basic (`AuthUserFile` holding an htpasswd file), written on the
 * hook contract: `check_password` answers `true`, `false` or `null` like a user's script.
 * @example
 * const file = htpasswdProvider('/etc/authhook/htpasswd', { logger });
 * await file.check_password(environ, 'alice', 'secret'); // true | false | null
 * @module
 */
import { SILENT_LOGGER } from '../../src/log.js';
import type { Environ, HookModule, Logger } from '../../src/types.js';
import { watchParsedFile, type WatchedFile } from '../shared/watched-file.js';
import { parseHtpasswd, type HtpasswdTable } from './table.js';
import { verifyPassword } from './verify.js';

export { hashPassword, DEFAULT_BCRYPT_COST, type HashFormat, type HashOptions } from './create.js';
export { parseHash, type ParsedHash } from './formats/detect.js';
export { parseHtpasswd, type HtpasswdEntry, type HtpasswdTable } from './table.js';
export { verifyPassword } from './verify.js';
export { closeHashPool } from './hash-pool.js';

/** Options of the file providers (htpasswd, htdigest, htgroup). */
export interface FileProviderOptions {
  readonly logger?: Logger;
  /** Stat the file this often besides watching it (ms; 0 = never). Default 2000. */
  readonly statIntervalMs?: number;
  /** How long a half-written-looking version must stay unchanged before it is adopted (ms). Default 2000. */
  readonly settleMs?: number;
  /** How soon to read a half-written-looking file again (ms). Default 100. */
  readonly retryMs?: number;
  /** Watch the directory for changes. Default true. */
  readonly watch?: boolean;
  readonly now?: () => number;
}

/** Options of `htpasswdProvider`. */
export interface HtpasswdOptions extends FileProviderOptions {
  /** Treat a value of no known format as a plain-text password, as httpd on Windows/NetWare does. Default false. */
  readonly allowPlaintext?: boolean;
}

/** A watched provider file: the hook(s), its generation (changes when the file does), and `close()`. */
export interface FileProvider {
  readonly path: string;
  /** Goes up each time a changed file is adopted; caches in front of the provider drop their entries. */
  readonly generation: number;
  /** Reads the file now if it changed. */
  refresh(): Promise<void>;
  close(): void;
}

/** The htpasswd provider. */
export interface HtpasswdProvider extends HookModule, FileProvider {
  check_password(environ: Environ, user: string, password: string): Promise<boolean | null>;
  /** Whether the file holds slow hashes (the credential cache is on by default then). */
  readonly slow: boolean;
}

/** The watching options of a file provider, for `watchParsedFile`. */
export function watchOptions(o: FileProviderOptions): Omit<Parameters<typeof watchParsedFile>[0], 'path' | 'kind' | 'parse' | 'logger'> {
  const out: Record<string, unknown> = {};
  for (const k of ['statIntervalMs', 'settleMs', 'retryMs', 'watch', 'now'] as const) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

async function check(file: WatchedFile<HtpasswdTable>, logger: Logger, user: string, password: string): Promise<boolean | null> {
  const table = file.table;
  const entry = table.users.get(user);
  if (entry === undefined || entry.hash === null) {
    // Same work as a real check, so the time taken does not tell which users exist.
    if (table.dummy !== null) await verifyPassword(table.dummy, password);
    if (entry === undefined) return null;
    logger.warn('htpasswd: the user\'s hash is not usable; refused', { file: `${file.path}:${entry.line}`, user, problem: entry.problem });
    return false;
  }
  return verifyPassword(entry.hash, password);
}

/** Creates the htpasswd provider; the file is read now (a ConfigError if it cannot be). */
export function htpasswdProvider(path: string, options: HtpasswdOptions = {}): HtpasswdProvider {
  const logger = options.logger ?? SILENT_LOGGER;
  const allowPlaintext = options.allowPlaintext ?? false;
  const file = watchParsedFile({ path, kind: 'htpasswd', parse: (t) => parseHtpasswd(t, allowPlaintext), logger, ...watchOptions(options) });
  return Object.freeze({
    path: file.path,
    get generation() {
      return file.generation;
    },
    get slow() {
      return file.table.slow;
    },
    check_password: (_environ: Environ, user: string, password: string) => check(file, logger, user, password),
    refresh: () => file.check(),
    close: () => file.close(),
  });
}
