import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CLASSES, AuthhookError } from '../src/errors.js';

test('every error class has a unique code of the AUTHHOOK_ERR_ form, set on its instances', () => {
  const codes = ERROR_CLASSES.map((C) => C.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const C of ERROR_CLASSES) {
    assert.match(C.code, /^AUTHHOOK_ERR_[A-Z]+_[A-Z_]+$/);
    const e = new (C as unknown as new (m: string) => AuthhookError)('x');
    assert.equal(e.code, C.code);
    assert.ok(e instanceof AuthhookError);
  }
});

test('every error code has a row in docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  for (const C of ERROR_CLASSES) assert.ok(doc.includes(`| \`${C.code}\` |`), C.code);
});
