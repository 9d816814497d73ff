// bench/gateway: a hello app on bare node:http; behind the authhook gateway in-process
// (%{GLOBAL}), with no policy and with Basic (a script check_password, shown, not a target);
// behind the gateway in a daemon process group (one hop over a Unix socket); and behind nginx
// as a reverse proxy (the usual one-hop production set-up). Same run, same load. Targets:
// in-process ≥ 0.85 of bare; daemon group ≥ nginx. Usage:
//   node --import tsx bench/gateway/run.ts [--seconds 5] [--rounds 3] [--connections 50]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pairedRatio, printTable, runAll, type Target } from '../lib/harness.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' } },
});
const script = fileURLToPath(new URL('./servers.ts', import.meta.url));
const targets: Target[] = [
  { name: 'bare node:http', script, args: ['bare'] },
  { name: 'gateway in-process', script, args: ['inprocess'] },
  // Not a target: the same with a Basic decision (script check_password) on every request.
  { name: 'gateway in-process + Basic', script, args: ['inprocess-basic'], headers: { Authorization: 'Basic ' + Buffer.from('alice:wonderland').toString('base64') } },
  { name: 'gateway daemon group', script, args: ['daemon'] },
  { name: 'nginx proxy → node:http', script, args: ['nginx'] },
];
const results = await runAll(targets, { seconds: Number(values.seconds), rounds: Number(values.rounds), connections: Number(values.connections), warmupS: 2 });
printTable(results, 'bare node:http');
const rps = (name: string): number => results.find((r) => r.name === name)!.rps;
const inProcess = rps('gateway in-process') / rps('bare node:http');
const daemon = rps('gateway daemon group') / rps('nginx proxy → node:http');
const inProcessPaired = pairedRatio(results, 'gateway in-process', 'bare node:http');
const daemonPaired = pairedRatio(results, 'gateway daemon group', 'nginx proxy → node:http');
console.log(`\nin-process / bare: ${inProcess.toFixed(3)}, round by round ${inProcessPaired.toFixed(3)} (target ≥ 0.85)  ` +
  `daemon / nginx: ${daemon.toFixed(3)}, round by round ${daemonPaired.toFixed(3)} (target ≥ 1.0)`);
