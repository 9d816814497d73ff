import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPool, type PoolOptions } from '../../providers/ldap/pool.js';
import { sleep } from '../helpers/index.js';

interface Item {
  readonly id: number;
  alive: boolean;
}

class Kept extends Error {}

function counting(overrides: Partial<PoolOptions<Item>> = {}) {
  let made = 0;
  const destroyed: number[] = [];
  const pool = createPool<Item>({
    size: 2,
    waitMs: 1000,
    create: async () => ({ id: ++made, alive: true }),
    usable: (i) => i.alive,
    destroy: (i) => destroyed.push(i.id),
    keepAfter: (err) => err instanceof Kept,
    busy: () => new Error('busy'),
    ...overrides,
  });
  return { pool, destroyed, made: () => made };
}

test('never more than `size` items are open; callers past that wait their turn', async () => {
  const { pool, made } = counting();
  let inUse = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 20 }, () =>
      pool.use(async () => {
        most = Math.max(most, ++inUse);
        await sleep(2);
        inUse--;
      }),
    ),
  );
  assert.equal(most, 2);
  assert.equal(made(), 2);
  assert.deepEqual(pool.stats, { open: 2, idle: 2, waiting: 0 });
});

test('a wait longer than waitMs fails instead of queueing forever', async () => {
  const { pool } = counting({ size: 1, waitMs: 30 });
  const slow = pool.use(() => sleep(200));
  await assert.rejects(pool.use(async () => 'never'), /busy/);
  await slow;
  assert.equal(await pool.use(async () => 'later'), 'later');
});

test('an item whose lease failed in transport is destroyed and replaced; a server answer keeps it', async () => {
  const { pool, destroyed, made } = counting({ size: 1 });
  await assert.rejects(pool.use(async () => Promise.reject(new Kept('answer'))));
  assert.deepEqual(destroyed, []);
  await assert.rejects(pool.use(async () => Promise.reject(new Error('socket closed'))));
  assert.deepEqual(destroyed, [1]);
  await pool.use(async (i) => assert.equal(i.id, 2));
  assert.equal(made(), 2);
});

test('an idle item that is no longer usable is replaced, and a waiter gets a fresh one', async () => {
  const { pool, destroyed } = counting({ size: 1 });
  await pool.use(async (i) => {
    i.alive = false;
  });
  await pool.use(async (i) => assert.equal(i.id, 2));
  assert.deepEqual(destroyed, [1]);
  const first = pool.use(async (i) => {
    await sleep(5);
    i.alive = false;
  });
  const second = pool.use(async (i) => i.id);
  await first;
  assert.equal(await second, 3);
});

test('a failed create frees its slot', async () => {
  let fail = true;
  const { pool } = counting({
    size: 1,
    create: async () => {
      if (fail) throw new Error('refused');
      return { id: 9, alive: true };
    },
  });
  await assert.rejects(pool.use(async () => undefined), /refused/);
  fail = false;
  assert.equal(await pool.use(async (i) => i.id), 9);
});

test('close destroys idle items and refuses new work', async () => {
  const { pool, destroyed } = counting();
  await Promise.all([pool.use(() => sleep(1)), pool.use(() => sleep(1))]);
  pool.close();
  assert.deepEqual(destroyed.sort(), [1, 2]);
  await assert.rejects(pool.use(async () => undefined), /busy/);
});
