import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeEqual } from '../../src/authn/timing-safe.js';

test('equal strings compare equal', () => {
  assert.equal(safeEqual('', ''), true);
  assert.equal(safeEqual('secret', 'secret'), true);
  assert.equal(safeEqual('pässwörd🔑', 'pässwörd🔑'), true);
});

test('strings differing in content or length compare unequal', () => {
  assert.equal(safeEqual('secret', 'secreT'), false);
  assert.equal(safeEqual('secret', 'secret '), false);
  assert.equal(safeEqual('', 'a'), false);
  assert.equal(safeEqual('a'.repeat(10_000), 'a'.repeat(10_001)), false);
});

test('distinct lone surrogates compare unequal', () => {
  assert.equal(safeEqual('\ud800', '\udc00'), false);
  assert.equal(safeEqual('\ud800', '\ufffd'), false);
});
