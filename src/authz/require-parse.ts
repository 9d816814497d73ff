/**
 * The Apache 2.4 `Require` tree, parsed and checked once at start-up (mod_authz_core's
 * `add_authz_provider`, `add_authz_section`, `authz_core_check_section`).
 * @module
 */
import { ConfigError } from '../errors.js';
import './require-builtins.js';
import { lookupRequireProvider, suggestRequireProvider } from './require-registry.js';
import { quoteRequireArg, tokenizeRequireArgs } from './require-tokenize.js';
import type { RequireNode, RequireRule, RequireSection } from './require-types.js';

export { registerRequireProvider } from './require-registry.js';
export { tokenizeRequireArgs } from './require-tokenize.js';
export type {
  AuthzStatus,
  RequireContext,
  RequireNode,
  RequireProvider,
  RequireRule,
  RequireSection,
  RuleCheck,
} from './require-types.js';

/** A Require tree in typed config: a line, several lines (implicit `<RequireAny>`), or a section. */
export type RequireSpec =
  | string
  | readonly RequireSpec[]
  | { readonly all: readonly RequireSpec[] }
  | { readonly any: readonly RequireSpec[] }
  | { readonly none: readonly RequireSpec[] };

const TAGS = { all: '<RequireAll>', any: '<RequireAny>', none: '<RequireNone>' } as const;

function unknownProvider(name: string, where: string | undefined): ConfigError {
  const suggestion = suggestRequireProvider(name);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return new ConfigError(`Require: unknown provider "${name}"${hint}`, where);
}

/**
 * Parses the argument text of one `Require` directive.
 * @example parseRequireLine('not group "secret agents"')
 */
export function parseRequireLine(text: string, where?: string): RequireNode {
  const words = tokenizeRequireArgs(text);
  let name = words.shift();
  // "not" is matched case-insensitively, as add_authz_provider does.
  const negate = name !== undefined && name.toLowerCase() === 'not';
  if (negate) name = words.shift();
  if (name === undefined || name === '') throw new ConfigError('Require: missing provider name', where);
  const provider = lookupRequireProvider(name);
  if (provider === undefined) throw unknownProvider(name, where);
  if (words.includes('')) throw new ConfigError(`Require ${name}: empty argument ""`, where);
  const args = Object.freeze(words);
  const check = provider.compile(args, where);
  const rule: RequireRule = { kind: 'rule', negate, provider: name, args, needsUser: provider.needsUser, check };
  return Object.freeze(rule);
}

function ruleText(rule: RequireRule): string {
  const words = [rule.provider, ...rule.args.map(quoteRequireArg)];
  return `Require ${rule.negate ? 'not ' : ''}${words.join(' ')}`;
}

function section(kind: RequireSection['kind'], children: readonly RequireNode[], where: string | undefined): RequireNode {
  const tag = TAGS[kind];
  if (children.length === 0) throw new ConfigError(`${tag} directive contains no authorization directives`, where);
  if (kind === 'all') {
    // A RequireNone here folds in by De Morgan as negative rules, so it counts as negative too.
    if (children.every((child) => child.negate)) {
      throw new ConfigError(`${tag} directive contains only negative authorization directives`, where);
    }
  } else {
    const negative = children.find((child) => child.negate);
    if (negative !== undefined) {
      const what = negative.kind === 'rule' ? `negative Require directive "${ruleText(negative)}"` : TAGS.none;
      throw new ConfigError(`${what} has no effect in ${tag} directive; put it in a <RequireAll>`, where);
    }
  }
  const node: RequireSection = {
    kind,
    negate: kind === 'none',
    needsUser: children.some((child) => child.needsUser),
    children: Object.freeze([...children]),
  };
  return Object.freeze(node);
}

/** `<RequireAll>`: every child must grant; a negative child may only deny. */
export function requireAll(children: readonly RequireNode[], where?: string): RequireNode {
  return section('all', children, where);
}

/** `<RequireAny>` (and the implicit top level): one child granting is enough. */
export function requireAny(children: readonly RequireNode[], where?: string): RequireNode {
  return section('any', children, where);
}

/** `<RequireNone>`: denies when any child grants, else neutral; only allowed inside `<RequireAll>`. */
export function requireNone(children: readonly RequireNode[], where?: string): RequireNode {
  return section('none', children, where);
}

function at(where: string | undefined, key: string | number): string | undefined {
  return where === undefined ? undefined : `${where}.${key}`;
}

function buildSpec(spec: unknown, where: string | undefined): RequireNode {
  if (typeof spec === 'string') return parseRequireLine(spec, where);
  if (Array.isArray(spec)) {
    if (spec.length === 1) return buildSpec(spec[0], at(where, 0));
    return requireAny(spec.map((child, i) => buildSpec(child, at(where, i))), where);
  }
  if (spec !== null && typeof spec === 'object') {
    const keys = Object.keys(spec);
    const kind = keys[0];
    const children: unknown = (spec as Record<string, unknown>)[kind ?? ''];
    if (keys.length === 1 && (kind === 'all' || kind === 'any' || kind === 'none') && Array.isArray(children)) {
      return section(kind, children.map((child, i) => buildSpec(child, at(where, `${kind}.${i}`))), where);
    }
  }
  throw new ConfigError('a Require spec is a string, an array, or { all | any | none: [...] }', where);
}

/**
 * Parses a typed-config Require tree. The top level is an implicit `<RequireAny>`, so a
 * negative line or a `none` there is refused, as Apache does.
 * @example parseRequireSpec({ all: ['valid-user', 'group admins'] })
 */
export function parseRequireSpec(spec: RequireSpec, where?: string): RequireNode {
  const node = buildSpec(spec, where);
  if (node.negate) {
    const what = node.kind === 'rule' ? `negative Require directive "${ruleText(node)}"` : TAGS.none;
    throw new ConfigError(`${what} has no effect at the top level (an implicit <RequireAny>); put it in a <RequireAll>`, where);
  }
  return node;
}

/** Whether any rule in the tree needs an authenticated user. */
export function requireNeedsUser(node: RequireNode): boolean {
  return node.needsUser;
}

function describeInto(node: RequireNode, indent: string, lines: string[]): void {
  if (node.kind === 'rule') {
    lines.push(indent + ruleText(node));
    return;
  }
  const tag = TAGS[node.kind];
  lines.push(indent + tag);
  for (const child of node.children) describeInto(child, `${indent}  `, lines);
  lines.push(`${indent}</${tag.slice(1)}`);
}

/** The tree as Apache-style lines (`<RequireAll>` / `  Require valid-user` / `</RequireAll>`), for check-config. */
export function describeRequire(node: RequireNode): string {
  const lines: string[] = [];
  describeInto(node, '', lines);
  return lines.join('\n');
}
