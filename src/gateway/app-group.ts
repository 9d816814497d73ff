/**
 * The application groups of one process (the gateway, or a daemon process): `%{GLOBAL}`
 * (`''`) in the main thread, every other name in its own worker thread. One instance per
 * group per process, as mod_wsgi has one interpreter per name per process.
 * @module
 */
import type { Logger } from '../types.js';
import { createMainApps, type MainApps } from './main-apps.js';
import { WorkerGroup, type WorkerStats } from './worker-group.js';

/** One application group, for the status page. */
export interface AppGroupStats {
  /** `''` is `%{GLOBAL}`. */
  readonly name: string;
  readonly where: 'main-thread' | 'worker-thread';
  readonly apps: readonly string[];
  readonly requests: number;
  readonly reloads: number;
  readonly workers: readonly WorkerStats[];
}

/** The application groups of this process. */
export interface AppGroups {
  /** `%{GLOBAL}`: the apps in this thread. */
  readonly main: MainApps;
  /** The worker group of a name other than `''`, created on first use. */
  worker(name: string): WorkerGroup;
  /** Replaces every instance of the app: the main-thread one, and each worker group that loaded it. */
  reload(app: string): Promise<void>;
  stats(): AppGroupStats[];
  close(): Promise<void>;
}

/** Creates the application groups of this process. */
export function createAppGroups(logger: Logger): AppGroups {
  const main = createMainApps(logger);
  const workers = new Map<string, WorkerGroup>();
  return {
    main,
    worker(name) {
      let g = workers.get(name);
      if (g === undefined) {
        g = new WorkerGroup(name, logger);
        workers.set(name, g);
      }
      return g;
    },
    async reload(app) {
      const jobs: Promise<void>[] = [];
      if (main.has(app)) jobs.push(main.reload(app));
      for (const g of workers.values()) if (g.apps.has(app)) jobs.push(g.reload());
      await Promise.all(jobs);
    },
    stats() {
      const out: AppGroupStats[] = [];
      const mainStats = main.stats();
      if (mainStats.length > 0) {
        out.push({
          name: '',
          where: 'main-thread',
          apps: mainStats.map((s) => s.app),
          requests: mainStats.reduce((n, s) => n + s.requests, 0),
          reloads: mainStats.reduce((n, s) => n + Math.max(0, s.loads - 1), 0),
          workers: [],
        });
      }
      for (const g of workers.values()) {
        const ws = g.workers().map((w) => w.stats());
        out.push({ name: g.name, where: 'worker-thread', apps: [...g.apps], requests: g.requests, reloads: g.reloads, workers: ws });
      }
      return out;
    },
    async close() {
      await Promise.all([...workers.values()].map((g) => g.close()));
    },
  };
}
