import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../src/engine/decide.js';
import { basic, environ, memoryLogger } from '../helpers/index.js';
import { model } from '../helpers/model.js';
import type { CheckPasswordReturn, HookModule } from '../../src/types.js';

function provider(name: string, log: string[], answer: (u: string, p: string) => CheckPasswordReturn | Error): HookModule {
  return {
    check_password: (_e, u, p) => {
      log.push(name);
      const r = answer(u, p);
      if (r instanceof Error) throw r;
      return r;
    },
  };
}

async function run(first: HookModule, second: HookModule, header: string) {
  const e = createEngine(
    model([{ authType: 'Basic', authName: 'R', providers: ['one', 'two'], require: 'valid-user' }], { providers: { one: first, two: second } }),
    { logger: memoryLogger() },
  );
  return e.decide({ environ: environ(), authorization: header, authorizationCount: 1 });
}

test('unknown user falls through to the next provider', async () => {
  const log: string[] = [];
  const d = await run(provider('one', log, () => null), provider('two', log, () => true), basic('u', 'p'));
  assert.equal(d.status, 200);
  assert.deepEqual(log, ['one', 'two']);
});

test('a wrong password stops the chain with 401', async () => {
  const log: string[] = [];
  const d = await run(provider('one', log, () => false), provider('two', log, () => true), basic('u', 'p'));
  assert.equal(d.status, 401);
  assert.deepEqual(log, ['one']);
});

test('a grant by the first provider never asks the second', async () => {
  const log: string[] = [];
  const d = await run(provider('one', log, () => true), provider('two', log, () => false), basic('u', 'p'));
  assert.equal(d.status, 200);
  assert.deepEqual(log, ['one']);
});

test('a throw in the first provider is a 500 without asking the second', async () => {
  const log: string[] = [];
  const d = await run(provider('one', log, () => new Error('x')), provider('two', log, () => true), basic('u', 'p'));
  assert.equal(d.status, 500);
  assert.deepEqual(log, ['one']);
});

test('a user unknown to every provider is a 401', async () => {
  const log: string[] = [];
  const d = await run(provider('one', log, () => undefined), provider('two', log, () => null), basic('u', 'p'));
  assert.equal(d.status, 401);
  assert.deepEqual(log, ['one', 'two']);
});
