/**
 * Which mount serves a request and in which groups: the longest `WSGIScriptAlias` prefix
 * on whole segments of the normalised path (SCRIPT_NAME is the canonical mount, PATH_INFO the
 * rest, as mod_wsgi splits them), then the group templates from the mount's options, else
 * the location's `WSGIProcessGroup` / `WSGIApplicationGroup`, else in-process `%{RESOURCE}`.
 * @module
 */
import type { LocationGroupSpec, MountSpec } from '../config/gateway-spec.js';
import { prefixMatches } from '../engine/policy-lookup.js';

/** The mount serving a path and how the path splits. */
export interface MountRoute {
  readonly mount: MountSpec;
  /** `''` for a mount at `/` (WSGI's convention), else the mount path. */
  readonly scriptName: string;
  readonly pathInfo: string;
}

/** The group templates that apply to a request, before expansion. */
export interface GroupTemplates {
  readonly processGroup: string;
  readonly applicationGroup: string;
}

/** Finds the mount of a normalised path. */
export type MountTable = (path: string) => MountRoute | null;

/** Builds the look-up once: mounts are tried longest first. */
export function createMountTable(mounts: readonly MountSpec[]): MountTable {
  const ordered = [...mounts].sort((a, b) => b.path.length - a.path.length);
  return function findMount(path) {
    for (const mount of ordered) {
      if (!prefixMatches(mount.path, path)) continue;
      const scriptName = mount.path === '/' ? '' : mount.path;
      return { mount, scriptName, pathInfo: path.slice(scriptName.length) };
    }
    return null;
  };
}

/** The templates for a request: mount options, else location directives, else the defaults. */
export function groupTemplates(route: MountRoute, path: string, locationGroups: readonly LocationGroupSpec[]): GroupTemplates {
  const { mount } = route;
  if (mount.processGroup !== null && mount.applicationGroup !== null) return { processGroup: mount.processGroup, applicationGroup: mount.applicationGroup };
  const at = locationGroups.length === 0 ? null : locationGroupsAt(locationGroups, path);
  return {
    processGroup: mount.processGroup ?? at?.processGroup ?? '%{GLOBAL}',
    applicationGroup: mount.applicationGroup ?? at?.applicationGroup ?? '%{RESOURCE}',
  };
}

/** Whether any location section sets a group under (or above) a mount, so the mount's groups vary by path. */
export function locationsTouch(mount: MountSpec, locationGroups: readonly LocationGroupSpec[]): boolean {
  return locationGroups.some((g) => g.kind === 'regex' || prefixMatches(g.path, mount.path) || prefixMatches(mount.path, g.path));
}

/**
 * The request target an app sees: PATH_INFO (re-encoded: it is decoded) and the query, so
 * an app routes on the path below its mount, as a WSGI app routes on PATH_INFO.
 */
export function appUrl(pathInfo: string, url: string): string {
  const q = url.indexOf('?');
  const query = q === -1 ? '' : url.slice(q);
  if (pathInfo === '') return '/' + query;
  const rawPath = q === -1 ? url : url.slice(0, q);
  // The common case: the client's spelling was already canonical, so it is the tail of the URL.
  if (rawPath.endsWith(pathInfo) && !pathInfo.includes('%')) return pathInfo + query;
  return encodeURI(pathInfo).replace(/[?#]/g, encodeURIComponent) + query;
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/** The policy look-up's order: prefixes by depth (then length), then regexes; config order within a tie. */
function specificity(a: { g: LocationGroupSpec; i: number }, b: { g: LocationGroupSpec; i: number }): number {
  if (a.g.kind !== b.g.kind) return a.g.kind === 'prefix' ? -1 : 1;
  const byPath = a.g.kind === 'prefix' ? depth(a.g.path) - depth(b.g.path) || a.g.path.length - b.g.path.length : 0;
  return byPath || a.i - b.i;
}

/** `WSGIProcessGroup` / `WSGIApplicationGroup` at a path: later and more specific sections win, as for policy. */
export function locationGroupsAt(groups: readonly LocationGroupSpec[], path: string): { processGroup: string | null; applicationGroup: string | null } {
  const matching = groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => (g.kind === 'prefix' ? prefixMatches(g.path, path) : g.regex!.test(path)))
    .sort(specificity);
  let processGroup: string | null = null;
  let applicationGroup: string | null = null;
  for (const { g } of matching) {
    processGroup = g.processGroup ?? processGroup;
    applicationGroup = g.applicationGroup ?? applicationGroup;
  }
  return { processGroup, applicationGroup };
}
