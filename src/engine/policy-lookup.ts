/**
 * Which sections apply to a normalised path, and the merged policy for them. Merged
 * policies are memoised by the set of matching sections, so a request merges nothing.
 * @module
 */
import { PolicyError } from '../errors.js';
import { mergeSections } from '../config/merge.js';
import type { AuthhookModel, LocationSection, Policy } from '../config/model.js';

/** Whether a `<Location>` prefix applies: whole path segments only (`/private` does not cover `/private123`). */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '/' || prefix === path) return true;
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith('/') || path.charCodeAt(prefix.length) === 0x2f;
}

/** Specificity order: prefixes by depth (then length), then regexes, config order within a tie. */
export function orderSections(sections: readonly LocationSection[]): LocationSection[] {
  const indexed = sections.map((s, i) => ({ s, i }));
  indexed.sort((a, b) => {
    if (a.s.kind !== b.s.kind) return a.s.kind === 'prefix' ? -1 : 1;
    if (a.s.kind === 'prefix') {
      const depth = (p: string) => p.split('/').filter(Boolean).length;
      const d = depth(a.s.path) - depth(b.s.path) || a.s.path.length - b.s.path.length;
      if (d !== 0) return d;
    }
    return a.i - b.i;
  });
  return indexed.map((x) => x.s);
}

/** The result of a look-up: a policy, or the reason the merged sections cannot make one. */
export type PolicyLookupResult = Policy | PolicyError;

/** A section that matches without regard to case: its prefix lower-cased, its regex with the `i` flag. */
function caseFolded(s: LocationSection): LocationSection {
  if (s.kind === 'prefix') return Object.freeze({ ...s, path: s.path.toLowerCase() });
  const r = s.regex!;
  return Object.freeze({ ...s, regex: r.flags.includes('i') ? r : new RegExp(r.source, r.flags + 'i') });
}

/**
 * Creates the look-up for a model. With `foldCase`, locations match without regard to case
 * (the path is lower-cased, and so are the prefixes): for fronts whose router does the same.
 */
export function createPolicyLookup(model: AuthhookModel, foldCase = false): (path: string) => PolicyLookupResult {
  const ordered = orderSections(foldCase ? model.sections.map(caseFolded) : model.sections);
  const cache = new Map<number | string, PolicyLookupResult>();
  return function lookupPolicy(target: string): PolicyLookupResult {
    const path = foldCase ? target.toLowerCase() : target;
    // The set of matching sections is the cache key: a bit per section for the first 31 (a
    // number, so a request builds no string), their indexes as text beyond that.
    let bits = 0;
    let rest = '';
    for (let i = 0; i < ordered.length; i++) {
      if (!sectionMatches(ordered[i]!, path)) continue;
      if (i < 31) bits |= 1 << i;
      else rest += `${i},`;
    }
    const key = rest === '' ? bits : `${bits}|${rest}`;
    let hit = cache.get(key);
    if (hit === undefined) {
      try {
        hit = mergeSections(
          ordered.filter((s) => sectionMatches(s, path)),
          model,
        );
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        hit = err;
      }
      cache.set(key, hit);
    }
    return hit;
  };
}

function sectionMatches(s: LocationSection, path: string): boolean {
  return s.kind === 'prefix' ? prefixMatches(s.path, path) : s.regex!.test(path);
}
