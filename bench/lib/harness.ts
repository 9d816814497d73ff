// Benchmark harness: each server under test runs in its own child process (one core),
// autocannon drives it from this process, and every figure is printed beside the baseline
// measured in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface Target {
  readonly name: string;
  /** Module that starts the server and prints `PORT <n>` on stdout. */
  readonly script: string;
  readonly args?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly path?: string;
  /** Status every response must have; any other counts as an error. */
  readonly expectStatus?: number;
}

export interface Result {
  readonly name: string;
  readonly rps: number;
  /** CPU time the server spent per request (user + system, its process and every process under it: a gateway's daemon, nginx), µs: steadier than req/s on a busy machine. */
  readonly cpuUsPerReq: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Requests/s of each round, in round order (for ratios taken round by round). */
  readonly roundRps?: readonly number[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * The median over rounds of `a`'s requests/s over `b`'s in the same round. Targets of one
 * round run back to back, so a machine that speeds up or slows down between rounds (this one
 * drifts by ±15 % in a minute) moves both sides of each ratio alike; the ratio of the two
 * medians does not have that property. Falls back to the ratio of medians.
 */
export function pairedRatio(results: readonly Result[], a: string, b: string): number {
  const ra = results.find((r) => r.name === a)!;
  const rb = results.find((r) => r.name === b)!;
  const xa = ra.roundRps ?? [];
  const xb = rb.roundRps ?? [];
  if (xa.length === 0 || xa.length !== xb.length) return ra.rps / rb.rps;
  return median(xa.map((x, i) => x / xb[i]!));
}

export async function startTarget(t: Target): Promise<{ port: number; child: ChildProcess }> {
  const argv = [process.execPath, '--import', 'tsx', t.script, ...(t.args ?? [])];
  // BENCH_SERVER_CPU=1 pins each server to that CPU (taskset): with the load generator on the
  // other core, the two stop trading places, which steadies the figures on a 2-core machine.
  const pin = process.env.BENCH_SERVER_CPU;
  const [cmd, ...args] = pin === undefined ? argv : ['taskset', '-c', pin, ...argv];
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${t.name} exited with ${code}`)));
  });
  return { port, child };
}

/** The fields of /proc/<pid>/stat after the command name; null once the process is gone. */
function statFields(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

/**
 * utime + stime of a process and of every process below it, in µs (Linux /proc; clock ticks
 * are 100 per second here). A server made of several processes (the gateway and its daemon
 * processes, nginx and its upstream) is counted whole, so such figures compare.
 */
function cpuMicros(pid: number): number {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (!Number.isInteger(child)) continue;
    const f = statFields(child);
    if (f === null) continue;
    const ppid = Number(f[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), child]);
  }
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    const f = statFields(p);
    if (f !== null) total += (Number(f[11]) + Number(f[12])) * 10_000;
    todo.push(...(parents.get(p) ?? []));
  }
  return total;
}

export async function load(port: number, t: Target, seconds: number, connections: number, pid?: number): Promise<Result> {
  const cpuBefore = pid === undefined ? 0 : cpuMicros(pid);
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${t.path ?? '/'}`,
    connections,
    duration: seconds,
    pipelining: 1,
    headers: { ...(t.headers ?? {}) },
  });
  const expect = t.expectStatus ?? 200;
  const wrong = expect === 200 ? r.non2xx : r['2xx'];
  const cpu = pid === undefined ? 0 : cpuMicros(pid) - cpuBefore;
  return { name: t.name, rps: r.requests.average, cpuUsPerReq: cpu / Math.max(1, r.requests.total), p99Ms: r.latency.p99, errors: r.errors + r.timeouts + wrong };
}

/** Runs every target for `rounds` interleaved rounds and keeps each one's median requests/s. */
export async function runAll(targets: readonly Target[], opts: { seconds: number; rounds: number; connections: number; warmupS: number }): Promise<Result[]> {
  const started = await Promise.all(targets.map(async (t) => ({ t, ...(await startTarget(t)) })));
  try {
    const samples = new Map<string, Result[]>();
    for (const s of started) await load(s.port, s.t, opts.warmupS, opts.connections);
    for (let round = 0; round < opts.rounds; round++) {
      for (const s of started) {
        const r = await load(s.port, s.t, opts.seconds, opts.connections, s.child.pid);
        samples.set(s.t.name, [...(samples.get(s.t.name) ?? []), r]);
      }
    }
    return targets.map((t) => {
      const inOrder = samples.get(t.name)!;
      const rs = [...inOrder].sort((a, b) => a.rps - b.rps);
      const mid = rs[Math.floor(rs.length / 2)]!;
      return { ...mid, errors: rs.reduce((n, r) => n + r.errors, 0), roundRps: inOrder.map((r) => r.rps) };
    });
  } finally {
    for (const s of started) s.child.kill('SIGTERM');
  }
}

export function printTable(results: readonly Result[], baseline: string): void {
  const base = results.find((r) => r.name === baseline)!.rps;
  const baseCpu = results.find((r) => r.name === baseline)!.cpuUsPerReq;
  const rows = results.map((r) => [
    r.name,
    r.rps.toFixed(0),
    (r.rps / base).toFixed(3),
    pairedRatio(results, r.name, baseline).toFixed(3),
    r.cpuUsPerReq.toFixed(1),
    (baseCpu / r.cpuUsPerReq).toFixed(3),
    r.p99Ms.toFixed(1),
    String(r.errors),
  ]);
  const head = ['target', 'req/s', `ratio to ${baseline}`, 'round by round', 'server CPU µs/req', 'CPU ratio', 'p99 ms', 'errors'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(fmt(head));
  for (const row of rows) console.log(fmt(row));
}
