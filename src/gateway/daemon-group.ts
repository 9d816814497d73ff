/**
 * A daemon process group (`WSGIDaemonProcess`): N processes, each taking at most `threads`
 * requests at a time; the excess waits in a queue bounded by `queue-timeout` (503 while
 * waiting). Processes are recycled (`maximum-requests`), stopped when idle
 * (`inactivity-timeout`), replaced after a `request-timeout` or a crash, and on reload —
 * always by starting the replacement first and retiring the old process once it drained.
 * @module
 */
import { chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { DaemonProcessSpec } from '../config/gateway-spec.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../types.js';
import type { DaemonLaunch } from './daemon-env.js';
import { DaemonProcess, type DaemonProcessConfig } from './daemon-proxy.js';
import type { ForwardJob, ForwardOutcome } from './forward.js';
import { WaitQueue } from './queue.js';

/** Options of a `DaemonGroup`. */
export interface DaemonGroupOptions {
  readonly spec: DaemonProcessSpec;
  readonly launch: DaemonLaunch;
  /** A private directory for this group's sockets. */
  readonly socketDir: string;
  /** Apps to load at process start: `[app, application group]`. */
  readonly preload: readonly (readonly [string, string])[];
  readonly logger: Logger;
}

/** Counters of a group, for the status page. */
export interface DaemonGroupStats {
  readonly name: string;
  readonly processes: number;
  readonly threads: number;
  readonly requests: number;
  readonly queued: number;
  readonly queueTimeouts: number;
  readonly maxQueued: number;
  readonly restarts: Readonly<Record<'crash' | 'recycle' | 'reload' | 'timeout' | 'idle', number>>;
  readonly live: readonly { pid: number | undefined; state: string; requests: number; inFlight: number; startedAt: number }[];
}

/** After a process dies this soon after it started, the next start waits (a crash loop must not spin). */
const QUICK_DEATH_MS = 2000;
const MAX_BACKOFF_MS = 10_000;

function unavailable(res: ServerResponse, retryAfterS: number): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Retry-After': String(retryAfterS) });
  res.end('Service Unavailable\n');
}

/** One daemon process group. */
export class DaemonGroup {
  readonly spec: DaemonProcessSpec;
  readonly queue = new WaitQueue<DaemonProcess>();
  readonly #procs = new Set<DaemonProcess>();
  readonly #config: DaemonProcessConfig;
  readonly #socketDir: string;
  readonly #idleTimers = new Map<DaemonProcess, NodeJS.Timeout>();
  /** Replacement → the process it replaces once ready. */
  readonly #replacing = new Map<DaemonProcess, DaemonProcess>();
  /** Replacements started by a reload (a broken edit keeps the old process). */
  readonly #reloading = new Set<DaemonProcess>();
  readonly restarts = { crash: 0, recycle: 0, reload: 0, timeout: 0, idle: 0 };
  requests = 0;
  #serial = 0;
  #backoffMs = 0;
  #pendingStart: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: DaemonGroupOptions) {
    const { spec, launch } = options;
    this.spec = spec;
    this.#socketDir = options.socketDir;
    mkdirSync(this.#socketDir, { mode: 0o700, recursive: true });
    if (launch.uid !== undefined) chownSync(this.#socketDir, launch.uid, launch.gid ?? -1);
    const title = (spec.displayName ?? 'authhook-daemon:%{GROUP}').replace('%{GROUP}', `(authhook:${spec.name})`);
    this.#config = { group: spec.name, threads: spec.threads, launch, title, preload: options.preload, logger: options.logger };
  }

  /** Starts the group's processes; resolves once they serve, rejects if one ends first or an app fails to load. */
  async start(): Promise<void> {
    this.#fill();
    const initial = [...this.#procs];
    await Promise.all(initial.map((p) => p.whenReady));
    const failed = initial.flatMap((p) => p.failed);
    if (failed.length > 0) throw new ConfigError(`WSGIDaemonProcess ${this.spec.name}: app module failed to load: ${[...new Set(failed)].join(', ')}`, this.spec.where);
  }

  #spawn(): DaemonProcess {
    const serial = ++this.#serial;
    const p = new DaemonProcess(this.#config, serial, join(this.#socketDir, `p${serial}.sock`), {
      ready: (q) => this.#onReady(q),
      lost: () => this.#fill(),
      exit: (q, expected) => this.#onExit(q, expected),
    });
    this.#procs.add(p);
    return p;
  }

  /** Starts processes until `processes` of them are starting or serving (not counting replaced ones). */
  #fill(): void {
    if (this.#closed || this.#pendingStart !== null) return;
    let live = 0;
    for (const p of this.#procs) if ((p.state === 'starting' || p.state === 'ready') && !p.replaced && !p.lost) live++;
    if (live >= this.spec.processes) return;
    if (this.#backoffMs > 0) {
      this.#pendingStart = setTimeout(() => {
        this.#pendingStart = null;
        this.#backoffMs = 0;
        this.#fill();
      }, this.#backoffMs);
      return;
    }
    for (; live < this.spec.processes; live++) this.#spawn();
  }

  #onReady(p: DaemonProcess): void {
    const old = this.#replacing.get(p);
    this.#replacing.delete(p);
    if (old !== undefined && old.state === 'ready') {
      if (p.failed.length > 0 && this.#reloading.has(p)) {
        // A broken edit: the running process keeps serving the last good version.
        this.#config.logger.error('changed app module does not load; the running daemon process keeps serving', { processGroup: this.spec.name, failed: p.failed });
        old.replaced = false;
        p.retire();
        return;
      }
      old.retire();
    }
    this.#reloading.delete(p);
    this.#armIdle(p);
    this.#drainQueue(p);
  }

  #onExit(p: DaemonProcess, expected: boolean): void {
    this.#procs.delete(p);
    this.#reloading.delete(p);
    this.#disarmIdle(p);
    // A replacement that never started: the process it was to replace keeps serving, and may be replaced again.
    const old = this.#replacing.get(p);
    this.#replacing.delete(p);
    if (old !== undefined && old.state === 'ready') old.replaced = false;
    if (this.#closed) return;
    if (!expected) {
      this.restarts.crash++;
      if (Date.now() - p.startedAt < QUICK_DEATH_MS) this.#backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(250, this.#backoffMs * 2));
      this.#fill();
      // Waiting requests wait for a replacement that is starting; with none (a crash loop backs off), they fail now.
      if (![...this.#procs].some((q) => q.state === 'ready' || q.state === 'starting')) this.queue.failAll();
    }
  }

  #armIdle(p: DaemonProcess): void {
    const s = this.spec.inactivityTimeoutS;
    if (s <= 0 || p.inFlight > 0 || p.state !== 'ready') return;
    this.#disarmIdle(p);
    const t = setTimeout(() => {
      this.#idleTimers.delete(p);
      if (p.inFlight > 0 || p.state !== 'ready') return;
      this.restarts.idle++;
      p.retire();
    }, s * 1000);
    t.unref();
    this.#idleTimers.set(p, t);
  }

  #disarmIdle(p: DaemonProcess): void {
    const t = this.#idleTimers.get(p);
    if (t !== undefined) clearTimeout(t);
    this.#idleTimers.delete(p);
  }

  /**
   * The ready process with a free thread and the fewest requests in flight (the first on a
   * tie); one awaiting its replacement only when no other has room, so it overshoots its
   * maximum-requests as little as it can without stalling a request.
   */
  #pick(): DaemonProcess | null {
    let best: DaemonProcess | null = null;
    for (const p of this.#procs) {
      if (p.state !== 'ready' || p.lost || p.inFlight >= this.spec.threads) continue;
      if (best === null || (best.replaced && !p.replaced) || (best.replaced === p.replaced && p.inFlight < best.inFlight)) best = p;
    }
    return best;
  }

  #drainQueue(p: DaemonProcess): void {
    while (p.state === 'ready' && !p.lost && p.inFlight < this.spec.threads && this.queue.serveNext(p));
  }

  /** Serves a request on a free process, or queues it. */
  serve(job: ForwardJob, onStart: () => void): void {
    this.requests++;
    this.#fill();
    const p = this.#pick();
    if (p !== null) return this.#run(p, job, onStart);
    const timeoutS = this.spec.queueTimeoutS;
    const cancel = this.queue.enqueue((q) => this.#run(q, job, onStart), () => unavailable(job.res, Math.max(1, timeoutS)), timeoutS * 1000);
    job.res.once('close', cancel);
  }

  #run(p: DaemonProcess, job: ForwardJob, onStart: () => void): void {
    this.#disarmIdle(p);
    onStart();
    p.forward(job, this.spec.requestTimeoutS * 1000, (outcome) => this.#after(p, outcome));
    const max = this.spec.maximumRequests;
    if (max > 0 && p.requests >= max && !p.replaced) this.#replace(p, 'recycle');
  }

  #after(p: DaemonProcess, outcome: ForwardOutcome): void {
    if (outcome === 'timeout' && p.state !== 'gone' && p.state !== 'draining') {
      // A wedged process: no more requests for it; its replacement starts now.
      this.restarts.timeout++;
      p.replaced = true;
      p.retire(1000);
      this.#fill();
    }
    this.#drainQueue(p);
    this.#armIdle(p);
    if (p.state !== 'ready') for (const q of this.#procs) this.#drainQueue(q);
  }

  /** Starts a replacement for `p`; `p` keeps serving until the replacement is ready, then drains. */
  #replace(p: DaemonProcess, why: 'recycle' | 'reload'): void {
    p.replaced = true;
    this.restarts[why]++;
    const next = this.#spawn();
    this.#replacing.set(next, p);
    if (why === 'reload') this.#reloading.add(next);
  }

  /** Replaces every process gracefully (the app's file changed). */
  reload(): void {
    for (const p of [...this.#procs]) if (p.state === 'ready' && !p.replaced) this.#replace(p, 'reload');
  }

  /** Counters and processes. */
  stats(): DaemonGroupStats {
    const live = [...this.#procs].map((p) => ({ pid: p.pid, state: p.state, requests: p.requests, inFlight: p.inFlight, startedAt: p.startedAt }));
    const { processes, threads, name } = this.spec;
    return { name, processes, threads, requests: this.requests, queued: this.queue.length, queueTimeouts: this.queue.timedOut, maxQueued: this.queue.maxLength, restarts: { ...this.restarts }, live };
  }

  /** Stops every process now. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pendingStart !== null) clearTimeout(this.#pendingStart);
    this.queue.failAll();
    const exits = [...this.#procs].map((p) => new Promise<void>((r) => (p.state === 'gone' ? r() : p.child.once('exit', () => r()))));
    for (const p of this.#procs) p.kill();
    await Promise.all(exits);
  }
}
