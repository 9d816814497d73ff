/**
 * `WSGIDispatchScript`: a script whose `process_group(environ)` and `application_group(environ)`
 * choose per request, loaded through the same module loader as the hook scripts and
 * reloaded when its file changes. A string names the group; `null`/`undefined` keeps the
 * configured one; a throw, a time-out or any other value is an error (500), never a
 * silently wrong group.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { HookLoadError, HookResultError, HookThrewError, HookTimeoutError } from '../errors.js';
import { importModule } from '../hooks/import-module.js';
import { describeError } from '../log.js';
import type { Environ, Logger } from '../types.js';

/** What the script chose; `null` keeps the configured group. */
export interface DispatchChoice {
  readonly processGroup: string | null;
  readonly applicationGroup: string | null;
}

/** A loaded dispatch script. */
export interface DispatchScript {
  readonly path: string;
  /** Asks the script; rejects with a coded error (the request gets a 500). */
  choose(environ: Environ): Promise<DispatchChoice>;
  /** Loads the script now; rejects with its load error (a gateway that cannot dispatch does not start). */
  ready(): Promise<void>;
  close(): void;
}

type Chooser = (environ: Environ) => unknown;
interface Loaded {
  readonly process_group: Chooser | null;
  readonly application_group: Chooser | null;
}

const NAMES = ['process_group', 'application_group'] as const;

function extract(ns: Record<string, unknown>, label: string): Loaded {
  const from = NAMES.some((n) => ns[n] !== undefined) || typeof ns.default !== 'object' || ns.default === null ? ns : (ns.default as Record<string, unknown>);
  const out: Record<string, Chooser | null> = {};
  for (const n of NAMES) {
    const f = from[n];
    if (f !== undefined && typeof f !== 'function') throw new HookLoadError(`${label}: export "${n}" is a ${typeof f}, not a function`);
    out[n] = (f as Chooser | undefined) ?? null;
  }
  if (out.process_group === null && out.application_group === null) throw new HookLoadError(`${label}: exports neither process_group nor application_group`);
  return out as unknown as Loaded;
}

async function ask(fn: Chooser | null, name: string, environ: Environ, label: string, timeoutMs: number): Promise<string | null> {
  if (fn === null) return null;
  let value: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    value = fn(environ);
    if (value instanceof Promise) {
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HookTimeoutError(`${label}: ${name} did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      value = await Promise.race([value, limit]);
    }
  } catch (err) {
    throw err instanceof HookTimeoutError ? err : new HookThrewError(`${label}: ${name} threw`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new HookResultError(`${label}: ${name} returned a ${typeof value}; expected a group name (string) or null`);
  return value;
}

/** Options of `createDispatchScript`. */
export interface DispatchScriptOptions {
  readonly reloading: boolean;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** Loads a dispatch script (watching it for changes when `reloading`); a broken edit keeps the last good version. */
export function createDispatchScript(path: string, options: DispatchScriptOptions): DispatchScript {
  const abs = resolve(path);
  let good: Loaded | null = null;
  let dirty = true;
  let loading: Promise<Loaded> | null = null;
  let watcher: FSWatcher | null = null;
  if (options.reloading) {
    // The directory, not the file: editors replace files by rename, which ends a file watch.
    watcher = watch(dirname(abs), { persistent: false }, (_e, name) => {
      if (name === null || name === basename(abs)) dirty = true;
    });
  }
  const load = async (): Promise<Loaded> => {
    dirty = false;
    try {
      good = extract(await importModule(abs), abs);
    } catch (err) {
      const e = err instanceof HookLoadError ? err : new HookLoadError(`${abs}: dispatch script failed to load`, { cause: err });
      if (good === null) {
        dirty = true;
        throw e;
      }
      options.logger.error('dispatch script no longer loads; the last good version keeps serving', { script: abs, ...describeError(e) });
    }
    return good;
  };
  const current = (): Loaded | Promise<Loaded> => {
    if (!dirty && good !== null) return good;
    loading ??= load().finally(() => (loading = null));
    return loading;
  };
  return {
    path: abs,
    async choose(environ) {
      const m = await current();
      const processGroup = await ask(m.process_group, 'process_group', environ, abs, options.timeoutMs);
      const applicationGroup = await ask(m.application_group, 'application_group', environ, abs, options.timeoutMs);
      return { processGroup, applicationGroup };
    },
    async ready() {
      await current();
    },
    close() {
      watcher?.close();
    },
  };
}
