// bench/htpasswd: repeated logins of one user against an htpasswd file holding a bcrypt
// (cost 10) hash: bare Express vs Express + authhook's file provider with its credential
// cache (the default) and without, vs http-auth on the same file, same run; authhook with an
// in-memory script hook is the reference for the middleware's own cost. Each server prints its
// CPU time per request when it stops (steadier than requests/s on a shared machine). Usage:
//   node --import tsx bench/htpasswd/run.ts [--seconds 5] [--rounds 3] [--connections 10]
// 10 connections, not 50: an uncached bcrypt login takes ~80 ms of CPU, so with 50 queued the
// slow targets would answer nothing within a 5 s window and show 0 rather than their rate.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { closeHashPool, hashPassword } from '../../providers/htpasswd/index.js';
import { printTable, runAll, type Target } from '../lib/harness.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '10' } },
});
const file = join(mkdtempSync(join(tmpdir(), 'authhook-bench-')), 'htpasswd');
writeFileSync(file, `alice:${await hashPassword('wonderland', 'bcrypt', { cost: 10 })}\n`);
await closeHashPool();
const server = fileURLToPath(new URL('./server.ts', import.meta.url));
const auth = { Authorization: 'Basic ' + Buffer.from('alice:wonderland').toString('base64') };
const targets: Target[] = [
  { name: 'bare express', script: server, args: ['bare', file] },
  { name: 'express + authhook script hook (reference)', script: server, args: ['authhook-script', file], headers: auth },
  { name: 'express + authhook file (cached)', script: server, args: ['authhook-cached', file], headers: auth },
  { name: 'express + authhook file (uncached)', script: server, args: ['authhook-uncached', file], headers: auth },
  { name: 'express + http-auth', script: server, args: ['http-auth', file], headers: auth },
];
const results = await runAll(targets, {
  seconds: Number(values.seconds),
  rounds: Number(values.rounds),
  connections: Number(values.connections),
  warmupS: 2,
});
console.log(`htpasswd: one bcrypt (cost 10) user, ${values.connections} connections, ${values.rounds} × ${values.seconds} s per target (median)`);
printTable(results, 'bare express');
