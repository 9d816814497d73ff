/**
 * Putting a credential cache in front of a provider source, per location (`authnCache`).
 * A source that exposes `generation` (the file providers) has its cache emptied whenever
 * that number changes, i.e. when the file did. A source that exposes `slow` is cached by
 * default, and only while `slow` is true (an htpasswd file with bcrypt, MD5- or SHA-crypt).
 * @module
 */
import type { AuthnCacheSettings, HookSource } from '../config/model.js';
import type { CheckPasswordReturn, Environ, HookModule } from '../types.js';
import { createCredentialCache, type CredentialCache, type CredentialCacheOptions } from './credential-cache.js';

/** What a provider source may tell the cache. */
interface CacheHints {
  readonly generation?: number;
  readonly slow?: boolean;
}

type CheckPassword = NonNullable<HookModule['check_password']>;

/** Wraps `source` so `check_password` answers come from `cache` when they can. */
export function cachedSource(source: HookSource, realm: string, cache: CredentialCache, onlyWhenSlow = false): HookSource {
  const hints = source as HookSource & CacheHints;
  let generation = hints.generation;
  const wrapped = new WeakMap<HookModule, HookModule>();
  const wrap = (mod: HookModule): HookModule => {
    const inner = mod.check_password;
    if (inner === undefined) return mod;
    // Concurrent requests with the same credentials share one check: a page that loads 50
    // assets right after a login costs one bcrypt, not 50 queued ones.
    const inflight = new Map<string, Promise<CheckPasswordReturn>>();
    const fill = async (key: string, environ: Environ, user: string, password: string): Promise<CheckPasswordReturn> => {
      const seenGeneration = generation;
      const value = await inner(environ, user, password);
      // An answer computed against a file that changed meanwhile is not kept.
      if (hints.generation === seenGeneration) cache.setKey(key, value);
      return value;
    };
    // A hit returns synchronously, so the hook call needs no timer (call-hook's fast path).
    const check_password: CheckPassword = (environ, user, password) => {
      if (onlyWhenSlow && hints.slow !== true) return inner(environ, user, password);
      if (hints.generation !== generation) {
        generation = hints.generation;
        cache.clear();
        inflight.clear();
      }
      const key = cache.keyFor(realm, user, password);
      if (key === null) return inner(environ, user, password);
      const hit = cache.getKey(key);
      if (hit !== undefined) return hit;
      let p = inflight.get(key);
      if (p === undefined) {
        p = fill(key, environ, user, password);
        inflight.set(key, p);
        const done = (): void => void (inflight.get(key) === p && inflight.delete(key));
        p.then(done, done);
      }
      return p;
    };
    return Object.freeze({ ...mod, check_password });
  };
  const wrapFor = (mod: HookModule): HookModule => {
    let w = wrapped.get(mod);
    if (w === undefined) {
      w = wrap(mod);
      wrapped.set(mod, w);
    }
    return w;
  };
  // A source that hands out one settled promise (the file providers) gets one back: no extra await per request.
  let lastInner: Promise<HookModule> | null = null;
  let lastOuter: Promise<HookModule> | null = null;
  return Object.freeze({
    label: source.label,
    // A hit then needs no promise at all: call-hook calls a peeked module synchronously.
    peek(): HookModule | undefined {
      const mod = source.peek?.();
      return mod === undefined ? undefined : wrapFor(mod);
    },
    current(): Promise<HookModule> {
      const p = source.current();
      if (p !== lastInner || lastOuter === null) {
        lastInner = p;
        lastOuter = p.then(wrapFor);
      }
      return lastOuter;
    },
  });
}

const memo = new WeakMap<HookSource, Map<string, HookSource>>();

/**
 * Applies a location's `authnCache` setting to its Basic providers (`names[i]` is the name
 * `sources[i]` was listed by): `false` none, `true` every provider, settings the providers
 * they name (every one when they name none), absent (the default) the providers that say
 * they are `slow`. One cache per source, realm and settings, shared by every location that
 * resolves to it.
 */
export function withAuthnCache(
  sources: readonly HookSource[],
  names: readonly string[],
  setting: boolean | AuthnCacheSettings | undefined,
  realm: string,
): HookSource[] {
  if (setting === false) return [...sources];
  const only = typeof setting === 'object' ? setting.providers : undefined;
  return sources.map((source, i) => {
    const auto = setting === undefined;
    if (auto && !('slow' in source)) return source;
    if (only !== undefined && !only.includes(names[i]!)) return source;
    const options: CredentialCacheOptions = typeof setting === 'object' ? setting : {};
    const key = JSON.stringify([realm, auto, options.ttlS, options.max, options.negativeTtlS]);
    let bySetting = memo.get(source);
    if (bySetting === undefined) memo.set(source, (bySetting = new Map()));
    let s = bySetting.get(key);
    if (s === undefined) {
      s = cachedSource(source, realm, createCredentialCache(options), auto);
      bySetting.set(key, s);
    }
    return s;
  });
}
