/**
 * Builds RequireContexts for the authz tests, counting group look-ups.
 * @module
 */
import type { RequireContext } from '../../src/authz/require-eval.js';
import type { GroupsResult } from '../../src/types.js';

/** What a test may set; everything else gets a harmless default. */
export interface ContextOptions {
  readonly user?: string | null;
  readonly method?: string;
  readonly remoteAddr?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly groups?: GroupsResult | readonly string[];
  /** Cache the look-up per request, as the engine does. */
  readonly memoise?: boolean;
}

/** A context plus how many times `groups()` was called. */
export interface CountingContext extends RequireContext {
  readonly calls: { groups: number };
}

/** A RequireContext for one imagined request. */
export function context(options: ContextOptions = {}): CountingContext {
  const calls = { groups: 0 };
  const given = options.groups ?? [];
  const result: GroupsResult = Array.isArray(given)
    ? { outcome: 'groups', groups: given as readonly string[] }
    : (given as GroupsResult);
  let cached: Promise<GroupsResult> | undefined;
  return {
    environ: Object.freeze({}),
    user: options.user === undefined ? 'alice' : options.user,
    method: options.method ?? 'GET',
    remoteAddr: options.remoteAddr ?? '192.0.2.10',
    env: options.env ?? {},
    ldap: null,
    calls,
    groups() {
      if (options.memoise === true && cached !== undefined) return cached;
      calls.groups++;
      cached = Promise.resolve(result);
      return cached;
    },
  };
}
