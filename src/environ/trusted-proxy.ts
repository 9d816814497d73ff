/**
 * Which peers may speak for a client (`X-Forwarded-*`, `X-Original-*`, `X-Real-IP`), and the
 * client address a trusted chain reports. The list is explicit and empty by default (SPEC §7;
 * PEERS §4 items 7 and 13: trusting every peer let clients choose the path that is checked).
 * @module
 */
import { isIP } from 'node:net';
import { compileIpMatcher } from '../authz/ip-match.js';

/** A predicate on a peer address: whether it is a trusted proxy. */
export type TrustedProxyMatcher = (addr: string) => boolean;

const TRUST_NOBODY: TrustedProxyMatcher = Object.freeze(function trustNobody(): boolean {
  return false;
});

/**
 * Compiles a list of trusted proxy addresses and networks (`127.0.0.1`, `10.0.0.0/8`, `::1`).
 * An empty list trusts nobody. A bad entry throws a `ConfigError` naming `where`.
 * @example createTrustedProxyMatcher(['127.0.0.1', '10.0.0.0/8'])('10.2.3.4') // true
 */
export function createTrustedProxyMatcher(cidrs: readonly string[], where = 'trustedProxies'): TrustedProxyMatcher {
  if (cidrs.length === 0) return TRUST_NOBODY;
  return compileIpMatcher(cidrs, where);
}

/** One hop of an `X-Forwarded-For` list as a bare address (`[::1]` → `::1`), or `undefined` if it is none. */
function hopAddress(hop: string): string | undefined {
  const h = hop.startsWith('[') && hop.endsWith(']') ? hop.slice(1, -1) : hop;
  return isIP(h) === 0 ? undefined : h;
}

/**
 * The client address an `X-Forwarded-For` list reports: the rightmost hop that is not a
 * trusted proxy (each proxy appends its peer, so hops left of the first untrusted one are the
 * client's own words). When every hop is trusted, the leftmost. `undefined` when a hop that
 * must be read is not an IP address, or the list is empty.
 */
export function clientFromForwardedFor(list: string, isTrusted: TrustedProxyMatcher): string | undefined {
  const hops = list.split(',');
  let leftmost: string | undefined;
  for (let i = hops.length - 1; i >= 0; i--) {
    const addr = hopAddress(hops[i]!.trim());
    if (addr === undefined) return undefined;
    if (!isTrusted(addr)) return addr;
    leftmost = addr;
  }
  return leftmost;
}

/** A single address header (`X-Real-IP`) as a bare address, or `undefined` if it is not one. */
export function parseClientAddress(value: string): string | undefined {
  return hopAddress(value.trim());
}
