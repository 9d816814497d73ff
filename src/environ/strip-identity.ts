/**
 * Identity headers are authhook's alone: copies a client sends are removed before any hook
 * or app sees the request (DESIGN: "Identity headers that a client sends … are removed").
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Header names (lower-case) that only authhook may set. */
export const IDENTITY_HEADERS: readonly string[] = Object.freeze([
  'remote-user',
  'x-remote-user',
  'remote-groups',
  'x-remote-groups',
  'remote-name',
  'x-remote-name',
  'remote-email',
  'x-remote-email',
  'x-forwarded-user',
  'x-forwarded-groups',
  'x-forwarded-email',
  'x-forwarded-preferred-username',
  'x-authenticated-user',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  // authhook's own, on its hops: the scheme the user authenticated with.
  'auth-type',
]);

/** Prefixes of identity headers: `Remote-<Attribute>` and `X-Remote-<Attribute>`. */
const IDENTITY_PREFIXES = ['remote-', 'x-remote-'] as const;

/** Whether a (lower-case) header name is one that only authhook may set. */
export function isIdentityHeader(lowerName: string): boolean {
  // Every identity header starts with "r", "x" or "a": most names are rejected on one character.
  const c = lowerName.charCodeAt(0);
  // `Remote_User` is the same name to an app that folds `_` into `-` (CGI, PHP, many frameworks).
  if (lowerName.includes('_')) return (c === 0x61 || c === 0x72 || c === 0x78) && isIdentityHeader(lowerName.replace(/_/g, '-'));
  if (c === 0x61) return lowerName === 'auth-type';
  if (c !== 0x72 && c !== 0x78) return false;
  if (IDENTITY_HEADERS.includes(lowerName)) return true;
  for (const p of IDENTITY_PREFIXES) if (lowerName.startsWith(p)) return true;
  return false;
}

const NONE_REMOVED: readonly string[] = Object.freeze([]);

/** The parts of a Node request that hold its headers. */
export interface HeaderViews {
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  headersDistinct?: Record<string, string[] | undefined>;
}

/**
 * Removes every header of these (lower-case) names from a Node request: from `headers`,
 * `headersDistinct` and `rawHeaders`. Node builds the two views from rawHeaders on first read,
 * counting the header lines it parsed, so a view built after rawHeaders shrank would read past
 * its end and throw: both are built (if not yet) and cleaned before rawHeaders shrinks.
 */
function dropHeaderNames(req: HeaderViews, names: readonly string[]): void {
  const { headers } = req;
  const distinct = req.headersDistinct;
  for (const name of names) {
    delete headers[name];
    if (distinct !== undefined) delete distinct[name];
  }
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!names.includes(raw[i]!.toLowerCase())) kept.push(raw[i]!, raw[i + 1]!);
  }
  raw.length = 0;
  raw.push(...kept);
}

/**
 * Removes the headers whose lower-case name `matches` from a Node request in place, and
 * returns the names removed. Whatever a client sent is in `rawHeaders`, so that is what is
 * scanned: the header views are left unbuilt (Node builds them on first read) unless there is
 * something to remove. `mayMatch`, given the name as sent, passes over most names without
 * lower-casing them.
 */
export function removeHeaders(req: HeaderViews, matches: (lowerName: string) => boolean, mayMatch: (name: string) => boolean = () => true): readonly string[] {
  const raw = req.rawHeaders;
  let removed: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (!mayMatch(name)) continue;
    const lower = name.toLowerCase();
    if (matches(lower) && !(removed ??= []).includes(lower)) removed.push(lower);
  }
  if (removed === undefined) return NONE_REMOVED;
  dropHeaderNames(req, removed);
  return removed;
}

/** Every identity header starts with "r" or "x", or is the 9-letter `auth-type`. */
function mayBeIdentity(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  return c === 0x61 ? name.length === 9 : c === 0x72 || c === 0x78;
}

/** Removes identity headers from a Node request in place; returns the names removed, for the log. */
export function stripIdentityHeaders(req: HeaderViews): readonly string[] {
  return removeHeaders(req, isIdentityHeader, mayBeIdentity);
}
