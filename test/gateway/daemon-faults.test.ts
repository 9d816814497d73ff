import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/index.js';
import { daemon, get, mount, startGateway, writeApp, type Started } from './_helpers.js';

const GLOBAL = { applicationGroup: '%{GLOBAL}' } as const;
let oneProcess: Started;
let twoProcesses: Started;
let queueing: Started;
let idle: Started;
let timing: Started;

function gateway(name: string, options: Parameters<typeof daemon>[1]): Promise<Started> {
  return startGateway({ mounts: [mount('/', writeApp(), { processGroup: name, ...GLOBAL })], daemonProcesses: [daemon(name, options)] });
}

before(async () => {
  [oneProcess, twoProcesses, queueing, idle, timing] = await Promise.all([
    gateway('one', { processes: 1, threads: 2 }),
    gateway('two', { processes: 2, threads: 1 }),
    gateway('queue', { processes: 1, threads: 1, queueTimeoutS: 1 }),
    gateway('idle', { processes: 1, inactivityTimeoutS: 1 }),
    gateway('timing', { processes: 1, requestTimeoutS: 1 }),
  ]);
});
after(() => Promise.all([oneProcess, twoProcesses, queueing, idle, timing].map((s) => s?.close())));

const pidOf = async (s: Started): Promise<unknown> => (await get(s.url + '/')).json.pid;

test('a crashed process gives 502 to its requests in flight, and the next request is served by a replacement', async () => {
  const pid = await pidOf(oneProcess);
  const [slow, crash] = await Promise.all([get(oneProcess.url + '/slow?ms=3000'), get(oneProcess.url + '/crash?ms=300')]);
  assert.equal(slow.status, 502);
  assert.equal(crash.status, 502);
  const next = await get(oneProcess.url + '/');
  assert.equal(next.status, 200);
  assert.notEqual(next.json.pid, pid);
  assert.equal(oneProcess.gateway.status().daemonGroups[0]!.restarts.crash, 1);
});

test('a crash leaves the requests of the group\'s other processes untouched', async () => {
  const slow = get(twoProcesses.url + '/slow?ms=1500');
  await new Promise((r) => setTimeout(r, 100));
  const crash = await get(twoProcesses.url + '/crash');
  assert.equal(crash.status, 502);
  assert.equal((await slow).status, 200);
  await eventually(async () => (await get(twoProcesses.url + '/')).status === 200, 10000);
});

test('queue-timeout answers 503 with Retry-After while the request is still waiting', async () => {
  const started = Date.now();
  const slow = get(queueing.url + '/slow?ms=4000').then((r) => ({ r, at: Date.now() }));
  await new Promise((r) => setTimeout(r, 200));
  const waited = await get(queueing.url + '/');
  const answeredAt = Date.now();
  assert.equal(waited.status, 503);
  assert.ok(Number(waited.headers.get('retry-after')) >= 1);
  assert.ok(answeredAt - started < 3500, `answered after ${answeredAt - started} ms`);
  const first = await slow;
  assert.equal(first.r.status, 200);
  assert.ok(first.at > answeredAt, 'the 503 came before the busy thread was free');
  assert.equal(queueing.gateway.status().daemonGroups[0]!.queueTimeouts, 1);
});

test('inactivity-timeout stops an idle process and the next request starts one', async () => {
  const pid = (await get(idle.url + '/')).json.pid as number;
  await eventually(() => idle.gateway.status().daemonGroups[0]!.live.length === 0, 8000);
  assert.throws(() => process.kill(pid, 0));
  const next = await get(idle.url + '/');
  assert.equal(next.status, 200);
  assert.notEqual(next.json.pid, pid);
  assert.ok(idle.gateway.status().daemonGroups[0]!.restarts.idle >= 1);
});

test('request-timeout answers 500 and replaces the process', async () => {
  const pid = await pidOf(timing);
  const started = Date.now();
  const r = await get(timing.url + '/slow?ms=5000');
  assert.equal(r.status, 500);
  assert.ok(Date.now() - started < 4000);
  await eventually(async () => {
    const n = await get(timing.url + '/');
    return n.status === 200 && n.json.pid !== pid;
  }, 10000);
  assert.equal(timing.gateway.status().daemonGroups[0]!.restarts.timeout, 1);
});
