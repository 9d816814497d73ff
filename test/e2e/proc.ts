// Real servers for end-to-end tests: find the binary (a missing one is a skip locally and a
// failure in CI), start it with its own config and PID file on a free loopback port, stop it
// by PID. Also a raw HTTP client, since fetch rewrites the paths these tests send on purpose.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The first executable found: absolute candidates as they are, bare names on PATH. */
export function findBinary(candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    const paths = c.includes('/') ? [c] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, c));
    for (const p of paths) {
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The binary, or the reason to skip when it is missing. In CI (`CI=true`) a missing server
 * is a failure, never a skip: this throws.
 */
export function requireServer(label: string, candidates: readonly string[]): { bin: string; skip: false } | { bin: undefined; skip: string } {
  const bin = findBinary(candidates);
  if (bin !== undefined) return { bin, skip: false };
  const reason = `${label} not installed (looked for ${candidates.join(', ')})`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI requires it`);
  return { bin: undefined, skip: reason };
}

/** A free TCP port on 127.0.0.1 (free when asked; the server should bind it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** A started server process. */
export interface ServerProcess {
  readonly pid: number;
  /** What the process wrote on stdout and stderr, plus its log files. */
  output(): string;
  /** Stops it by PID: SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** How to start one server. */
export interface StartOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** The server writes its PID here; it is the PID stopped (else the child's). */
  readonly pidFile?: string;
  /** Ready once this port accepts connections. */
  readonly port: number;
  readonly host?: string;
  readonly logFiles?: readonly string[];
  readonly timeoutMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopPid(pid: number, child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!alive(pid)) return;
  const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  if (pid === child.pid) await exited;
}

/** Starts a server process and resolves once its port accepts connections. */
export async function startProcess(o: StartOptions): Promise<ServerProcess> {
  const child = spawn(o.command, [...o.args], { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const output = (): string => out + (o.logFiles ?? []).map((f) => (existsSync(f) ? `\n--- ${f}\n${readFileSync(f, 'utf8')}` : '')).join('');
  const end = Date.now() + (o.timeoutMs ?? 15000);
  while (!(await canConnect(o.port, o.host ?? '127.0.0.1'))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${o.label} exited (${child.exitCode ?? child.signalCode}) before listening\n${output()}`);
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`${o.label} did not listen on ${o.port} in time\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pidOf = (): number => {
    if (o.pidFile !== undefined && existsSync(o.pidFile)) {
      const n = Number(readFileSync(o.pidFile, 'utf8').trim());
      if (Number.isInteger(n) && n > 0) return n;
    }
    return child.pid!;
  };
  return { pid: pidOf(), output, stop: () => stopPid(pidOf(), child) };
}

export { rawRequest, type RawReply } from '../helpers/index.js';
