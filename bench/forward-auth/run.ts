// bench/forward-auth: requests/s through a real nginx, same run, same load (wrk):
//   nginx auth_request → authhook forward-auth → app (a hook script; the same apr1 htpasswd file)
//   nginx auth_request → a bare node:http 200 (the cost of the hop itself)
//   nginx auth_request → a bare node:http 200 with authhook's identity headers (shown, not a
//     target: what passing an identity on costs nginx and the app, whoever decides)
//   nginx auth_basic (apr1 and {PLAIN} htpasswd: the native C check) → app
//   nginx → app (no auth at all)
// Besides requests/s, the CPU time the whole chain (nginx worker, auth process, app; not wrk)
// spends per request, from /proc: a busy machine disturbs it far less than requests/s.
// Usage: node --import tsx bench/forward-auth/run.ts [--seconds 5] [--rounds 3] [--connections 50]
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pairedRatio, printTable, startTarget, type Result } from '../lib/harness.js';
import { tempDir } from '../../test/helpers/index.js';
import { startNginx } from '../../test/e2e/nginx.js';
import { findBinary, freePort } from '../../test/e2e/proc.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } },
});
const WRK = findBinary(['/usr/bin/wrk', 'wrk']);
const HTPASSWD = findBinary(['/usr/bin/htpasswd', 'htpasswd']);
if (WRK === undefined || HTPASSWD === undefined) throw new Error('bench/forward-auth needs wrk and htpasswd (apache2-utils)');

const SERVERS = fileURLToPath(new URL('./servers.ts', import.meta.url));
const AUTH = 'Basic ' + Buffer.from('alice:wonderland').toString('base64');
const HOP = 'nginx auth_request → bare 200 (hop)';
const OURS = 'nginx auth_request → authhook';
const HOP_IDENTITY = 'nginx auth_request → bare 200 + identity';
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

// The same proxying to the app everywhere, so only the check differs.
const TO_APP = `proxy_set_header Remote-User $bench_user; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://app;`;
const authRequest = (port: number, upstream: string) => `server { listen 127.0.0.1:${port};
    location / { auth_request /_auth; auth_request_set $bench_user $upstream_http_remote_user; ${TO_APP} }
    location = /_auth {
      internal; proxy_pass http://${upstream}; proxy_pass_request_body off; proxy_set_header Content-Length "";
      proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Original-URI $request_uri; proxy_set_header X-Original-Method $request_method;
    }
  }`;
const authBasic = (port: number, file: string) => `server { listen 127.0.0.1:${port};
    location / { auth_basic "bench"; auth_basic_user_file ${file}; set $bench_user $remote_user; ${TO_APP} }
  }`;

/** utime + stime of a process, in µs. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

interface Sample extends Result {
  readonly requests: number;
  readonly cpuUs: number;
  /** CPU µs of each of the target's processes, in `pids` order. */
  readonly cpuUsByPid: readonly number[];
}

function wrk(port: number, seconds: number, connections: number, pids: readonly number[]): Sample {
  const before = pids.map(cpuOf);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Authorization: ${AUTH}`, `http://127.0.0.1:${port}/`];
  const out = execFileSync(WRK!, args, { encoding: 'utf8' });
  const cpuUsByPid = pids.map((p, i) => cpuOf(p) - before[i]!);
  const cpuUs = cpuUsByPid.reduce((n, c) => n + c, 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  return {
    name: '',
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p99Ms: p99 === null ? NaN : Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1),
    errors: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
    cpuUs,
    cpuUsByPid,
    cpuUsPerReq: cpuUs / Math.max(1, Number(/(\d+) requests in/.exec(out)?.[1] ?? 0)),
  };
}

interface Target {
  readonly name: string;
  readonly port: number;
  /** Processes that serve this target's requests: nginx worker(s), the auth process, the app. */
  readonly pids: readonly number[];
  /** What each of `pids` is (`nginx`, `app`, `auth`), for the per-process figures. */
  readonly roles: readonly string[];
}

/** Interleaved rounds: each target's median requests/s, and its chain's CPU µs per request over all rounds. */
function measure(targets: readonly Target[], rounds: number, seconds: number, connections: number) {
  const samples = new Map<string, Sample[]>();
  for (const t of targets) wrk(t.port, 2, connections, t.pids);
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) samples.set(t.name, [...(samples.get(t.name) ?? []), { ...wrk(t.port, seconds, connections, t.pids), name: t.name }]);
  }
  return targets.map((t) => {
    const inOrder = samples.get(t.name)!;
    const rs = [...inOrder].sort((a, b) => a.rps - b.rps);
    const requests = Math.max(1, rs.reduce((n, r) => n + r.requests, 0));
    const cpu = rs.reduce((n, r) => n + r.cpuUs, 0) / requests;
    // CPU per request by role (nginx workers summed), over all rounds.
    const byRole = new Map<string, number>();
    for (const r of rs) r.cpuUsByPid.forEach((c, i) => byRole.set(t.roles[i]!, (byRole.get(t.roles[i]!) ?? 0) + c / requests));
    return { ...rs[Math.floor(rs.length / 2)]!, errors: rs.reduce((n, r) => n + r.errors, 0), cpuPerRequest: cpu, byRole, roundRps: inOrder.map((r) => r.rps) };
  });
}

const apr1File = join(tempDir('authhook-bench-'), 'htpasswd.apr1');
writeFileSync(apr1File, execFileSync(HTPASSWD, ['-nbm', 'alice', 'wonderland'], { encoding: 'utf8' }).trim() + '\n');
const upstream = (kind: string, ...args: string[]) => startTarget({ name: kind, script: SERVERS, args: [kind, ...args] });
const [app, authhook, authhookFile, bare, bareIdentity] = await Promise.all([
  upstream('app'), upstream('authhook'), upstream('authhook-file', apr1File), upstream('bare'), upstream('bare-identity'),
]);
const ports = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => freePort()));
const nginx = await startNginx({
  port: ports[5]!,
  files: { 'htpasswd.plain': 'alice:{PLAIN}wonderland\n' },
  http: `upstream app { server 127.0.0.1:${app.port}; keepalive 64; }
  upstream authhook { server 127.0.0.1:${authhook.port}; keepalive 64; }
  upstream authhook_file { server 127.0.0.1:${authhookFile.port}; keepalive 64; }
  upstream bare { server 127.0.0.1:${bare.port}; keepalive 64; }
  upstream bare_identity { server 127.0.0.1:${bareIdentity.port}; keepalive 64; }
  ${authRequest(ports[6]!, 'bare_identity')}
  ${authRequest(ports[0]!, 'bare')}
  ${authRequest(ports[1]!, 'authhook')}
  ${authRequest(ports[2]!, 'authhook_file')}
  ${authBasic(ports[3]!, 'htpasswd.plain')}
  ${authBasic(ports[4]!, apr1File)}
  server { listen 127.0.0.1:${ports[5]}; location / { set $bench_user ""; ${TO_APP} } }`,
});
try {
  const workers = childrenOf(nginx.pid);
  const chain = (...extra: number[]) => [...workers, app.child.pid!, ...extra];
  const roles = (auth: boolean) => [...workers.map(() => 'nginx'), 'app', ...(auth ? ['auth'] : [])];
  const targets: Target[] = [
    { name: HOP, port: ports[0]!, pids: chain(bare.child.pid!), roles: roles(true) },
    { name: OURS, port: ports[1]!, pids: chain(authhook.child.pid!), roles: roles(true) },
    { name: HOP_IDENTITY, port: ports[6]!, pids: chain(bareIdentity.child.pid!), roles: roles(true) },
    { name: 'nginx auth_request → authhook apr1', port: ports[2]!, pids: chain(authhookFile.child.pid!), roles: roles(true) },
    { name: 'nginx auth_basic {PLAIN}', port: ports[3]!, pids: chain(), roles: roles(false) },
    { name: 'nginx auth_basic apr1 (-m)', port: ports[4]!, pids: chain(), roles: roles(false) },
    { name: 'nginx, no auth', port: ports[5]!, pids: chain(), roles: roles(false) },
  ];
  const results = measure(targets, Number(values.rounds), Number(values.seconds), Number(values.connections));
  printTable(results, HOP);
  console.log('\nCPU µs per request (nginx worker + auth process + app):');
  for (const r of results) {
    const parts = [...r.byRole].map(([role, us]) => `${role} ${us.toFixed(1)}`).join(', ');
    console.log(`  ${r.name.padEnd(42)} ${r.cpuPerRequest.toFixed(1)}  (${parts})`);
  }
  const [hop, ours] = [results[0]!, results[1]!];
  console.log(`\nauthhook's decision over the bare hop: ${((hop.rps / ours.rps - 1) * 100).toFixed(1)}% more time per request by requests/s ` +
    `(${((1 / pairedRatio(results, OURS, HOP) - 1) * 100).toFixed(1)}% round by round), ` +
    `${((ours.cpuPerRequest / hop.cpuPerRequest - 1) * 100).toFixed(1)}% more CPU per request (target ≤ 15%)`);
  const withIdentity = results.find((r) => r.name === HOP_IDENTITY)!;
  console.log(`over a bare 200 that sends the same identity headers (not the target): ${((withIdentity.rps / ours.rps - 1) * 100).toFixed(1)}% by requests/s ` +
    `(${((1 / pairedRatio(results, OURS, HOP_IDENTITY) - 1) * 100).toFixed(1)}% round by round), ${((ours.cpuPerRequest / withIdentity.cpuPerRequest - 1) * 100).toFixed(1)}% by CPU`);
} finally {
  await nginx.stop();
  for (const t of [app, authhook, authhookFile, bare, bareIdentity]) t.child.kill('SIGTERM');
}
