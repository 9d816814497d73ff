/**
 * Decision builders: every decision the engine makes is one of these shapes.
 * @module
 */
import type { AuthType, Decision, DecisionHeaders } from '../types.js';

const NO_HEADERS: DecisionHeaders = Object.freeze({});
const NO_GROUPS: readonly string[] = Object.freeze([]);
const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

/** A refusal (or a 200 with nobody authenticated). */
export function refuse(status: Decision['status'], reason: string, headers: DecisionHeaders = NO_HEADERS): Decision {
  return Object.freeze({ status, headers, user: null, groups: NO_GROUPS, attributes: NO_ATTRIBUTES, authType: null, reason });
}

/** Lets the request through with nobody authenticated (no policy, or a rule that needs no user granted). */
export function allowAnonymous(reason: string): Decision {
  return refuse(200, reason);
}

/** Lets the request through as an authenticated user. */
export function allowUser(
  user: string,
  authType: AuthType,
  groups: readonly string[] | null,
  attributes: Readonly<Record<string, string>>,
  variables?: Readonly<Record<string, string>>,
): Decision {
  const d: Decision = { status: 200, headers: NO_HEADERS, user, groups: groups ?? NO_GROUPS, attributes, authType, reason: 'granted' };
  return Object.freeze(variables === undefined ? d : { ...d, variables });
}

/** 503 for a time-out or an unreachable backend: the client may retry. */
export function unavailable(reason: string): Decision {
  return refuse(503, reason, Object.freeze({ 'Retry-After': '5' }));
}
