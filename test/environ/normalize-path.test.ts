import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePath } from '../../src/environ/normalize-path.js';
import { prefixMatches } from '../../src/engine/policy-lookup.js';

const CASES: [string, string | undefined][] = [
  ['/', '/'],
  ['/admin', '/admin'],
  ['/admin/', '/admin/'],
  ['//admin', '/admin'],
  ['/a//b///c', '/a/b/c'],
  ['/x/../admin', '/admin'],
  ['/admin/../admin/x', '/admin/x'],
  ['/./admin', '/admin'],
  ['/%61dmin', '/admin'],
  ['/%2e%2e/admin', undefined],
  ['/x/%2e%2e/admin', '/admin'],
  ['/admin%2Fsecret', '/admin/secret'],
  ['/admin?x=1#f', '/admin'],
  ['http://host/admin/x', '/admin/x'],
  ['/..', undefined],
  ['/a/../..', undefined],
  ['/bad%zz', undefined],
  ['/nul%00byte', undefined],
  ['/line%0abreak', undefined],
  ['*', undefined],
  ['/caf%C3%A9', '/café'],
  ['/x/.', '/x/'],
  ['/x/..', '/'],
];

for (const [input, expected] of CASES) {
  test(`normalizePath(${JSON.stringify(input)}) is ${JSON.stringify(expected)}`, () => {
    assert.equal(normalizePath(input), expected);
  });
}

test('a <Location> prefix covers whole path segments only', () => {
  assert.ok(prefixMatches('/private', '/private'));
  assert.ok(prefixMatches('/private', '/private/'));
  assert.ok(prefixMatches('/private', '/private/file.txt'));
  assert.ok(!prefixMatches('/private', '/private123'));
  assert.ok(prefixMatches('/private/', '/private/x'));
  assert.ok(!prefixMatches('/private/', '/private'));
  assert.ok(prefixMatches('/', '/anything'));
});
