/**
 * A named application group served in this process: its own worker thread, so its own
 * module graph and globals (the sub-interpreter analogue). Requests go to it over
 * MessagePorts as HTTP; a reload starts a new worker first and retires the old one once
 * its requests are done.
 * @module
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';
import { workerSpecifier } from './entry.js';
import { forward, type ForwardJob, type ForwardOutcome } from './forward.js';
import { HopPool } from './hop-client.js';
import { PortSocket } from './port-socket.js';

/** Data a worker host starts with. */
export interface WorkerHostData {
  readonly group: string;
  readonly preload: readonly string[];
}

/** A message from a worker host (or a daemon child) to its parent. */
export type HostMessage =
  | { readonly t: 'ready'; readonly failed: readonly string[] }
  | { readonly t: 'log'; readonly level: 'info' | 'warn' | 'error'; readonly message: string; readonly fields?: Record<string, unknown> };

/** What the parent sends a worker host: a connection's port, or a liveness check. */
export type WorkerCommand = { readonly t: 'connect'; readonly port: MessagePort } | { readonly t: 'ping'; readonly n: number };

/** A worker host's answer to `ping`, with its number. */
export interface WorkerPong {
  readonly t: 'pong';
  readonly n: number;
}

/** Passes a host's log message on to the parent's logger. */
export function relayLog(logger: Logger, m: HostMessage, fields: Record<string, unknown>): void {
  if (m.t === 'log') logger[m.level](m.message, { ...m.fields, ...fields });
}

/** Counters of one worker thread, for the status page. */
export interface WorkerStats {
  readonly threadId: number;
  readonly state: WorkerInstance['state'];
  readonly requests: number;
  readonly inFlight: number;
  readonly startedAt: number;
}

/** One worker thread hosting a group. */
export class WorkerInstance {
  readonly worker: Worker;
  readonly pool: HopPool;
  /** Resolves with the apps that failed to preload once the worker serves. */
  readonly ready: Promise<readonly string[]>;
  readonly startedAt = Date.now();
  state: 'starting' | 'ready' | 'retiring' | 'gone' = 'starting';
  inFlight = 0;
  requests = 0;
  /**
   * While the thread may be dying: resolves `true` once it answers a ping (alive), `false`
   * once it has exited. New requests wait for it rather than go to a dead thread.
   */
  #check: Promise<boolean> | null = null;
  #checked: ((alive: boolean) => void) | null = null;
  /** The last ping sent: only its pong says the thread outlived every sign of death so far. */
  #pings = 0;
  /** An uncaught error was reported: only the exit settles the check. */
  #dying = false;

  constructor(data: WorkerHostData, logger: Logger, onGone: (w: WorkerInstance) => void) {
    this.worker = new Worker(workerSpecifier('worker-host'), { workerData: data, stdout: false, stderr: false });
    const worker = this.worker;
    // Each connection is a fresh MessageChannel; the worker's server takes the other end.
    this.pool = new HopPool(() => {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ t: 'connect', port: port2 } satisfies WorkerCommand, [port2]);
      // A port the worker drops mid-stream is the first sign of a dead thread: 'exit' comes later.
      return new PortSocket(port1, () => this.#suspect());
    });
    this.ready = new Promise<readonly string[]>((resolve, reject) => {
      worker.on('message', (m: HostMessage | WorkerPong) => {
        if (m.t === 'ready') {
          if (this.state === 'starting') this.state = 'ready';
          resolve(m.failed);
        } else if (m.t === 'pong') {
          if (m.n === this.#pings && !this.#dying) this.#settleCheck(true);
        } else relayLog(logger, m, { applicationGroup: data.group, threadId: worker.threadId });
      });
      worker.once('error', (err) => {
        logger.error('application group worker failed', { applicationGroup: data.group, ...describeError(err) });
        // An uncaught error ends the thread: nothing more goes to it.
        this.#dying = true;
        this.#suspect();
        reject(err);
      });
      worker.once('exit', () => {
        this.state = 'gone';
        this.pool.destroy();
        reject(new Error('worker exited'));
        onGone(this);
        this.#settleCheck(false);
      });
    });
    this.ready.catch(() => undefined);
  }

  /** Pending while the thread may be dead (see `#check`); `null` when it is taken to be alive. */
  get check(): Promise<boolean> | null {
    return this.#check;
  }

  /** Holds new requests until the thread answers a ping sent after this (alive) or has exited. */
  #suspect(): void {
    if (this.state === 'gone') return;
    this.#check ??= new Promise<boolean>((resolve) => (this.#checked = resolve));
    if (this.#dying) return;
    // A dead thread runs no more JavaScript, so it cannot answer; its 'exit' settles the check.
    this.worker.postMessage({ t: 'ping', n: ++this.#pings } satisfies WorkerCommand);
  }

  #settleCheck(alive: boolean): void {
    const settle = this.#checked;
    if (settle === null) return;
    this.#check = null;
    this.#checked = null;
    settle(alive);
  }

  /** Forwards a request to this worker. */
  forward(job: ForwardJob, done: (outcome: ForwardOutcome) => void): void {
    this.inFlight++;
    this.requests++;
    forward(job, { pool: this.pool, timeoutMs: 0 }, (outcome) => {
      this.inFlight--;
      done(outcome);
      if (this.state === 'retiring' && this.inFlight === 0) void this.worker.terminate();
    });
  }

  /** Stops taking requests; the thread ends once the ones in flight are done. */
  retire(): void {
    if (this.state === 'gone') return;
    this.state = 'retiring';
    if (this.inFlight === 0) void this.worker.terminate();
  }

  /** This worker's counters. */
  stats(): WorkerStats {
    return { threadId: this.worker.threadId, state: this.state, requests: this.requests, inFlight: this.inFlight, startedAt: this.startedAt };
  }
}

/** Answers a request no worker could take. */
function badGateway(job: ForwardJob, done: (outcome: ForwardOutcome) => void): void {
  if (!job.res.headersSent) {
    job.res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
    job.res.end('Bad Gateway\n');
  }
  done('upstream-error');
}

/** A named application group and its current worker. */
export class WorkerGroup {
  readonly name: string;
  readonly apps = new Set<string>();
  reloads = 0;
  requests = 0;
  #current: WorkerInstance | null = null;
  #closed = false;
  readonly #retiring = new Set<WorkerInstance>();
  readonly #logger: Logger;

  constructor(name: string, logger: Logger) {
    this.name = name;
    this.#logger = logger;
  }

  #start(): WorkerInstance {
    return new WorkerInstance({ group: this.name, preload: [...this.apps] }, this.#logger, (w) => {
      this.#retiring.delete(w);
      if (this.#current === w) this.#current = null;
    });
  }

  /** The worker to use, started on first use (and again after one died). */
  current(): WorkerInstance {
    this.#current ??= this.#start();
    return this.#current;
  }

  /** Forwards a request for `app`; the worker loads the app on its first request. */
  forward(app: string, job: ForwardJob, done: (outcome: ForwardOutcome) => void): void {
    this.apps.add(app);
    this.requests++;
    this.#dispatch(job, done, true);
  }

  /**
   * Sends the job to the current worker once it can take it. A request that arrives while a
   * served worker may be dying waits to learn which: if the thread has exited, the request
   * (not yet sent anywhere) goes to its replacement, once.
   */
  #dispatch(job: ForwardJob, done: (outcome: ForwardOutcome) => void, mayRedispatch: boolean): void {
    // A closed group starts no thread for a request that was waiting on one.
    if (this.#closed) return badGateway(job, done);
    const w = this.current();
    const check = w.check;
    if (check !== null) {
      void check.then((alive) => {
        if (alive) w.forward(job, done);
        else if (mayRedispatch) this.#dispatch(job, done, false);
        else badGateway(job, done);
      });
      return;
    }
    if (w.state === 'ready') return w.forward(job, done);
    w.ready.then(
      () => w.forward(job, done),
      () => badGateway(job, done),
    );
  }

  /** Starts a fresh worker with the group's apps; swaps it in once ready; the old one drains. */
  async reload(): Promise<void> {
    const old = this.#current;
    if (old === null) return;
    const next = this.#start();
    const failed = await next.ready.catch(() => null);
    if (failed === null || failed.length > 0) {
      this.#logger.error('reloaded application group does not load; the running worker keeps serving', { applicationGroup: this.name, failed });
      next.retire();
      return;
    }
    this.#current = next;
    this.reloads++;
    this.#retiring.add(old);
    old.retire();
  }

  /** Every worker of the group (current and draining). */
  workers(): WorkerInstance[] {
    return [...(this.#current === null ? [] : [this.#current]), ...this.#retiring];
  }

  /** Ends every worker now. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.workers().map((w) => w.worker.terminate()));
  }
}
