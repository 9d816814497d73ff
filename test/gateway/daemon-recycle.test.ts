import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { eventually } from '../helpers/index.js';
import { daemon, get, load, mount, REPORT_APP, startGateway, writeApp, type Started } from './_helpers.js';

let recycling: Started;
let reloading: Started;
let reloadApp: string;
before(async () => {
  reloadApp = writeApp();
  [recycling, reloading] = await Promise.all([
    startGateway({
      mounts: [mount('/', writeApp(), { processGroup: 'rec', applicationGroup: '%{GLOBAL}' })],
      daemonProcesses: [daemon('rec', { processes: 2, threads: 5, maximumRequests: 30 })],
    }),
    startGateway({
      reloadOnChanges: true,
      mounts: [mount('/', reloadApp, { processGroup: 'rel' })],
      daemonProcesses: [daemon('rel', { processes: 2, threads: 5 })],
    }),
  ]);
});
after(() => Promise.all([recycling?.close(), reloading?.close()]));

test('maximum-requests recycles processes under load without failing a request', async () => {
  const first = new Set(recycling.gateway.status().daemonGroups[0]!.live.map((p) => p.pid));
  const counts = await load(300, 10, async () => (await get(recycling.url + '/x')).status);
  assert.deepEqual([...counts], [[200, 300]]);
  const g = recycling.gateway.status().daemonGroups[0]!;
  assert.ok(g.restarts.recycle >= 2, JSON.stringify(g.restarts));
  assert.equal(g.restarts.crash, 0);
  // Replacements start while the old processes keep serving; once ready, they take over.
  await eventually(async () => !first.has((await get(recycling.url + '/x')).json.pid as number), 20000);
  await eventually(() => {
    const live = recycling.gateway.status().daemonGroups[0]!.live;
    return live.length === 2 && live.every((p) => p.state === 'ready' && !first.has(p.pid));
  }, 20000);
});

test('a changed app file replaces the group\'s processes under load without failing a request', async () => {
  const before = await get(reloading.url + '/');
  assert.equal(before.json.version, 1);
  let switched = false;
  const counts = await load(300, 10, async (i) => {
    if (i === 60) writeFileSync(reloadApp, REPORT_APP.replace('const VERSION = 1;', 'const VERSION = 2;'));
    const r = await get(reloading.url + '/');
    if (r.json.version === 2) switched = true;
    return r.status;
  });
  assert.deepEqual([...counts], [[200, 300]]);
  await eventually(async () => (await get(reloading.url + '/')).json.version === 2, 15000);
  assert.ok(switched || (await get(reloading.url + '/')).json.version === 2);
  const g = reloading.gateway.status().daemonGroups[0]!;
  assert.equal(g.restarts.reload, 2);
  assert.equal(g.restarts.crash, 0);
  assert.notEqual((await get(reloading.url + '/')).json.pid, before.json.pid);
});
