/**
 * Turning builders into the model: frozen `LocationSection`s, the per-location groups, the
 * mounts; and the checks that need the whole model.
 * @module
 */
import { requireAny, type RequireNode } from '../../authz/require-parse.js';
import { createPolicyLookup } from '../../engine/policy-lookup.js';
import { ConfigError } from '../../errors.js';
import type { LocationGroupSpec, MountSpec } from '../gateway-spec.js';
import type { AuthhookModel, LocationSection } from '../model.js';
import type { CompileState, SectionBuilder } from './state.js';

/** A section's own Require lines: one stands alone, several are an implicit `<RequireAny>` (which refuses negative ones). */
function sectionRequire(items: SectionBuilder['require']): RequireNode {
  const negative = items.find((i) => i.node.negate);
  if (items.length === 1 && negative === undefined) return items[0]!.node;
  return requireAny(items.map((i) => i.node), (negative ?? items[0]!).where);
}

/** Freezes a builder into the model's section. */
export function finishSection(b: SectionBuilder): LocationSection {
  const directives = { ...b.directives };
  if (b.require.length > 0) directives.require = sectionRequire(b.require);
  if (Object.keys(b.ldap).length > 0) directives.ldap = Object.freeze({ ...b.ldap });
  return Object.freeze({ kind: b.kind, path: b.path, regex: b.regex, directives: Object.freeze(directives), where: b.where });
}

/** The sections that set `WSGIProcessGroup` or `WSGIApplicationGroup`. */
export function locationGroups(state: CompileState): LocationGroupSpec[] {
  return state.sections
    .filter((b) => b.processGroup !== null || b.applicationGroup !== null)
    .map((b) => Object.freeze({ kind: b.kind, path: b.path, regex: b.regex, processGroup: b.processGroup, applicationGroup: b.applicationGroup, where: b.where }));
}

/** The mounts, with the top-level `WSGIPassAuthorization` filled in where `pass-authorization=` was not given. */
export function finishMounts(state: CompileState): MountSpec[] {
  const fallback = state.global.passAuthorization ?? false;
  return state.mounts.map((m) => Object.freeze({ ...m.spec, passAuthorization: m.pass ?? fallback }));
}

/**
 * What would only fail on a request in the typed config is an error here, at the section:
 * a Require that needs a user where no AuthType applies, or an AuthType without AuthName.
 */
export function checkAuthApplies(model: AuthhookModel): void {
  const lookup = createPolicyLookup(model);
  for (const s of model.sections) {
    if (s.kind !== 'prefix') continue;
    const p = lookup(s.path);
    if (!('authType' in p) || p.require === null || !p.require.needsUser) continue;
    if (p.authType === null) {
      throw new ConfigError(`Require needs an authenticated user at ${s.path}, but no AuthType applies there (set AuthType Basic or Digest)`, s.where);
    }
    if (p.authName === null) throw new ConfigError(`AuthType ${p.authType} at ${s.path} needs an AuthName`, s.where);
  }
}
