/**
 * Default logger: one JSON line per event on stderr. Callers never pass secrets.
 * @module
 */
import type { Logger } from './types.js';

function line(level: string, message: string, fields?: Readonly<Record<string, unknown>>): void {
  const rec: Record<string, unknown> = { time: new Date().toISOString(), level, msg: message };
  if (fields !== undefined) Object.assign(rec, fields);
  process.stderr.write(JSON.stringify(rec) + '\n');
}

/** A logger that writes JSON lines to stderr; `info` is dropped unless `verbose`. */
export function createConsoleLogger(options: { verbose?: boolean } = {}): Logger {
  const verbose = options.verbose ?? false;
  return Object.freeze({
    info: (m: string, f?: Readonly<Record<string, unknown>>) => {
      if (verbose) line('info', m, f);
    },
    warn: (m: string, f?: Readonly<Record<string, unknown>>) => line('warn', m, f),
    error: (m: string, f?: Readonly<Record<string, unknown>>) => line('error', m, f),
  });
}

/** A logger that drops everything. */
export const SILENT_LOGGER: Logger = Object.freeze({ info() {}, warn() {}, error() {} });

/** Describes an error for a log line: class, code and message, plus the cause's. */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: String(err) };
  const out: Record<string, unknown> = { error: err.message, errorName: err.name };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (err.cause !== undefined) out.cause = describeError(err.cause);
  return out;
}
