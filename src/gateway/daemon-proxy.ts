/**
 * The gateway's side of one daemon process: the forked child, its Unix socket, the
 * keep-alive connections the gateway reaches it through, and its counters.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';
import type { DaemonInit } from './daemon-child.js';
import type { DaemonLaunch } from './daemon-env.js';
import { childExecArgv, entryPath } from './entry.js';
import { forward, type ForwardJob, type ForwardOutcome } from './forward.js';
import { HopPool } from './hop-client.js';
import { relayLog, type HostMessage } from './worker-group.js';

/** How long a process may take to start serving. */
const START_TIMEOUT_MS = 30_000;
/** How long a retired process may take to exit before it is killed. */
const EXIT_GRACE_MS = 10_000;

/** Everything a process of one group is started with. */
export interface DaemonProcessConfig {
  readonly group: string;
  readonly threads: number;
  readonly launch: DaemonLaunch;
  readonly title: string;
  readonly preload: readonly (readonly [string, string])[];
  readonly logger: Logger;
}

/** What a process tells its group. */
export interface DaemonProcessEvents {
  ready(p: DaemonProcess): void;
  /** A serving process that was not asked to stop lost its IPC channel: it is dying, and its exit follows. */
  lost(p: DaemonProcess): void;
  /** The process ended; `expected` unless it crashed (or never started). */
  exit(p: DaemonProcess, expected: boolean): void;
}

/** One daemon process. */
export class DaemonProcess {
  readonly serial: number;
  readonly socketPath: string;
  readonly child: ChildProcess;
  readonly pool: HopPool;
  readonly startedAt = Date.now();
  state: 'starting' | 'ready' | 'draining' | 'gone' = 'starting';
  inFlight = 0;
  requests = 0;
  /** A replacement is starting (recycling or reload): it no longer counts towards `processes`. */
  replaced = false;
  /**
   * The process died unasked (its IPC channel closed) but its exit has not come yet: it takes
   * no new requests, which would only find its socket gone.
   */
  lost = false;
  /** Apps that failed to preload (the process serves them as 500s). */
  failed: readonly string[] = [];
  /** Resolves once the process serves; rejects if it ends before that. */
  readonly whenReady: Promise<void>;
  #readyResolve: () => void = () => undefined;
  #readyReject: (err: Error) => void = () => undefined;
  #retireRequested = false;
  #killTimer: NodeJS.Timeout | null = null;

  constructor(config: DaemonProcessConfig, serial: number, socketPath: string, events: DaemonProcessEvents) {
    this.serial = serial;
    this.socketPath = socketPath;
    this.whenReady = new Promise<void>((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.whenReady.catch(() => undefined);
    const { launch } = config;
    this.pool = new HopPool(() => connect(socketPath));
    this.child = fork(entryPath('daemon-child'), [], {
      cwd: launch.cwd,
      env: launch.env,
      execArgv: childExecArgv(),
      uid: launch.uid,
      gid: launch.gid,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // The app's own output goes to the gateway's error stream, as mod_wsgi sends it to the error log.
    const relay = (b: Buffer): boolean => process.stderr.write(b);
    this.child.stdout?.on('data', relay);
    this.child.stderr?.on('data', relay);
    this.#listen(config, events);
    const init: DaemonInit = { t: 'init', socketPath, group: config.group, title: config.title, modulePath: launch.modulePath, preload: config.preload };
    this.child.send(init);
    this.#killTimer = setTimeout(() => {
      config.logger.error('daemon process did not start in time; killed', { processGroup: config.group, pid: this.child.pid });
      this.child.kill('SIGKILL');
    }, START_TIMEOUT_MS);
  }

  #listen(config: DaemonProcessConfig, events: DaemonProcessEvents): void {
    const fields = { processGroup: config.group, pid: this.child.pid };
    this.child.on('message', (m: HostMessage) => {
      if (m.t !== 'ready') return relayLog(config.logger, m, fields);
      this.#clearKill();
      if (this.state !== 'starting') return;
      this.state = 'ready';
      this.failed = m.failed;
      this.#readyResolve();
      events.ready(this);
    });
    this.child.on('error', (err) => config.logger.error('daemon process error', { ...fields, ...describeError(err) }));
    this.child.once('disconnect', () => {
      if (this.state !== 'ready' || this.#retireRequested) return;
      this.lost = true;
      events.lost(this);
    });
    this.child.once('exit', (code, signal) => {
      const expected = this.#retireRequested;
      this.state = 'gone';
      this.#readyReject(new Error(`daemon process ${String(this.child.pid)} of ${config.group} exited (${signal ?? code})`));
      this.#clearKill();
      this.pool.destroy();
      rmSync(this.socketPath, { force: true });
      if (!expected) config.logger.error('daemon process exited unexpectedly', { ...fields, code, signal });
      events.exit(this, expected);
    });
  }

  #clearKill(): void {
    if (this.#killTimer !== null) clearTimeout(this.#killTimer);
    this.#killTimer = null;
  }

  /** The process's pid (undefined if the fork itself failed). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Forwards a request to this process; `done` gets the outcome once it is over. */
  forward(job: ForwardJob, timeoutMs: number, done: (outcome: ForwardOutcome) => void): void {
    this.inFlight++;
    this.requests++;
    forward(job, { pool: this.pool, timeoutMs }, (outcome) => {
      this.inFlight--;
      done(outcome);
      if (this.state === 'draining' && this.inFlight === 0) this.#stop(EXIT_GRACE_MS);
    });
  }

  /** Takes no more requests; exits once the ones in flight are done (killed after `graceMs` if it hangs). */
  retire(graceMs = EXIT_GRACE_MS): void {
    if (this.state === 'gone' || this.#retireRequested) return;
    this.state = 'draining';
    if (this.inFlight === 0) this.#stop(graceMs);
    else if (graceMs < EXIT_GRACE_MS) setTimeout(() => this.#stop(0), graceMs).unref();
  }

  #stop(graceMs: number): void {
    if (this.#retireRequested) return;
    this.#retireRequested = true;
    this.pool.destroy();
    if (this.child.connected) this.child.send({ t: 'retire' });
    this.#killTimer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    this.#killTimer.unref();
  }

  /** Ends the process now. */
  kill(): void {
    this.#retireRequested = true;
    this.child.kill('SIGKILL');
  }
}
