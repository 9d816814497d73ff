/**
 * The conditional sections httpd fragments are full of. authhook acts as an httpd 2.4 with
 * every module loaded: `<IfModule x>` holds, `<IfModule !x>` does not; `<IfDefine>` tests
 * `Define`d names; `<IfVersion>` compares against 2.4.
 * @module
 */
import { ConfigError } from '../../errors.js';
import type { Variables } from './lex.js';

/** The httpd version `<IfVersion>` compares against: the 2.4 that authhook's directives follow. */
export const EMULATED_HTTPD_VERSION: readonly number[] = Object.freeze([2, 4, 62]);

const CONDITIONALS = new Set(['ifmodule', 'ifdefine', 'ifversion']);

/** Whether a section name is one of the conditional sections resolved at parse time. */
export function isConditional(name: string): boolean {
  return CONDITIONALS.has(name.toLowerCase());
}

function negated(arg: string): [boolean, string] {
  return arg.startsWith('!') ? [true, arg.slice(1)] : [false, arg];
}

function compareVersion(wanted: string, op: string, where: string): boolean {
  if (op === '~' || op === '=~') {
    try {
      return new RegExp(wanted.replace(/^\/(.*)\/$/, '$1')).test(EMULATED_HTTPD_VERSION.join('.'));
    } catch (err) {
      throw new ConfigError(`<IfVersion>: not a valid regular expression: ${wanted}`, where, { cause: err });
    }
  }
  if (!/^\d+(\.\d+){0,2}$/.test(wanted)) throw new ConfigError(`<IfVersion>: "${wanted}" is not a version`, where);
  const parts = wanted.split('.').map(Number);
  let cmp = 0;
  for (let i = 0; i < parts.length && cmp === 0; i++) cmp = Math.sign(EMULATED_HTTPD_VERSION[i]! - parts[i]!);
  if (op === '=' || op === '==') return cmp === 0;
  if (op === '>') return cmp > 0;
  if (op === '>=') return cmp >= 0;
  if (op === '<') return cmp < 0;
  if (op === '<=') return cmp <= 0;
  throw new ConfigError(`<IfVersion>: unknown operator "${op}"`, where);
}

function versionHolds(args: readonly string[], where: string): boolean {
  if (args.length === 0 || args.length > 2) throw new ConfigError('<IfVersion>: takes [[!]operator] version', where);
  const [not, op] = args.length === 2 ? negated(args[0]!) : [false, '='];
  const holds = compareVersion(args.at(-1)!, op, where);
  return not ? !holds : holds;
}

/** Whether the contents of a conditional section apply. */
export function conditionHolds(name: string, args: readonly string[], vars: Variables, where: string): boolean {
  const kind = name.toLowerCase();
  if (kind === 'ifversion') return versionHolds(args, where);
  if (args.length !== 1 || args[0] === '' || args[0] === '!') throw new ConfigError(`<${name}>: takes one argument`, where);
  const [not, what] = negated(args[0]!);
  const holds = kind === 'ifmodule' ? true : vars.defined.has(what);
  return not ? !holds : holds;
}
