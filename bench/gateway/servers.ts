// One server under test for bench/gateway, chosen by argv[2]: bare node:http, the authhook
// gateway with the app in-process or in a daemon group, or nginx proxying to node:http.
// Each prints `PORT <n>` once it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hello from './hello.js';

// The gateway as it runs in production: from dist/ (`npm run build`), so its processes start
// without the TypeScript loader; the sources through tsx when there is no build.
const DIST = new URL('../../dist/src/index.js', import.meta.url);
type Lib = typeof import('../../src/index.js');
const { compileConfig, createEngine, createGateway, SILENT_LOGGER } = (existsSync(DIST) ? await import(DIST.href) : await import('../../src/index.js')) as Lib;

const APP = fileURLToPath(new URL('./hello.ts', import.meta.url));
const kind = process.argv[2];
const children: ChildProcess[] = [];

function announce(port: number): void {
  process.stdout.write(`PORT ${port}\n`);
}

function bare(): Promise<number> {
  const server = createServer(hello);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

/** The gateway with no policy (the dispatch cost alone), or with Basic through the middleware benchmark's script hook. */
async function gateway(daemon: boolean, basicAuth = false): Promise<number> {
  const authUserScript = fileURLToPath(new URL('../middleware/auth.ts', import.meta.url));
  const locations = basicAuth ? [{ path: '/', authType: 'Basic' as const, authName: 'bench', authUserScript, require: 'valid-user' }] : [];
  const { model } = compileConfig({ scriptReloading: false, locations });
  const engine = createEngine(model, { logger: SILENT_LOGGER });
  const mount = { path: '/', app: APP, processGroup: daemon ? 'hello' : '%{GLOBAL}', applicationGroup: '%{GLOBAL}', passAuthorization: false, where: 'bench' };
  const daemonProcesses = daemon
    ? [{ name: 'hello', processes: 1, threads: 64, home: null, nodePath: [], lang: null, locale: null, maximumRequests: 0, inactivityTimeoutS: 0, requestTimeoutS: 0, queueTimeoutS: 0, displayName: null, user: null, group: null, where: 'bench' }]
    : [];
  const gw = createGateway({ engine, logger: SILENT_LOGGER, mounts: [mount], daemonProcesses });
  return gw.listen(0);
}

function freePort(): Promise<number> {
  const s = createNetServer();
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  }));
}

/** nginx (one worker, keep-alive upstream) in front of bare node:http: the usual production set-up. */
async function nginx(): Promise<number> {
  const upstream = await bare();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'authhook-bench-nginx-'));
  writeFileSync(join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream app { server 127.0.0.1:${upstream}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`);
  const child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'inherit' });
  children.push(child);
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return port;
}

const start = { bare, inprocess: () => gateway(false), 'inprocess-basic': () => gateway(false, true), daemon: () => gateway(true), nginx }[kind as 'bare'];
if (start === undefined) throw new Error(`unknown kind ${kind}`);
announce(await start());
const stop = (): void => {
  for (const c of children) c.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
