import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logicalLines, splitWords, substituteVariables, type Variables } from '../../src/config/apache/lex.js';
import type { ConfigError } from '../../src/errors.js';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.equal((err as ConfigError).code, 'AUTHHOOK_ERR_CONFIG_INVALID');
    return err as ConfigError;
  }
  assert.fail('expected a ConfigError');
}

test('comment lines and blank lines are skipped; line numbers are kept', () => {
  assert.deepEqual(logicalLines('# a comment\n\n  AuthType Basic\n   # indented comment\nAuthName x\n'), [
    { line: 3, text: 'AuthType Basic' },
    { line: 5, text: 'AuthName x' },
  ]);
});

test('a # after a directive is not a comment (as httpd)', () => {
  assert.deepEqual(logicalLines('AuthName a#b'), [{ line: 1, text: 'AuthName a#b' }]);
});

test('a trailing backslash continues the line on the next one, numbered by its first line', () => {
  assert.deepEqual(logicalLines('x\nRequire user \\\n    alice \\\n    bob\nAuthType Basic'), [
    { line: 1, text: 'x' },
    { line: 2, text: 'Require user     alice     bob' },
    { line: 5, text: 'AuthType Basic' },
  ]);
});

test('white space after a continuation backslash still continues (trailing space is dropped first)', () => {
  assert.deepEqual(logicalLines('Require \\   \n  valid-user'), [{ line: 1, text: 'Require   valid-user' }]);
});

test('CRLF line ends and a byte-order mark are read like LF', () => {
  assert.deepEqual(logicalLines('\uFEFFAuthType Basic\r\nAuthName x\r\n'), [
    { line: 1, text: 'AuthType Basic' },
    { line: 2, text: 'AuthName x' },
  ]);
});

test('a continuation on the last line ends the file cleanly', () => {
  assert.deepEqual(logicalLines('Require valid-user \\'), [{ line: 1, text: 'Require valid-user' }]);
});

test('quoted words keep their spaces; both quote characters work', () => {
  assert.deepEqual(splitWords(`"My Realm" 'single quoted' bare`, 'f:1', 'X'), ['My Realm', 'single quoted', 'bare']);
});

test('a backslash escapes a quote or a backslash inside quotes', () => {
  assert.deepEqual(splitWords('"say \\"hi\\"" "back\\\\slash"', 'f:1', 'X'), ['say "hi"', 'back\\slash']);
});

test('an empty quoted word is a word', () => {
  assert.deepEqual(splitWords('a "" b', 'f:1', 'X'), ['a', '', 'b']);
});

test('an unterminated quote is an error naming the directive and line', () => {
  const err = thrown(() => splitWords('"My Realm', 'authhook.conf:7', 'AuthName'));
  assert.equal(err.where, 'authhook.conf:7');
  assert.match(err.message, /^authhook.conf:7: AuthName: unterminated quoted argument/);
});

test('text glued to a closing quote is an error', () => {
  const err = thrown(() => splitWords('"a"b', 'authhook.conf:2', 'AuthName'));
  assert.equal(err.where, 'authhook.conf:2');
});

const vars = (defined: Record<string, string | null>, env: Record<string, string> = {}): Variables => ({
  defined: new Map(Object.entries(defined)),
  env,
});

test('${NAME} takes a Define value, then the environment', () => {
  assert.equal(substituteVariables('AuthName "${REALM}" ${HOME}', vars({ REALM: 'Staff' }, { HOME: '/h' }), 'f:1'), 'AuthName "Staff" /h');
});

test('a Define shadows an environment variable of the same name', () => {
  assert.equal(substituteVariables('${X}', vars({ X: 'defined' }, { X: 'env' }), 'f:1'), 'defined');
});

test('an undefined ${NAME} is an error at its line', () => {
  const err = thrown(() => substituteVariables('AuthUserFile ${NOPE}/users', vars({}), 'authhook.conf:9'));
  assert.equal(err.where, 'authhook.conf:9');
  assert.match(err.message, /variable "NOPE" is not defined/);
});

test('${NAME} of a Define without a value is an error', () => {
  const err = thrown(() => substituteVariables('${FLAG}', vars({ FLAG: null }), 'f:3'));
  assert.match(err.message, /defined without a value/);
});

test('an unterminated ${ is an error', () => {
  thrown(() => substituteVariables('AuthName ${REALM', vars({ REALM: 'x' }), 'f:1'));
});

test('a substituted value is not substituted again', () => {
  assert.equal(substituteVariables('${A}', vars({ A: '${B}', B: 'no' }), 'f:1'), '${B}');
});
