import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import express from 'express';
import { closeHashPool, hashPassword } from '../../providers/htpasswd/index.js';
import { express as authhook } from '../../src/index.js';
import { basic, memoryLogger, tempDir } from '../helpers/index.js';

const closers: (() => unknown)[] = [];
after(async () => {
  for (const c of closers) await c();
  await closeHashPool();
});

const LOGINS = 8;
const RUN_MS = 3000;

function get(agent: Agent, port: number, path: string, auth?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: auth === undefined ? {} : { authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(app: express.Express): Promise<number> {
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  closers.push(() => new Promise((r) => server.close(r)));
  return (server.address() as AddressInfo).port;
}

/** Health latencies (ms) while LOGINS clients loop on bcrypt logins, and how many logins were done. */
async function measure(port: number, clients = LOGINS, runMs = RUN_MS): Promise<{ p50: number; p95: number; logins: number; probes: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients + 2 });
  closers.push(() => agent.destroy());
  const auth = basic('alice', 'pä:ss');
  const end = Date.now() + runMs;
  let logins = 0;
  const loop = async () => {
    while (Date.now() < end) {
      assert.equal(await get(agent, port, '/app', auth), 200);
      logins++;
    }
  };
  const latencies: number[] = [];
  const probe = async () => {
    while (Date.now() < end) {
      const t = performance.now();
      assert.equal(await get(agent, port, '/health'), 200);
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await Promise.all([...Array.from({ length: clients }, loop), probe()]);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { p50: at(0.5), p95: at(0.95), logins, probes: latencies.length };
}

function appWith(locations: Parameters<typeof authhook>[0]): express.Express {
  const mw = authhook(locations, { logger: memoryLogger() });
  closers.push(() => mw.close());
  const app = express();
  app.use(mw);
  app.get('/health', (_req, res) => res.send('ok'));
  app.get('/app', (_req, res) => res.send('hello'));
  return app;
}

test('while 8 clients loop on bcrypt (cost 10) logins, an unauthenticated health route keeps its p95 under 50 ms (3x idle on a loaded machine)', async (t) => {
  const file = join(tempDir(), 'htpasswd');
  writeFileSync(file, `alice:${await hashPassword('pä:ss', 'bcrypt', { cost: 10 })}\n`);
  const app = appWith({
    locations: [
      { path: '/', authType: 'Basic', authName: 'R', authBasicProvider: 'file', authUserFile: file, require: 'valid-user', authnCache: false },
      { path: '/health', require: 'all granted' },
    ],
  });
  const port = await serve(app);
  // The same probe with no logins running: on a machine loaded by other work, that is the floor.
  const idle = await measure(port, 0, 1000);
  const m = await measure(port);
  t.diagnostic(`idle: health p50 ${idle.p50.toFixed(1)} ms, p95 ${idle.p95.toFixed(1)} ms`);
  t.diagnostic(`file provider, uncached: health p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms over ${m.probes} probes; ${m.logins} bcrypt logins in ${RUN_MS} ms`);
  assert.ok(m.logins >= 8, 'logins ran');
  assert.ok(m.p95 < Math.max(50, 3 * idle.p95 + 10), `health p95 ${m.p95.toFixed(1)} ms (idle ${idle.p95.toFixed(1)} ms)`);
});

test('the same load through a synchronous bcrypt hook stalls the health route (the measurement sees blocking)', async (t) => {
  const bcryptjs = createRequire(import.meta.url)('bcryptjs') as { compareSync(p: string, h: string): boolean };
  const hash = (await hashPassword('pä:ss', 'bcrypt', { cost: 10 })).replace('$2y$', '$2b$');
  const app = appWith({
    providers: { sync: { check_password: (_e: unknown, _u: string, p: string) => bcryptjs.compareSync(p, hash) } },
    locations: [
      { path: '/', authType: 'Basic', authName: 'R', authBasicProvider: 'sync', require: 'valid-user' },
      { path: '/health', require: 'all granted' },
    ],
  });
  const m = await measure(await serve(app), 2, 1500);
  t.diagnostic(`synchronous bcryptjs hook: health p50 ${m.p50.toFixed(1)} ms, p95 ${m.p95.toFixed(1)} ms; ${m.logins} logins`);
  assert.ok(m.p95 > 50, `blocking shows: p95 ${m.p95.toFixed(1)} ms`);
});
