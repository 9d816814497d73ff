/**
 * Process reloading (mod_wsgi 2.0): notices when an app module's file changes, so its
 * groups can be replaced. Directories are watched, not files: editors replace a file by
 * renaming, which ends a watch on the file itself.
 * @module
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';

/** Changes that come in bursts (write, then chmod, then rename) count once after this quiet time. */
const SETTLE_MS = 100;

/** Watches app files. */
export interface AppWatcher {
  add(app: string): void;
  close(): void;
}

const stamp = (path: string): string => {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
};

/** Calls `onChange(app)` once a watched app's file has changed and settled. */
export function watchApps(onChange: (app: string) => void, logger: Logger): AppWatcher {
  const dirs = new Map<string, FSWatcher>();
  const stamps = new Map<string, string>();
  const timers = new Map<string, NodeJS.Timeout>();

  function changed(app: string): void {
    clearTimeout(timers.get(app));
    const t = setTimeout(() => {
      timers.delete(app);
      const now = stamp(app);
      if (now === stamps.get(app) || now === 'missing') return;
      stamps.set(app, now);
      logger.info('app module changed; reloading its groups', { app });
      onChange(app);
    }, SETTLE_MS);
    t.unref();
    timers.set(app, t);
  }

  return {
    add(app) {
      if (stamps.has(app)) return;
      stamps.set(app, stamp(app));
      const dir = dirname(app);
      if (dirs.has(dir)) return;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          for (const a of stamps.keys()) if (dirname(a) === dir && (name === null || name === basename(a))) changed(a);
        });
        w.on('error', () => undefined);
        dirs.set(dir, w);
      } catch (err) {
        logger.warn('cannot watch app module; it will not reload on change', { app, ...describeError(err) });
      }
    },
    close() {
      for (const w of dirs.values()) w.close();
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
