/**
 * One directive call as handlers see it, and the checks of argument values they share
 * (flags, numbers, `key=value` options, did-you-mean).
 * @module
 */
import { ConfigError } from '../../errors.js';
import { suggest } from '../../suggest.js';
import type { CompileState, DirectiveContext, SectionBuilder } from './state.js';

/** One directive occurrence handed to its handler. */
export interface DirectiveCall {
  /** The directive's canonical spelling (`AuthType`), whatever the case in the file. */
  readonly name: string;
  readonly args: readonly string[];
  /** The argument text as written (after `${VAR}`), for directives that parse it themselves. */
  readonly raw: string;
  readonly where: string;
  readonly context: DirectiveContext;
  readonly state: CompileState;
  /** The section the directive fills (top-level directives fill the implicit `<Location />`). */
  section(): SectionBuilder;
}

/** The error of a directive: `file:line: Name: message`. */
export function fail(call: Pick<DirectiveCall, 'name' | 'where'>, message: string): ConfigError {
  return new ConfigError(`${call.name}: ${message}`, call.where);
}

/** `On` / `Off`, case-insensitive, as httpd's FLAG directives. */
export function flag(call: DirectiveCall, value = call.args[0]): boolean {
  const v = value?.toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw fail(call, `expected On or Off, not "${value ?? ''}"`);
}

/** A whole number in `[min, max]`. */
export function integer(call: DirectiveCall, value: string, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `${min} to ${max}`;
    throw fail(call, `${what} must be a whole number, ${range}; not "${value}"`);
  }
  return n;
}

export { suggest };

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const s = suggest(typed, candidates);
  return s === undefined ? '' : ` (did you mean "${s}"?)`;
}

/**
 * Parses trailing `key=value` options against the keys allowed. Keys are case-sensitive,
 * as mod_wsgi's; a repeated key is an error. `invalid` is the message for any other word.
 */
export function keyValueOptions(
  call: DirectiveCall,
  words: readonly string[],
  allowed: readonly string[],
  invalid: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words) {
    const eq = word.indexOf('=');
    const key = eq === -1 ? word : word.slice(0, eq);
    if (eq === -1 || !allowed.includes(key)) {
      const hint = suggest(key, allowed);
      throw fail(call, `${invalid} ("${word}"${hint === undefined ? '' : `; did you mean "${hint}="?`})`);
    }
    if (out.has(key)) throw fail(call, `option ${key}= given twice`);
    out.set(key, word.slice(eq + 1));
  }
  return out;
}

/** An application group name as mod_wsgi takes it: non-empty. */
export function applicationGroupName(call: DirectiveCall, value: string): string {
  if (value === '') throw fail(call, 'Invalid name for WSGI application group.');
  return value;
}
