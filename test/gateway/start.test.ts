import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { eventually } from '../helpers/index.js';
import { startAuthhook, type Running } from '../helpers/spawn.js';
import { get, REPORT_APP, writeApp } from './_helpers.js';

let daemonMode: Running;
let inProcess: Running;
let reloadable: string;
before(async () => {
  reloadable = writeApp();
  [daemonMode, inProcess] = await Promise.all([
    startAuthhook(['start', writeApp(), '--port', '0', '--processes', '2', '--threads', '1', '--status-path', '/server-status']),
    startAuthhook(['start', reloadable, '--port', '0', '--reload-on-changes']),
  ]);
});
after(() => Promise.all([daemonMode?.stop(), inProcess?.stop()]));

test('authhook start --processes 2 --threads 1 serves the app from a daemon group of two processes', async () => {
  const [a, b] = await Promise.all([get(daemonMode.url + '/slow?ms=800'), get(daemonMode.url + '/slow?ms=800')]);
  const pids = new Set([a.text, b.text].map((t) => t.replace('slow done ', '')));
  assert.equal(pids.size, 2);
  assert.ok(!pids.has(String(daemonMode.child.pid)));
  const status = (await get(daemonMode.url + '/server-status?json')).json as { daemonGroups: { name: string; processes: number; threads: number }[] };
  assert.deepEqual(status.daemonGroups.map((g) => [g.name, g.processes, g.threads]), [['localhost', 2, 1]]);
});

test('authhook start runs the app in-process by default, and --reload-on-changes picks up an edit', async () => {
  const first = await get(inProcess.url + '/x');
  assert.deepEqual([first.json.pid, first.json.threadId, first.json.version], [inProcess.child.pid, 0, 1]);
  writeFileSync(reloadable, REPORT_APP.replace('const VERSION = 1;', 'const VERSION = 2;'));
  await eventually(async () => (await get(inProcess.url + '/x')).json.version === 2, 10000);
});
