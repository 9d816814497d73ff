/**
 * Calling hooks: time limit, and the exact mapping of every return value to a result
 * (SPEC §1). A throw, a time-out or a wrong type never grants.
 * @module
 */
import {
  HookLoadError,
  HookMissingError,
  HookResultError,
  HookThrewError,
  HookTimeoutError,
  ProviderUnavailableError,
  type AnyAuthhookError,
} from '../errors.js';
import type { HookSource } from '../config/model.js';
import type { AccessResult, AuthnResult, Environ, GroupsResult, HookModule, HookName, RealmHashResult } from '../types.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const EMPTY_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({});

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Turns anything a hook threw into an authhook error. A thrown ProviderUnavailableError asks
 * for a 503; it is recognised by its code, since a script loaded through its own module
 * graph has its own copy of the class.
 */
function asHookError(err: unknown, label: string, hook: HookName): AnyAuthhookError {
  if (err instanceof HookTimeoutError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === ProviderUnavailableError.code) {
    return new ProviderUnavailableError(`${label}: ${hook}: backend unavailable`, { cause: err });
  }
  return new HookThrewError(`${label}: ${hook} threw`, { cause: err });
}

/** A hook call that did not give a value: the hook is missing, could not load, threw or timed out. */
class HookFailure {
  readonly error: AnyAuthhookError;
  constructor(error: AnyAuthhookError) {
    this.error = error;
  }
}

/**
 * Calls one hook with a time limit; the hook's value, or a `HookFailure`. A loaded, fresh
 * module and a synchronous hook give the value synchronously, with no timer and no promise
 * (the hot path); a promise races the limit. The arguments are passed one by one so the hook
 * sees exactly its own arity.
 */
function invoke(source: HookSource, hook: HookName, timeoutMs: number, a: unknown, b: unknown, c?: unknown): MaybePromise<unknown> {
  const mod = source.peek?.();
  return mod === undefined ? loadAndInvoke(source, hook, timeoutMs, a, b, c) : callLoaded(mod, source.label, hook, timeoutMs, a, b, c);
}

function callLoaded(mod: HookModule, label: string, hook: HookName, timeoutMs: number, a: unknown, b: unknown, c: unknown): MaybePromise<unknown> {
  const fn = mod[hook] as ((...args: readonly unknown[]) => unknown) | undefined;
  if (fn === undefined) return new HookFailure(new HookMissingError(`${label} does not provide ${hook}`));
  let value: unknown;
  try {
    value = hook === 'groups_for_user' || hook === 'allow_access' ? fn(a, b) : fn(a, b, c);
  } catch (err) {
    return new HookFailure(asHookError(err, label, hook));
  }
  return isThenable(value) ? raceLimit(value, label, hook, timeoutMs) : value;
}

async function loadAndInvoke(source: HookSource, hook: HookName, timeoutMs: number, a: unknown, b: unknown, c: unknown): Promise<unknown> {
  let mod: HookModule;
  try {
    mod = await source.current();
  } catch (err) {
    return new HookFailure(err instanceof HookLoadError ? err : new HookLoadError(`${source.label}: cannot load`, { cause: err }));
  }
  return callLoaded(mod, source.label, hook, timeoutMs, a, b, c);
}

async function raceLimit(value: PromiseLike<unknown>, label: string, hook: HookName, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HookTimeoutError(`${label}: ${hook} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([value, limit]);
  } catch (err) {
    return new HookFailure(asHookError(err, label, hook));
  } finally {
    clearTimeout(timer);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function isCleanName(s: unknown): s is string {
  return typeof s === 'string' && s !== '' && !CONTROL.test(s);
}

const GRANT_KEYS = new Set(['user', 'groups', 'attributes']);

/** Maps what check_password returned (SPEC §1 table). */
export function mapCheckPassword(value: unknown, user: string, label: string): AuthnResult {
  if (value === true) return { outcome: 'granted', user, groups: null, attributes: EMPTY_ATTRIBUTES };
  if (value === false) return { outcome: 'denied' };
  if (value === null || value === undefined) return { outcome: 'not-found' };
  if (typeof value === 'string') {
    if (!isCleanName(value)) {
      return { outcome: 'error', error: new HookResultError(`${label}: check_password returned an empty or unprintable user name`) };
    }
    return { outcome: 'granted', user: value, groups: null, attributes: EMPTY_ATTRIBUTES };
  }
  if (isPlainObject(value)) return mapGrantObject(value, user, label, 'check_password');
  return {
    outcome: 'error',
    error: new HookResultError(`${label}: check_password must return true, false, null, a user name or a grant object, not ${describe(value)}`),
  };
}

function mapGrantObject(value: Record<string, unknown>, user: string, label: string, hook: HookName): AuthnResult {
  const bad = (why: string): AuthnResult => ({ outcome: 'error', error: new HookResultError(`${label}: ${hook} returned a grant object with ${why}`) });
  for (const k of Object.keys(value)) if (!GRANT_KEYS.has(k)) return bad(`an unknown key "${k}"`);
  if (value.user !== undefined && !isCleanName(value.user)) return bad('an empty or non-string user');
  let groups: readonly string[] | null = null;
  if (value.groups !== undefined) {
    if (!Array.isArray(value.groups) || !value.groups.every(isCleanName)) return bad('groups that are not an array of names');
    groups = Object.freeze([...(value.groups as string[])]);
  }
  let attributes = EMPTY_ATTRIBUTES;
  if (value.attributes !== undefined) {
    const a = value.attributes;
    if (!isPlainObject(a)) return bad('attributes that are not an object');
    const copy: Record<string, string> = {};
    for (const [k, v] of Object.entries(a)) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(k) || typeof v !== 'string' || CONTROL.test(v)) return bad(`a bad attribute "${k}"`);
      copy[k] = v;
    }
    attributes = Object.freeze(copy);
  }
  return { outcome: 'granted', user: (value.user as string | undefined) ?? user, groups, attributes };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : `a ${typeof v}`;
}

const WITHHELD = '[message withheld: it holds the password]';

/**
 * Withholds a thrown message (and stack) that quotes the password, so it never reaches a log.
 * The whole text goes, not the password's occurrences: replacing those would show the password
 * as the gaps in otherwise readable text (a password "x" turns "/examples/" into "/e[…]amples/").
 */
function redact(error: AnyAuthhookError, password: string): AnyAuthhookError {
  if (password === '') return error;
  const scrub = (e: unknown): void => {
    if (e instanceof Error) {
      const inStack = typeof e.stack === 'string' && e.stack.includes(password);
      if (e.message.includes(password)) e.message = WITHHELD;
      if (inStack) e.stack = `${e.name}: ${e.message}`;
      scrub(e.cause);
    }
  };
  scrub(error);
  return error;
}

/** Maps a hook's value now, or when it comes. */
function mapWhenReady<T>(v: MaybePromise<unknown>, map: (value: unknown, label: string) => T, label: string): MaybePromise<T> {
  return isPending(v) ? v.then((x) => map(x, label)) : map(v, label);
}

/** Calls `check_password` and maps its result; synchronous when the hook is. */
export function callCheckPassword(source: HookSource, environ: Environ, user: string, password: string, timeoutMs: number): MaybePromise<AuthnResult> {
  const v = invoke(source, 'check_password', timeoutMs, environ, user, password);
  const label = source.label;
  return isPending(v) ? v.then((x) => mapPassword(x, user, password, label)) : mapPassword(v, user, password, label);
}

function mapPassword(v: unknown, user: string, password: string, label: string): AuthnResult {
  return v instanceof HookFailure ? { outcome: 'error', error: redact(v.error, password) } : mapCheckPassword(v, user, label);
}

/** Calls `get_realm_hash` and maps its result; synchronous when the hook is. */
export function callGetRealmHash(source: HookSource, environ: Environ, user: string, realm: string, timeoutMs: number): MaybePromise<RealmHashResult> {
  return mapWhenReady(invoke(source, 'get_realm_hash', timeoutMs, environ, user, realm), mapRealmHash, source.label);
}

function mapRealmHash(v: unknown, label: string): RealmHashResult {
  if (v instanceof HookFailure) return { outcome: 'error', error: v.error };
  if (v === null || v === undefined) return { outcome: 'not-found' };
  const hash = typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : undefined;
  if (hash === undefined || hash === '') {
    return {
      outcome: 'error',
      error: new HookResultError(`${label}: get_realm_hash must return a non-empty hex string or null, not ${hash === '' ? 'an empty string' : describe(v)}`),
    };
  }
  return { outcome: 'found', hash };
}

/** Calls `groups_for_user` and maps its result; a bare string is a wrong type (SPEC §1). */
export function callGroupsForUser(source: HookSource, environ: Environ, user: string, timeoutMs: number): MaybePromise<GroupsResult> {
  return mapWhenReady(invoke(source, 'groups_for_user', timeoutMs, environ, user), mapGroups, source.label);
}

function mapGroups(v: unknown, label: string): GroupsResult {
  if (v instanceof HookFailure) return { outcome: 'error', error: v.error };
  const wrong = (why: string): GroupsResult => ({ outcome: 'error', error: new HookResultError(`${label}: groups_for_user ${why}`) });
  if (typeof v === 'string') return wrong('returned a bare string; return an array of group names');
  if (typeof v !== 'object' || v === null || typeof (v as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    return wrong(`must return an iterable of group names, not ${describe(v)}`);
  }
  const groups: string[] = [];
  try {
    for (const item of v as Iterable<unknown>) {
      const name = typeof item === 'string' ? item : item instanceof Uint8Array ? Buffer.from(item).toString('latin1') : undefined;
      if (name === undefined) return wrong(`yielded ${describe(item)}, not a group name`);
      if (name.includes('\u0000')) return wrong('yielded a group name holding NUL');
      groups.push(name);
    }
  } catch (err) {
    return { outcome: 'error', error: asHookError(err, label, 'groups_for_user') };
  }
  return { outcome: 'groups', groups: Object.freeze(groups) };
}

const ALLOW: AccessResult = Object.freeze({ outcome: 'allow' });
const DENY: AccessResult = Object.freeze({ outcome: 'deny' });
const NO_OPINION: AccessResult = Object.freeze({ outcome: 'no-opinion' });

/** Calls `allow_access` and maps its result: anything but a boolean or null is an error (→ 403). */
export function callAllowAccess(source: HookSource, environ: Environ, host: string, timeoutMs: number): MaybePromise<AccessResult> {
  return mapWhenReady(invoke(source, 'allow_access', timeoutMs, environ, host), mapAccess, source.label);
}

function mapAccess(v: unknown, label: string): AccessResult {
  if (v instanceof HookFailure) return { outcome: 'error', error: v.error };
  if (v === true) return ALLOW;
  if (v === false) return DENY;
  if (v === null || v === undefined) return NO_OPINION;
  return { outcome: 'error', error: new HookResultError(`${label}: allow_access must return true, false or null, not ${describe(v)}`) };
}
