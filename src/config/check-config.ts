/**
 * `check-config`: the effective policy per location, as a person reads it (providers in
 * order, the Require tree, group sources, scripts, realm, what a failure answers), the
 * mounts and daemon groups; and a check that every hook script loads and exports what
 * its location calls.
 * @module
 */
import { describeRequire, type RequireNode } from '../authz/require-parse.js';
import { createPolicyLookup, orderSections } from '../engine/policy-lookup.js';
import { ConfigError } from '../errors.js';
import type { HookName } from '../types.js';
import type { DaemonProcessSpec, LocationGroupSpec, MountSpec } from './gateway-spec.js';
import { foldDirectives } from './merge.js';
import type { AuthhookModel, HookSource, LocationSection, Policy } from './model.js';

/** What `describeConfig` reads: a model, and the gateway facts when the Apache reader made it. */
export interface DescribableConfig {
  readonly model: AuthhookModel;
  readonly mounts?: readonly MountSpec[];
  readonly daemonProcesses?: readonly DaemonProcessSpec[];
  readonly locationGroups?: readonly LocationGroupSpec[];
}

const indent = (text: string, by: string): string => text.split('\n').map((l) => by + l).join('\n');
const onOff = (b: boolean): string => (b ? 'On' : 'Off');

function providerLines(names: readonly string[], sources: readonly HookSource[]): string[] {
  return sources.map((s, i) => `    ${i + 1}. ${names[i] ?? '?'}${names[i] === s.label ? '' : ` (${s.label})`}`);
}

function hasGroupRule(node: RequireNode): boolean {
  if (node.kind === 'rule') return node.provider === 'group' || node.provider === 'wsgi-group';
  return node.children.some(hasGroupRule);
}

function authLines(p: Policy, matched: readonly LocationSection[]): string[] {
  if (p.authType === null) return ['  AuthType None'];
  const d = foldDirectives(matched);
  const basic = p.authType === 'Basic';
  const names = (basic ? d.basicProviders : d.digestProviders) ?? ['file'];
  const lines = [`  AuthType ${p.authType}, AuthName ${p.authName === null ? '(none)' : JSON.stringify(p.authName)}`];
  lines.push(`  ${p.authType} providers, in order:`, ...providerLines(names, basic ? p.basicProviders : p.digestProviders));
  if (!basic) lines.push(`  digest algorithms: ${p.digestAlgorithms.join(', ')}; nonce lifetime ${p.nonceLifetimeS} s`);
  return lines;
}

function requireLines(p: Policy): string[] {
  if (p.require === null) {
    return [p.authType === null ? '  no Require: open to everyone' : '  no Require: every request is refused (500, AuthType without Require)'];
  }
  const lines = ['  Require:', indent(describeRequire(p.require), '    ')];
  if (p.require.needsUser) lines.push(`  a user who is not authorised gets ${p.forbiddenOnFailure ? '403' : '401'} (AuthzSendForbiddenOnFailure ${onOff(p.forbiddenOnFailure)})`);
  return lines;
}

function policyLines(p: Policy, matched: readonly LocationSection[]): string[] {
  const lines = [...authLines(p, matched), ...requireLines(p)];
  if (p.groupSources.length > 0) lines.push(`  groups from: ${p.groupSources.map((s) => s.label).join(', ')}`);
  if (p.accessSource !== null) lines.push(`  access script (allow_access): ${p.accessSource.label}`);
  const env = Object.entries(p.setEnv);
  if (env.length > 0) lines.push(`  SetEnv: ${env.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  for (const r of p.setEnvIf) {
    const vars = r.assignments.map((a) => (a.value === null ? `!${a.name}` : `${a.name}=${JSON.stringify(a.value)}`)).join(' ');
    lines.push(`  SetEnvIf: ${r.attribute} ${r.negate ? '!~' : '~'} ${String(r.pattern)} → ${vars}`);
  }
  if (p.ldap !== null) lines.push(`  LDAP: ${p.ldap.url}${p.ldap.startTls ? ' STARTTLS' : ''}`);
  return lines;
}

function groupLines(groups: readonly LocationGroupSpec[], s: LocationSection): string[] {
  const g = groups.find((x) => x.where === s.where);
  if (g === undefined) return [];
  const parts = [g.processGroup !== null ? `WSGIProcessGroup ${g.processGroup}` : '', g.applicationGroup !== null ? `WSGIApplicationGroup ${g.applicationGroup}` : ''];
  return [`  ${parts.filter(Boolean).join(', ')}`];
}

function sectionBlock(config: DescribableConfig, s: LocationSection, lookup: ReturnType<typeof createPolicyLookup>): string[] {
  const byWhere = new Map(config.model.sections.map((x) => [x.where, x]));
  if (s.kind === 'regex') {
    return [`<LocationMatch ${JSON.stringify(s.path)}>  (${s.where}; applies over the prefix sections that cover the request)`];
  }
  const p = lookup(s.path);
  if (!('authType' in p)) return [`<Location ${s.path}>  (${s.where})`, `  ERROR: ${p.message}`];
  const matched = p.from.map((w) => byWhere.get(w)!).filter(Boolean);
  return [`<Location ${s.path}>  (${p.from.join(' + ')})`, ...policyLines(p, matched), ...groupLines(config.locationGroups ?? [], s)];
}

function mountLines(mounts: readonly MountSpec[]): string[] {
  if (mounts.length === 0) return [];
  return ['Mounts (WSGIScriptAlias), longest prefix first:', ...[...mounts].sort((a, b) => b.path.length - a.path.length).map((m) => {
    const opts = [m.processGroup !== null ? `process-group=${m.processGroup}` : '', m.applicationGroup !== null ? `application-group=${m.applicationGroup}` : '', `pass-authorization=${onOff(m.passAuthorization)}`];
    return `  ${m.path} → ${m.app}  ${opts.filter(Boolean).join(' ')}  (${m.where})`;
  })];
}

function daemonLines(daemons: readonly DaemonProcessSpec[]): string[] {
  if (daemons.length === 0) return [];
  return ['Daemon process groups (WSGIDaemonProcess; child processes of the gateway):', ...daemons.map((d) => {
    const opts = [`processes=${d.processes}`, `threads=${d.threads}`, d.home !== null ? `home=${d.home}` : '', d.nodePath.length > 0 ? `node-path=${d.nodePath.join(':')}` : ''];
    return `  ${d.name}: ${opts.filter(Boolean).join(' ')}  (${d.where})`;
  })];
}

/** The effective policy per location (most general first), then the mounts and daemon groups. */
export function describeConfig(config: DescribableConfig): string {
  const lookup = createPolicyLookup(config.model);
  const seen = new Set<string>();
  const blocks: string[][] = [];
  for (const s of orderSections(config.model.sections)) {
    const key = `${s.kind}:${s.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    blocks.push(sectionBlock(config, s, lookup));
  }
  if (blocks.length === 0) blocks.push(['no location sections: every request is let through']);
  const tail = [mountLines(config.mounts ?? []), daemonLines(config.daemonProcesses ?? [])].filter((b) => b.length > 0);
  return [...blocks, ...tail].map((b) => b.join('\n')).join('\n\n') + '\n';
}

function needs(p: Policy): [HookSource, HookName][] {
  const out: [HookSource, HookName][] = [];
  if (p.authType === 'Basic') for (const s of p.basicProviders) out.push([s, 'check_password']);
  if (p.authType === 'Digest') for (const s of p.digestProviders) out.push([s, 'get_realm_hash']);
  if (p.require !== null && hasGroupRule(p.require)) for (const s of p.groupSources) out.push([s, 'groups_for_user']);
  if (p.accessSource !== null) out.push([p.accessSource, 'allow_access']);
  return out;
}

/** Loads every hook source a prefix location calls and checks it exports the hook it is called for. */
export async function verifyHooks(model: AuthhookModel): Promise<void> {
  const lookup = createPolicyLookup(model);
  const done = new Set<string>();
  for (const s of model.sections) {
    const p = s.kind === 'prefix' ? lookup(s.path) : null;
    if (p === null || !('authType' in p)) continue;
    for (const [source, hook] of needs(p)) {
      const key = `${source.label}\0${hook}`;
      if (done.has(key)) continue;
      done.add(key);
      let mod;
      try {
        mod = await source.current();
      } catch (err) {
        throw new ConfigError(`${source.label} does not load`, s.where, { cause: err });
      }
      if (typeof mod[hook] !== 'function') throw new ConfigError(`${source.label} exports no ${hook}, which ${s.path} calls`, s.where);
    }
  }
}
