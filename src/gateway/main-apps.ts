/**
 * The apps of the `%{GLOBAL}` application group: one instance per app module in this
 * thread, loaded on first use (or preloaded), replaced whole when its file changes.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderFault } from '../fronts/render.js';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';
import { loadApp, type RequestListener } from './load-app.js';

/** Runs a listener on a prepared request; a throw, a rejection or `next(err)` is a 500. */
export function runListener(app: RequestListener, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const fault = (err: unknown): void => {
    logger.error('app error', describeError(err));
    renderFault(res);
  };
  try {
    const r = app(req, res, (err?: unknown) => {
      if (err !== undefined) return fault(err);
      // An Express app that routes nothing calls next(): nothing served this path.
      if (!res.headersSent) {
        res.statusCode = 404;
        res.end();
      }
    });
    if (r instanceof Promise) r.catch(fault);
  } catch (err) {
    fault(err);
  }
}

/** One loaded app and how often it was loaded. */
interface Entry {
  listener: RequestListener | null;
  loading: Promise<RequestListener> | null;
  loads: number;
  requests: number;
  readonly startedAt: number;
}

/** The main-thread app instances. */
export interface MainApps {
  /** Runs the request on the app, loading it first if needed (a load failure is a 500). */
  run(app: string, req: IncomingMessage, res: ServerResponse): void;
  preload(app: string): Promise<void>;
  /** Loads the app afresh and swaps it in; the old instance keeps serving if the new one fails to load. */
  reload(app: string): Promise<void>;
  has(app: string): boolean;
  stats(): { app: string; loads: number; requests: number; startedAt: number }[];
}

/** The main-thread apps of one thread. */
class MainAppTable implements MainApps {
  readonly #entries = new Map<string, Entry>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  #entry(path: string): Entry {
    let e = this.#entries.get(path);
    if (e === undefined) {
      e = { listener: null, loading: null, loads: 0, requests: 0, startedAt: Date.now() };
      this.#entries.set(path, e);
    }
    return e;
  }

  #load(path: string, e: Entry): Promise<RequestListener> {
    const p = loadApp(path).then(
      (listener) => {
        e.listener = listener;
        e.loading = null;
        e.loads++;
        return listener;
      },
      (err: unknown) => {
        e.loading = null;
        throw err;
      },
    );
    e.loading = p;
    return p;
  }

  run(path: string, req: IncomingMessage, res: ServerResponse): void {
    const e = this.#entry(path);
    e.requests++;
    // The hot path: a loaded app runs with no promise in between.
    if (e.listener !== null) return runListener(e.listener, req, res, this.#logger);
    (e.loading ?? this.#load(path, e)).then(
      (listener) => runListener(listener, req, res, this.#logger),
      (err: unknown) => {
        this.#logger.error('app module failed to load', { app: path, ...describeError(err) });
        renderFault(res);
      },
    );
  }

  async preload(path: string): Promise<void> {
    const e = this.#entry(path);
    if (e.listener === null) await (e.loading ?? this.#load(path, e));
  }

  async reload(path: string): Promise<void> {
    const e = this.#entries.get(path);
    if (e === undefined) return;
    try {
      await this.#load(path, e);
      this.#logger.info('app reloaded', { app: path });
    } catch (err) {
      this.#logger.error('changed app module does not load; the running instance keeps serving', { app: path, ...describeError(err) });
    }
  }

  has(path: string): boolean {
    return this.#entries.has(path);
  }

  stats(): { app: string; loads: number; requests: number; startedAt: number }[] {
    return [...this.#entries].map(([app, e]) => ({ app, loads: e.loads, requests: e.requests, startedAt: e.startedAt }));
  }
}

/** Creates the main-thread app table. */
export function createMainApps(logger: Logger): MainApps {
  return new MainAppTable(logger);
}
