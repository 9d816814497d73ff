// Shared set-up of the gateway tests: app modules written to temp dirs, mount and daemon
// specs, a gateway on a random port, and a bounded concurrent load.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonProcessSpec, LocationGroupSpec, MountSpec } from '../../src/config/gateway-spec.js';
import { createEngine } from '../../src/engine/decide.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { memoryLogger, tempDir } from '../helpers/index.js';
import { model, type TestLocation } from '../helpers/model.js';

/** An app that reports what it sees, and how many instances of it this thread has loaded. */
export const REPORT_APP = `
import { threadId } from 'node:worker_threads';
import { createRequire } from 'node:module';
// Counted per file and per thread: each load of this module in a thread is another instance.
const counts = (globalThis.__instances ??= {});
counts[import.meta.url] = (counts[import.meta.url] ?? 0) + 1;
const instance = counts[import.meta.url];
const VERSION = 1;
export default function app(req, res) {
  const u = new URL(req.url, 'http://x');
  if (u.pathname === '/slow') return void setTimeout(() => res.end('slow done ' + process.pid), Number(u.searchParams.get('ms') ?? 500));
  if (u.pathname === '/crash') { setTimeout(() => process.exit(3), Number(u.searchParams.get('ms') ?? 0)); return; }
  if (u.pathname === '/stream') {
    res.setHeader('content-type', 'text/plain');
    res.write('one,');
    setTimeout(() => res.write('two,'), 20);
    return void setTimeout(() => res.end('three'), 40);
  }
  if (u.pathname === '/require') {
    const name = u.searchParams.get('name');
    const viaRequire = createRequire(import.meta.url)(name);
    return void import(name).then((m) => res.end(JSON.stringify({ viaRequire, viaImport: m.default })), (e) => res.end(JSON.stringify({ viaRequire, importError: String(e) })));
  }
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const e = req.environ ?? {};
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      version: VERSION, instance, instances: counts[import.meta.url], threadId, pid: process.pid, url: req.url,
      body: body.length < 1000 ? body : null, bodyLength: body.length, method: req.method, transferEncoding: req.headers['transfer-encoding'] ?? null,
      scriptName: e.SCRIPT_NAME, pathInfo: e.PATH_INFO, requestUri: e.REQUEST_URI, group: e['authhook.application_group'],
      processGroup: e['authhook.process_group'], queueStart: e['authhook.queue_start'] ?? null,
      xRequestStart: req.headers['x-request-start'] ?? null, remoteUser: req.remoteUser ?? null, environUser: e.REMOTE_USER ?? null,
      headerUser: req.headers['remote-user'] ?? null, authType: req.authType ?? null, groups: req.auth?.groups ?? null,
      cwd: process.cwd(), LANG: process.env.LANG ?? null, LC_ALL: process.env.LC_ALL ?? null, title: process.title,
      uid: process.getuid?.() ?? null, authorization: req.headers.authorization ?? null,
      distinctRemoteUser: req.headersDistinct['remote-user'] ?? null,
    }));
  });
}
`;

/** Writes an app module; returns its absolute path. */
export function writeApp(source = REPORT_APP, name = 'app.mjs', dir = tempDir('authhook-gw-')): string {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, source);
  return p;
}

/** A `WSGIScriptAlias` spec. */
export function mount(path: string, app: string, o: { processGroup?: string; applicationGroup?: string; passAuthorization?: boolean } = {}): MountSpec {
  return { path, app, processGroup: o.processGroup ?? null, applicationGroup: o.applicationGroup ?? null, passAuthorization: o.passAuthorization ?? false, where: `test ${path}` };
}

/** A `WSGIDaemonProcess` spec with mod_wsgi's defaults. */
export function daemon(name: string, o: Partial<DaemonProcessSpec> = {}): DaemonProcessSpec {
  return {
    name, processes: 1, threads: 15, home: null, nodePath: [], lang: null, locale: null, maximumRequests: 0, inactivityTimeoutS: 0,
    requestTimeoutS: 0, queueTimeoutS: 0, displayName: null, user: null, group: null, where: `test ${name}`, ...o,
  };
}

/** A location's WSGIProcessGroup / WSGIApplicationGroup. */
export function locationGroup(path: string, o: { processGroup?: string; applicationGroup?: string }): LocationGroupSpec {
  return { kind: 'prefix', path, regex: null, processGroup: o.processGroup ?? null, applicationGroup: o.applicationGroup ?? null, where: `test <Location ${path}>` };
}

export interface Started {
  readonly gateway: Gateway;
  readonly url: string;
  readonly port: number;
  readonly logger: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

/** Starts a gateway on a random port with an optional policy. */
export async function startGateway(options: Omit<GatewayOptions, 'engine' | 'logger'>, policy: TestLocation[] = []): Promise<Started> {
  const logger = memoryLogger();
  const engine = createEngine(model(policy), { logger });
  const gateway = createGateway({ ...options, engine, logger });
  const port = await gateway.listen(0);
  return { gateway, port, logger, url: `http://127.0.0.1:${port}`, close: () => gateway.close() };
}

/** GET (or another method) and the JSON or text body. */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: Record<string, unknown> }> {
  const r = await fetch(url, init);
  const text = await r.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not every answer is JSON (refusals, the HTML status page).
  }
  return { status: r.status, headers: r.headers, text, json };
}

/** Sends `total` requests, `concurrency` at a time; returns how many of each status (0: network error). */
export async function load(total: number, concurrency: number, send: (i: number) => Promise<number>): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const status = await send(i).catch(() => 0);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return counts;
}
