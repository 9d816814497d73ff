/**
 * Loading user hook scripts (TypeScript or JavaScript) at run time through tsx, validating
 * their exports by the mod_wsgi names, and reloading a script when its file changes. A
 * broken edit keeps the last good version serving (SPEC §1).
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { importModule } from './import-module.js';
import { HookLoadError } from '../errors.js';
import { describeError } from '../log.js';
import type { HookSource } from '../config/model.js';
import type { HookModule, HookName, Logger } from '../types.js';

/** The four export names, as mod_wsgi knows them. */
export const HOOK_NAMES: readonly HookName[] = Object.freeze([
  'check_password',
  'get_realm_hash',
  'groups_for_user',
  'allow_access',
]);

/** Picks and checks the hook functions from a module namespace (or its default export object). */
export function extractHooks(ns: Record<string, unknown>, label: string): HookModule {
  let from: Record<string, unknown> = ns;
  const hasNamed = HOOK_NAMES.some((n) => ns[n] !== undefined);
  const def = ns.default;
  if (!hasNamed && typeof def === 'object' && def !== null) from = def as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of HOOK_NAMES) {
    const fn = from[name];
    if (fn === undefined) continue;
    if (typeof fn !== 'function') {
      throw new HookLoadError(`${label}: export "${name}" is a ${typeof fn}, not a function`);
    }
    out[name] = fn;
  }
  return Object.freeze(out) as HookModule;
}

/** A hook script kept current: `current()` hands out the last version that loaded. */
export interface ScriptSource extends HookSource {
  readonly path: string;
  /** How many times a version loaded successfully. */
  readonly loads: number;
  close(): void;
}

interface FileStamp {
  readonly mtimeMs: number;
  readonly size: number;
  readonly ino: number;
}

/** Options of `createScriptSource`. */
export interface ScriptSourceOptions {
  readonly reloading: boolean;
  readonly logger: Logger;
}

/** Watches and loads one hook script. */
export function createScriptSource(path: string, options: ScriptSourceOptions): ScriptSource {
  const abs = resolve(path);
  const label = abs;
  const { logger } = options;
  let good: HookModule | null = null;
  let goodStamp: FileStamp | null = null;
  let dirty = true;
  let loading: Promise<HookModule> | null = null;
  let loads = 0;
  let watcher: FSWatcher | null = null;

  async function load(): Promise<HookModule> {
    let st: FileStamp;
    try {
      const s = await stat(abs);
      st = { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
    } catch (err) {
      throw new HookLoadError(`${label}: cannot read hook script`, { cause: err });
    }
    if (good !== null && goodStamp !== null && st.mtimeMs === goodStamp.mtimeMs && st.size === goodStamp.size && st.ino === goodStamp.ino) {
      return good;
    }
    let ns: Record<string, unknown>;
    try {
      ns = (await importModule(abs)) as Record<string, unknown>;
    } catch (err) {
      throw new HookLoadError(`${label}: hook script failed to load`, { cause: err });
    }
    const mod = extractHooks(ns, label);
    good = mod;
    goodStamp = st;
    loads++;
    if (loads > 1) logger.info('hook script reloaded', { script: label });
    return mod;
  }

  function startWatching(): void {
    if (!options.reloading || watcher !== null) return;
    try {
      // The directory, not the file: editors replace files by rename, which ends a file watch.
      watcher = watch(dirname(abs), { persistent: false }, (_event, name) => {
        if (name === null || name === basename(abs)) dirty = true;
      });
      watcher.on('error', () => {
        dirty = true;
      });
    } catch (err) {
      logger.warn('cannot watch hook script; it will not reload', { script: label, ...describeError(err) });
    }
  }

  function refresh(): Promise<HookModule> {
    dirty = false;
    const p = load().then(
      (mod) => {
        loading = null;
        return mod;
      },
      (err: unknown) => {
        loading = null;
        if (good !== null) {
          logger.error('hook script no longer loads; the last good version keeps serving', {
            script: label,
            ...describeError(err),
          });
          return good;
        }
        dirty = true;
        throw err;
      },
    );
    loading = p;
    return p;
  }

  return {
    label,
    path: abs,
    get loads() {
      return loads;
    },
    peek(): HookModule | undefined {
      return !dirty && loading === null && good !== null ? good : undefined;
    },
    current(): Promise<HookModule> {
      if (loading !== null) return loading;
      if (!dirty && good !== null) return Promise.resolve(good);
      startWatching();
      return refresh();
    },
    close() {
      watcher?.close();
      watcher = null;
    },
  };
}

/** Wraps a hook module that lives in code (a built-in provider, or one given in the typed config). */
export function staticSource(label: string, module: HookModule): HookSource {
  const checked = extractHooks(module as Record<string, unknown>, label);
  const p = Promise.resolve(checked);
  return Object.freeze({ label, current: () => p, peek: () => checked });
}

/**
 * One source per script path: the same file named by several directives is one module, as
 * in mod_wsgi (shared globals between check_password and groups_for_user).
 */
export function createScriptRegistry(options: ScriptSourceOptions): {
  source(path: string): ScriptSource;
  close(): void;
  readonly all: ReadonlyMap<string, ScriptSource>;
} {
  const map = new Map<string, ScriptSource>();
  return {
    all: map,
    source(path: string): ScriptSource {
      const abs = resolve(path);
      let s = map.get(abs);
      if (s === undefined) {
        s = createScriptSource(abs, options);
        map.set(abs, s);
      }
      return s;
    },
    close() {
      for (const s of map.values()) s.close();
    },
  };
}
