import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync, renameSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { createScriptRegistry, createScriptSource, extractHooks } from '../../src/hooks/load-script.js';
import { callCheckPassword } from '../../src/hooks/call-hook.js';
import { eventually, environ, memoryLogger, writeScript } from '../helpers/index.js';

const logger = memoryLogger();
const sources: { close(): void }[] = [];
after(() => sources.forEach((s) => s.close()));
function source(path: string) {
  const s = createScriptSource(path, { reloading: true, logger });
  sources.push(s);
  return s;
}

test('a TypeScript hook script loads and its check_password runs', async () => {
  const p = writeScript(`export function check_password(_e: unknown, u: string, p: string): boolean | null { return u === 'a' ? p === 'b' : null; }`);
  const s = source(p);
  assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'granted');
  assert.equal((await callCheckPassword(s, environ(), 'a', 'x', 1000)).outcome, 'denied');
  assert.equal((await callCheckPassword(s, environ(), 'z', 'x', 1000)).outcome, 'not-found');
});

test('a JavaScript hook script with a default export object loads', async () => {
  const p = writeScript(`export default { check_password() { return true; } };`, 'auth.mjs');
  assert.equal((await callCheckPassword(source(p), environ(), 'a', 'b', 1000)).outcome, 'granted');
});

test('editing a script takes effect on a later request', async () => {
  const p = writeScript(`export const check_password = () => false;`);
  const s = source(p);
  assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'denied');
  writeFileSync(p, `export const check_password = () => true; // v2`);
  await eventually(async () => (await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome === 'granted');
  assert.equal(s.loads, 2);
});

test('a script replaced by rename (as editors save) is reloaded', async () => {
  const p = writeScript(`export const check_password = () => false;`);
  const s = source(p);
  assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'denied');
  const tmp = join(dirname(p), '.auth.ts.swp');
  writeFileSync(tmp, `export const check_password = () => true; // renamed in`);
  renameSync(tmp, p);
  await eventually(async () => (await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome === 'granted');
});

test('a broken edit keeps the last good version serving and logs why', async () => {
  const p = writeScript(`export const check_password = () => true;`);
  const s = source(p);
  assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'granted');
  const before = logger.lines.length;
  writeFileSync(p, `export const check_password = ( => {{{ syntax error`);
  await eventually(async () => {
    assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'granted');
    return logger.lines.slice(before).some((l) => l.level === 'error' && l.fields.script === p);
  });
});

test('a script deleted while serving keeps the last good version and logs it', async () => {
  const p = writeScript(`export const check_password = () => true;`);
  const s = source(p);
  assert.equal((await callCheckPassword(s, environ(), 'a', 'b', 1000)).outcome, 'granted');
  const before = logger.lines.length;
  rmSync(p);
  await eventually(async () => {
    const r = await callCheckPassword(s, environ(), 'a', 'b', 1000);
    assert.equal(r.outcome, 'granted');
    return logger.lines.slice(before).some((l) => l.level === 'error');
  });
});

test('a script that fails to load the first time is an error, never a grant', async () => {
  const p = writeScript(`throw new Error('at import');`);
  const r = await callCheckPassword(source(p), environ(), 'a', 'b', 1000);
  assert.equal(r.outcome, 'error');
  assert.equal(r.outcome === 'error' && r.error.code, 'AUTHHOOK_ERR_HOOK_LOAD');
});

test('a missing script file is a load error', async () => {
  const r = await callCheckPassword(source('/nonexistent/dir/auth.ts'), environ(), 'a', 'b', 1000);
  assert.equal(r.outcome === 'error' && r.error.code, 'AUTHHOOK_ERR_HOOK_LOAD');
});

test('an export under a hook name that is not a function is a load error', () => {
  assert.throws(() => extractHooks({ check_password: 'yes' }, 'x'), (e: Error & { code?: string }) => e.code === 'AUTHHOOK_ERR_HOOK_LOAD');
});

test('one file named by two directives is one module with shared globals', async () => {
  const p = writeScript(`let n = 0; export function check_password() { n++; return true; } export function groups_for_user() { return [String(n)]; }`);
  const registry = createScriptRegistry({ reloading: false, logger });
  sources.push(registry);
  const a = registry.source(p);
  const b = registry.source(p);
  assert.equal(a, b);
  await callCheckPassword(a, environ(), 'u', 'p', 1000);
  const mod = await b.current();
  assert.deepEqual(mod.groups_for_user!(environ(), 'u'), ['1']);
});
