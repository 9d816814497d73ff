/**
 * mod_setenvif's `SetEnvIf`, `SetEnvIfNoCase` and `BrowserMatch[NoCase]`: request-dependent
 * variables, set before authorisation, which is what `Require env` tests. (httpd's SetEnv runs
 * in the fixups phase, after authorisation, so `Require env` never sees its variables.)
 * @module
 */
import { environKey } from '../environ/build-environ.js';
import type { Environ } from '../types.js';

/** One variable a rule sets (`name=value`, `name` for "1") or unsets (`!name`: value `null`). */
export interface EnvAssignment {
  readonly name: string;
  readonly value: string | null;
}

/** One `SetEnvIf attribute [!]regex var…` line. */
export interface SetEnvIfRule {
  /** A special name (`Remote_Addr`, `Request_URI`, …) or a request header name. */
  readonly attribute: string;
  readonly pattern: RegExp;
  /** `!regex`: the rule applies when the attribute does not match. */
  readonly negate: boolean;
  readonly assignments: readonly EnvAssignment[];
}

/** What a request offers the rules besides its environ. */
export interface SetEnvIfInput {
  readonly environ: Environ;
  /** The normalised, decoded path (httpd's `r->uri`), for `Request_URI`. */
  readonly path: string;
  /** The client's host name when known, else its address. */
  readonly remoteHost: string;
}

/** A name an environment variable can have. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses the variable list of a rule; throws an Error naming a bad one. */
export function parseAssignments(args: readonly string[]): EnvAssignment[] {
  if (args.length === 0) throw new Error('expected at least one variable to set');
  return args.map((arg) => {
    if (arg.startsWith('!')) {
      const name = arg.slice(1);
      if (!ENV_NAME.test(name)) throw new Error(`"${arg}" is not a usable variable name`);
      return { name, value: null };
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!ENV_NAME.test(name)) throw new Error(`"${arg}" is not a usable variable name`);
    return { name, value: eq === -1 ? '1' : arg.slice(eq + 1) };
  });
}

/** Builds a rule; throws an Error naming a bad regex or variable. */
export function setEnvIfRule(attribute: string, regex: string, assignments: readonly string[], noCase: boolean): SetEnvIfRule {
  if (attribute === '') throw new Error('expected an attribute (a header name or Remote_Addr, Request_URI, …)');
  const negate = regex.startsWith('!');
  const source = negate ? regex.slice(1) : regex;
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, noCase ? 'i' : '');
  } catch (err) {
    throw new Error(`"${regex}" is not a usable regular expression: ${(err as Error).message}`);
  }
  return Object.freeze({ attribute, pattern, negate, assignments: Object.freeze(parseAssignments(assignments)) });
}

/** The attribute's value; a missing one is the empty string, so `^$` matches it, as in httpd. */
function attributeValue(attribute: string, input: SetEnvIfInput, set: Readonly<Record<string, string>>): string {
  const e = input.environ;
  switch (attribute.toLowerCase()) {
    case 'remote_addr':
      return e.REMOTE_ADDR ?? '';
    case 'remote_host':
      return input.remoteHost;
    case 'server_addr':
      return e.SERVER_ADDR ?? '';
    case 'request_method':
      return e.REQUEST_METHOD ?? '';
    case 'request_protocol':
      return e.SERVER_PROTOCOL ?? '';
    case 'request_uri':
      return input.path;
    default: {
      const key = environKey(attribute);
      return (key === null ? undefined : e[key]) ?? set[attribute] ?? '';
    }
  }
}

/** `$0`…`$9` in a value, from the match. */
function substitute(value: string, m: RegExpExecArray | null): string {
  if (m === null || !value.includes('$')) return value;
  return value.replace(/\$([0-9])/g, (_, d: string) => m[Number(d)] ?? '');
}

/** The variables the rules set for a request, in rule order (a later rule overrides, `!` unsets). */
export function evaluateSetEnvIf(rules: readonly SetEnvIfRule[], input: SetEnvIfInput): Readonly<Record<string, string>> {
  const set: Record<string, string> = {};
  for (const rule of rules) {
    const m = rule.pattern.exec(attributeValue(rule.attribute, input, set));
    if ((m !== null) === rule.negate) continue;
    for (const a of rule.assignments) {
      if (a.value === null) delete set[a.name];
      else set[a.name] = substitute(a.value, rule.negate ? null : m);
    }
  }
  return set;
}
