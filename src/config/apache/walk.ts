/**
 * Walks the parsed tree: sections become builders, directives go through the table, and
 * `<RequireAll|Any|None>` become Require trees. Everything authhook cannot honour is an
 * error naming file:line; only plainly unknown names may be downgraded to warnings.
 * @module
 */
import { parseRequireLine, requireAll, requireAny, requireNone, type RequireNode } from '../../authz/require-parse.js';
import { normalizePath } from '../../environ/normalize-path.js';
import { ConfigError } from '../../errors.js';
import { DIRECTIVE_NAMES, findDirective, IGNORED_DIRECTIVES, REFUSED_DIRECTIVES } from './directives.js';
import type { ConfigNode, DirectiveNode, SectionNode } from './parse.js';
import { newSection, type AliasProvider, type CompileState, type DirectiveContext, type SectionBuilder } from './state.js';
import { didYouMean, suggest, type DirectiveCall } from './values.js';

interface Scope {
  readonly context: DirectiveContext;
  readonly section: (where: string) => SectionBuilder;
  readonly alias: AliasProvider | null;
  /** The enclosing section's tag, for messages. */
  readonly tag: string;
}

const REQUIRE_SECTIONS = { requireall: requireAll, requireany: requireAny, requirenone: requireNone } as const;
const SECTION_NAMES = ['Location', 'LocationMatch', 'AuthnProviderAlias', 'RequireAll', 'RequireAny', 'RequireNone', 'IfModule', 'IfDefine', 'IfVersion'];
const ALIAS_PROVIDERS: readonly AliasProvider[] = ['file', 'wsgi', 'ldap'];
/** Provider names a location uses without an alias; an alias may not take one of them. */
export const BUILTIN_PROVIDERS: readonly string[] = Object.freeze(['file', 'wsgi', 'script', 'ldap']);

const FILE_SECTIONS = 'authhook has no file system sections (paths are URL paths); protect the URL with <Location> (for an app, its WSGIScriptAlias path)';
const UNSUPPORTED: Readonly<Record<string, string>> = {
  virtualhost: 'authhook serves one site: write the sections without <VirtualHost> (ServerName may stay at the top level)',
  directory: FILE_SECTIONS,
  directorymatch: FILE_SECTIONS,
  files: FILE_SECTIONS,
  filesmatch: FILE_SECTIONS,
  proxy: 'proxy sections are not supported; use <Location>',
  proxymatch: 'proxy sections are not supported; use <LocationMatch>',
  if: 'expression sections are not supported; use <LocationMatch>, Require env or Require method',
  elseif: 'expression sections are not supported',
  else: 'expression sections are not supported',
  limit: 'write it as "Require method …" inside a <RequireAll>',
  limitexcept: 'write it as "Require not method …" inside a <RequireAll>',
};

/** Names whose near-misses are never skipped: a typo in them is a typo in access control. */
const GUARDED = /^(?:Auth|Require|WSGIAuth|WSGIAccess|LDAP|Location)/;

function unknown(state: CompileState, name: string, kind: 'directive' | 'section', where: string): void {
  const suggestion = suggest(name, kind === 'directive' ? DIRECTIVE_NAMES : SECTION_NAMES);
  const shown = kind === 'directive' ? name : `<${name}>`;
  const message = `${shown}: unknown ${kind}${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
  if (state.unknownDirectives === 'error') throw new ConfigError(message, where);
  if (suggestion !== undefined && GUARDED.test(suggestion)) throw new ConfigError(`${message}; not skipped, as it looks like access control`, where);
  state.logger.warn(`${where}: ${message}; skipped`);
}

function contextError(name: string, scope: Scope, alias: readonly AliasProvider[]): string {
  if (scope.context === 'location') return `${name}: not allowed in ${scope.tag} (only at the top level, outside any section)`;
  const takes = alias.length === 0 ? 'it does not belong in an alias' : `it belongs in <AuthnProviderAlias ${alias.join('|')} …>`;
  return `${name}: not allowed in ${scope.tag}; ${takes}`;
}

function directive(node: DirectiveNode, scope: Scope, state: CompileState): void {
  const lower = node.name.toLowerCase();
  const spec = findDirective(lower);
  if (spec === undefined) {
    const refused = REFUSED_DIRECTIVES.get(lower);
    if (refused !== undefined) throw new ConfigError(`${node.name}: ${refused}`, node.where);
    const ignored = IGNORED_DIRECTIVES.get(lower);
    if (ignored !== undefined) return state.logger[ignored.level](`${node.where}: ${node.name}: ${ignored.note}`);
    return unknown(state, node.name, 'directive', node.where);
  }
  const allowed = scope.context === 'top' ? spec.top : scope.context === 'location' ? spec.location : spec.alias.includes(scope.alias!);
  if (!allowed) throw new ConfigError(contextError(spec.name, scope, spec.alias), node.where);
  if (node.args.length < spec.min || node.args.length > spec.max) {
    throw new ConfigError(`${spec.name}: wrong number of arguments; expected ${spec.name} ${spec.usage}`, node.where);
  }
  const call: DirectiveCall = {
    name: spec.name, args: node.args, raw: node.raw, where: node.where, context: scope.context, state,
    section: () => scope.section(node.where),
  };
  spec.handle(call);
}

/** Builds the tree of one `<RequireAll|Any|None>` from its Require lines and nested sections. */
function requireSection(node: SectionNode): RequireNode {
  const make = REQUIRE_SECTIONS[node.name.toLowerCase() as keyof typeof REQUIRE_SECTIONS];
  if (node.args.length > 0) throw new ConfigError(`<${node.name}> takes no arguments`, node.where);
  const children = node.children.map((child) => {
    if (child.kind === 'section' && child.name.toLowerCase() in REQUIRE_SECTIONS) return requireSection(child);
    if (child.kind === 'directive' && child.name.toLowerCase() === 'require') {
      if (child.args.length === 0) throw new ConfigError('Require: missing provider name', child.where);
      return parseRequireLine(child.raw, child.where);
    }
    const what = child.kind === 'section' ? `<${child.name}>` : child.name;
    throw new ConfigError(`${what}: not allowed in <${node.name}> (only Require lines and <RequireAll|Any|None> sections)`, child.where);
  });
  return make(children, node.where);
}

function locationBuilder(node: SectionNode): SectionBuilder {
  const match = node.name.toLowerCase() === 'locationmatch';
  const regexForm = match ? node.args.length === 1 : node.args.length === 2 && node.args[0] === '~';
  if (regexForm) {
    const source = node.args.at(-1)!;
    try {
      return newSection('regex', source, new RegExp(source), node.where);
    } catch (err) {
      throw new ConfigError(`<${node.name}>: not a valid regular expression: ${source}`, node.where, { cause: err });
    }
  }
  if (match || node.args.length !== 1) throw new ConfigError(`<${node.name}> takes one ${match ? 'regular expression' : 'URL path (or ~ "regex")'}`, node.where);
  const raw = node.args[0]!;
  if (!raw.startsWith('/')) throw new ConfigError(`<${node.name}>: a URL path starts with "/", not "${raw}"`, node.where);
  if (/[*?[]/.test(raw)) throw new ConfigError(`<${node.name}>: wildcards are not supported in "${raw}"; use <LocationMatch>`, node.where);
  const path = normalizePath(raw);
  if (path === undefined) throw new ConfigError(`<${node.name}>: not a usable path: "${raw}"`, node.where);
  return newSection('prefix', path, null, node.where);
}

function aliasSection(node: SectionNode, state: CompileState): void {
  if (node.args.length !== 2) throw new ConfigError(`<${node.name}> takes a provider and a name: <AuthnProviderAlias file|wsgi|ldap NAME>`, node.where);
  const [kind, name] = node.args as [string, string];
  const provider = (kind === 'script' ? 'wsgi' : kind) as AliasProvider;
  if (!ALIAS_PROVIDERS.includes(provider)) throw new ConfigError(`<${node.name}>: unknown provider "${kind}"${didYouMean(kind, ALIAS_PROVIDERS)}`, node.where);
  if (BUILTIN_PROVIDERS.includes(name)) throw new ConfigError(`<${node.name}>: "${name}" is a built-in provider name; choose another`, node.where);
  const previous = state.aliases.get(name);
  if (previous !== undefined) throw new ConfigError(`<${node.name}>: provider "${name}" is already defined (${previous.where})`, node.where);
  const section = newSection('prefix', '/', null, node.where);
  walk(node.children, { context: 'alias', section: () => section, alias: provider, tag: `<AuthnProviderAlias ${kind} ${name}>` }, state);
  state.aliases.set(name, { provider, name, where: node.where, section });
}

function section(node: SectionNode, scope: Scope, state: CompileState): void {
  const lower = node.name.toLowerCase();
  if (lower in REQUIRE_SECTIONS && scope.context !== 'alias') {
    scope.section(node.where).require.push({ node: requireSection(node), where: node.where });
    return;
  }
  const isLocation = lower === 'location' || lower === 'locationmatch';
  if ((isLocation || lower === 'authnprovideralias' || lower in REQUIRE_SECTIONS) && scope.context !== 'top') {
    throw new ConfigError(`<${node.name}> cannot occur within ${scope.tag}`, node.where);
  }
  if (isLocation) {
    const builder = locationBuilder(node);
    state.sections.push(builder);
    return walk(node.children, { context: 'location', section: () => builder, alias: null, tag: `<${node.name}>` }, state);
  }
  if (lower === 'authnprovideralias') return aliasSection(node, state);
  const hint = UNSUPPORTED[lower];
  if (hint !== undefined) throw new ConfigError(`<${node.name}> is not supported: ${hint}`, node.where);
  unknown(state, node.name, 'section', node.where);
}

function walk(nodes: readonly ConfigNode[], scope: Scope, state: CompileState): void {
  for (const node of nodes) {
    if (node.kind === 'directive') directive(node, scope, state);
    else section(node, scope, state);
  }
}

/** Walks the top level of a parsed file into `state`. */
export function walkConfig(nodes: readonly ConfigNode[], state: CompileState): void {
  walk(nodes, { context: 'top', section: (where) => state.top(where), alias: null, tag: 'the top level' }, state);
}
