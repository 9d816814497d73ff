// bench/middleware: bare Express vs Express + authhook (Basic, script check_password) vs
// express-basic-auth vs passport-http, same run, same load. Usage:
//   node --import tsx bench/middleware/run.ts [--seconds 5] [--rounds 3] [--connections 50]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable, runAll, type Target } from '../lib/harness.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } },
});
const server = fileURLToPath(new URL('./server.ts', import.meta.url));
const auth = { Authorization: 'Basic ' + Buffer.from('alice:wonderland').toString('base64') };
const targets: Target[] = [
  { name: 'bare express', script: server, args: ['bare'] },
  { name: 'express + authhook', script: server, args: ['authhook'], headers: auth },
  { name: 'express + express-basic-auth', script: server, args: ['express-basic-auth'], headers: auth },
  { name: 'express + passport-http', script: server, args: ['passport-http'], headers: auth },
];
const results = await runAll(targets, {
  seconds: Number(values.seconds),
  rounds: Number(values.rounds),
  connections: Number(values.connections),
  warmupS: 2,
});
printTable(results, 'bare express');
