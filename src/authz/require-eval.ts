/**
 * Evaluates a parsed Require tree for one request with Apache 2.4 mod_authz_core's
 * `apply_authz_sections` logic.
 * @module
 */
import type { AuthzStatus, RequireContext, RequireNode, RequireSection } from './require-types.js';

export type { AuthzStatus, RequireContext } from './require-types.js';

/** Negation as mod_authz_core: a grant becomes a denial; a denial only becomes neutral. */
function negated(status: AuthzStatus): AuthzStatus {
  if (status === 'error') return status;
  return status === 'granted' ? 'denied' : 'neutral';
}

function combine(and: boolean, result: AuthzStatus, child: AuthzStatus): AuthzStatus {
  if (child === 'error') return child;
  if (child === 'neutral') return result;
  if (and) {
    if (child === 'denied' || child === 'denied-no-user' || result === 'neutral') return child;
    return result;
  }
  if (child === 'granted' || result === 'neutral' || (child === 'denied-no-user' && result === 'denied')) return child;
  return result;
}

function finish(node: RequireSection, result: AuthzStatus): AuthzStatus {
  return node.negate ? negated(result) : result;
}

function evaluateSection(
  node: RequireSection,
  ctx: RequireContext,
  from: number,
  start: AuthzStatus,
): AuthzStatus | Promise<AuthzStatus> {
  const and = node.kind === 'all';
  // The first denial ends an AND, the first grant ends an OR.
  const decisive: AuthzStatus = and ? 'denied' : 'granted';
  const { children } = node;
  let result = start;
  for (let i = from; i < children.length; i++) {
    const child = evaluateNode(children[i]!, ctx);
    if (typeof child !== 'string') {
      const before = result;
      return child.then((status) => {
        const after = combine(and, before, status);
        return after === decisive || after === 'error' ? finish(node, after) : evaluateSection(node, ctx, i + 1, after);
      });
    }
    result = combine(and, result, child);
    if (result === decisive || result === 'error') break;
  }
  return finish(node, result);
}

// Stays synchronous until a rule really awaits (a group look-up), so ip/method/user trees allocate no promises.
function evaluateNode(node: RequireNode, ctx: RequireContext): AuthzStatus | Promise<AuthzStatus> {
  if (node.kind !== 'rule') return evaluateSection(node, ctx, 0, 'neutral');
  if (node.needsUser && ctx.user === null) return node.negate ? 'neutral' : 'denied-no-user';
  const status = node.check(ctx);
  if (!node.negate) return status;
  return typeof status === 'string' ? negated(status) : status.then(negated);
}

/**
 * The Require tree's verdict for one request: `granted`, `denied`, `denied-no-user`
 * (authenticate, then ask again) or `neutral` (nothing applied: not a grant).
 * A rule needing a user gives `denied-no-user` without one and never calls `ctx.groups()`.
 * The verdict is synchronous unless a rule had to wait (a group look-up).
 */
export function evaluateRequire(node: RequireNode, ctx: RequireContext): AuthzStatus | Promise<AuthzStatus> {
  return evaluateNode(node, ctx);
}
