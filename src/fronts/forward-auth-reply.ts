/**
 * The forward-auth reply: 200 with every configured identity header (empty when there is
 * nothing: Caddy 2.6 hands the app its placeholder text for a missing one, and a gateway only
 * overwrites a client's copy when the reply carries the header — SPEC §7, PEERS §4 item 1),
 * or the refusal with its challenge. No reply has a body: nginx reuses the upstream
 * connection only then (SPEC §7). Nothing is cacheable.
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Decision, DecisionHeaders, Logger } from '../types.js';
import type { ResolvedForwardAuth } from './forward-auth-options.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Anything but printable ASCII: the common value has none, and goes out as it is after one test. */
const NON_ASCII = /[^\u0020-\u007e]/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAPPED_ATTRIBUTES = new Set(['name', 'email']);

/**
 * A header value for an identity fact, or `undefined` when it cannot be one (a control
 * character could end the header). Non-ASCII text goes out as UTF-8 bytes, as Go-based
 * gateways and Authelia send it; Node writes header strings as Latin-1, byte for byte.
 */
function headerValue(v: string): string | undefined {
  if (v === '' || !NON_ASCII.test(v)) return v;
  if (CONTROL.test(v)) return undefined;
  return Buffer.from(v, 'utf8').toString('latin1');
}

/** `department` → `Department`, `given-name` → `Given-Name`. */
function titleCase(key: string): string {
  return key.replace(/(^|-)([a-z])/g, (_m: string, dash: string, c: string) => dash + c.toUpperCase());
}

function pushAll(out: string[], names: readonly string[], value: string): void {
  for (const n of names) out.push(n, value);
}

function groupsValue(groups: readonly string[], o: ResolvedForwardAuth, logger: Logger): string {
  let joined = '';
  for (const g of groups) {
    const v = headerValue(g);
    // A group holding the separator would read as two groups downstream: leave it out (less access, never more).
    if (v === undefined || v === '' || g.includes(o.groupSeparator)) {
      logger.warn('group cannot be sent in a header; left out', { group: JSON.stringify(g) });
      continue;
    }
    joined = joined === '' ? v : joined + o.groupSeparator + v;
  }
  return joined;
}

function attributeHeaders(out: string[], attributes: Readonly<Record<string, string>>, o: ResolvedForwardAuth, logger: Logger): void {
  const prefix = o.attributeHeaderPrefix;
  if (prefix === null) return;
  for (const [key, raw] of Object.entries(attributes)) {
    if (MAPPED_ATTRIBUTES.has(key)) continue;
    const name = prefix + titleCase(key);
    const value = typeof raw === 'string' ? headerValue(raw) : undefined;
    // An attribute may never pose as a configured identity header (an attribute "user" is not Remote-User).
    if (!TOKEN.test(key) || o.identityNames.has(name.toLowerCase()) || value === undefined) {
      logger.warn('attribute cannot be sent as a header; left out', { attribute: key });
      continue;
    }
    out.push(name, value);
  }
}

/** The identity headers for a 200, or `undefined` when the user name cannot be sent (a fault: fail closed). */
export function identityHeaders(decision: Decision, o: ResolvedForwardAuth, logger: Logger): string[] | undefined {
  const user = headerValue(decision.user ?? '');
  if (user === undefined) {
    logger.error('user name holds a control character; request refused', { user: JSON.stringify(decision.user) });
    return undefined;
  }
  const out: string[] = [];
  const { identity } = o;
  pushAll(out, identity.user, user);
  pushAll(out, identity.groups, decision.groups.length === 0 ? '' : groupsValue(decision.groups, o, logger));
  const attrs = decision.attributes;
  pushAll(out, identity.name, headerValue(attrs.name ?? '') ?? '');
  pushAll(out, identity.email, headerValue(attrs.email ?? '') ?? '');
  attributeHeaders(out, attrs, o, logger);
  return out;
}

function refusalHeaders(headers: DecisionHeaders): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out.push(name, value);
    else for (const v of value) out.push(name, v);
  }
  return out;
}

/** Writes a reply with no body. */
export function writeEmpty(res: ServerResponse, status: number, headers: string[]): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  headers.push('Cache-Control', 'no-store', 'Content-Length', '0');
  res.writeHead(status, headers);
  res.end();
}

/** Writes the reply for an engine decision. */
export function writeDecision(res: ServerResponse, decision: Decision, o: ResolvedForwardAuth, logger: Logger): void {
  if (decision.status !== 200) return writeEmpty(res, decision.status, refusalHeaders(decision.headers));
  const headers = identityHeaders(decision, o, logger);
  if (headers === undefined) return writeEmpty(res, 500, []);
  writeEmpty(res, 200, headers);
}
