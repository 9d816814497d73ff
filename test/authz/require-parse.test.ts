import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeRequire,
  parseRequireLine,
  parseRequireSpec,
  registerRequireProvider,
  requireAll,
  requireAny,
  requireNeedsUser,
  requireNone,
  tokenizeRequireArgs,
  type RequireNode,
} from '../../src/authz/require-parse.js';
import { ConfigError } from '../../src/errors.js';

const CONFIG_INVALID = { code: 'AUTHHOOK_ERR_CONFIG_INVALID' };

function rule(node: RequireNode) {
  assert.equal(node.kind, 'rule');
  return node as Extract<RequireNode, { kind: 'rule' }>;
}

describe('tokenizeRequireArgs', () => {
  it('splits on any run of whitespace', () => {
    assert.deepEqual(tokenizeRequireArgs('  user\talice \r\n bob  '), ['user', 'alice', 'bob']);
  });

  it('double or single quotes group words with spaces', () => {
    assert.deepEqual(tokenizeRequireArgs(`wsgi-group "secret agents" 'field ops' staff`), [
      'wsgi-group',
      'secret agents',
      'field ops',
      'staff',
    ]);
  });

  it('a backslash escapes the quote or a backslash inside quotes, and nothing else', () => {
    assert.deepEqual(tokenizeRequireArgs(String.raw`"say \"hi\"" "a\\b" "c\d" 'it\'s'`), [
      'say "hi"',
      'a\\b',
      'c\\d',
      "it's",
    ]);
  });

  it('a quote in the middle of a bare word is literal, and an unterminated quote runs to the end', () => {
    assert.deepEqual(tokenizeRequireArgs(`a"b c" "open end`), ['a"b', 'c"', 'open end']);
  });

  it('an empty line has no words', () => {
    assert.deepEqual(tokenizeRequireArgs('   '), []);
  });
});

describe('parseRequireLine', () => {
  it('compiles every built-in provider', () => {
    for (const line of [
      'valid-user',
      'user alice bob',
      'group admins',
      'wsgi-group "secret agents"',
      'ip 10.0.0.0/8 ::1',
      'env HTTPS',
      'method GET HEAD',
      'all granted',
      'all denied',
    ]) {
      assert.equal(parseRequireLine(line).kind, 'rule', line);
    }
  });

  it('records the provider, its words, negation and whether it needs a user', () => {
    const node = rule(parseRequireLine('not wsgi-group "secret agents"'));
    assert.equal(node.provider, 'wsgi-group');
    assert.deepEqual(node.args, ['secret agents']);
    assert.equal(node.negate, true);
    assert.equal(node.needsUser, true);
    assert.equal(rule(parseRequireLine('ip ::1')).needsUser, false);
  });

  it('"not" is recognised in any case, and "not valid-user" is allowed', () => {
    assert.equal(parseRequireLine('NOT valid-user').negate, true);
  });

  it('the tree is frozen', () => {
    const node = rule(parseRequireLine('user alice'));
    assert.ok(Object.isFrozen(node));
    assert.ok(Object.isFrozen(node.args));
  });

  it('an unknown provider is a config error with a did-you-mean suggestion', () => {
    assert.throws(
      () => parseRequireLine('grup admins', 'authhook.conf:7'),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'AUTHHOOK_ERR_CONFIG_INVALID' &&
        err.where === 'authhook.conf:7' &&
        err.message.includes('"grup"') &&
        err.message.includes('did you mean "group"?'),
    );
    assert.throws(() => parseRequireLine('Valid-User'), (err: Error) => err.message.includes('"valid-user"'));
  });

  it('a name far from every provider gets no suggestion', () => {
    assert.throws(() => parseRequireLine('expr true'), (err: Error) => !err.message.includes('did you mean'));
  });

  it('a missing provider is a config error', () => {
    assert.throws(() => parseRequireLine(''), CONFIG_INVALID);
    assert.throws(() => parseRequireLine('not'), CONFIG_INVALID);
  });

  it('user, group, wsgi-group, ip, env and method need arguments', () => {
    for (const name of ['user', 'group', 'wsgi-group', 'ip', 'env', 'method']) {
      assert.throws(() => parseRequireLine(name), CONFIG_INVALID, name);
    }
  });

  it('an empty quoted argument is a config error', () => {
    assert.throws(() => parseRequireLine('group ""'), CONFIG_INVALID);
  });

  it('valid-user takes no arguments', () => {
    assert.throws(() => parseRequireLine('valid-user alice'), CONFIG_INVALID);
  });

  it('all takes exactly granted or denied, in any case', () => {
    assert.equal(parseRequireLine('all GRANTED').kind, 'rule');
    for (const line of ['all', 'all yes', 'all granted denied']) {
      assert.throws(() => parseRequireLine(line), CONFIG_INVALID, line);
    }
  });

  it('a method must be an HTTP token', () => {
    assert.throws(() => parseRequireLine('method GET "BAD METHOD"'), CONFIG_INVALID);
    assert.throws(() => parseRequireLine('method GET,HEAD'), CONFIG_INVALID);
  });

  it('a bad ip argument is a config error naming the argument', () => {
    assert.throws(
      () => parseRequireLine('ip 10.0.0.0/33'),
      (err: unknown) => err instanceof ConfigError && err.message.includes('10.0.0.0/33'),
    );
  });
});

describe('registerRequireProvider', () => {
  it('a new provider can be used without touching the parser', () => {
    registerRequireProvider({
      name: 'test-weekday',
      needsUser: false,
      compile: (args) => {
        const days = new Set(args);
        return () => (days.has('always') ? 'granted' : 'denied');
      },
    });
    const node = rule(parseRequireLine('test-weekday always'));
    assert.equal(node.provider, 'test-weekday');
  });

  it('a name already taken is refused', () => {
    assert.throws(() => registerRequireProvider({ name: 'group', needsUser: true, compile: () => () => 'granted' }), CONFIG_INVALID);
  });
});

describe('Require sections', () => {
  it('an empty section is a config error', () => {
    assert.throws(() => requireAll([]), CONFIG_INVALID);
    assert.throws(() => requireAny([]), CONFIG_INVALID);
    assert.throws(() => requireNone([]), CONFIG_INVALID);
  });

  it('a RequireAll of only negative directives is a config error', () => {
    assert.throws(() => requireAll([parseRequireLine('not ip 10.0.0.0/8')]), CONFIG_INVALID);
    const none = requireNone([parseRequireLine('ip 10.0.0.0/8')]);
    assert.throws(() => requireAll([none, parseRequireLine('not method DELETE')]), CONFIG_INVALID);
  });

  it('a negative rule directly in a RequireAny, a RequireNone or the top level is a config error', () => {
    const not = parseRequireLine('not group banned');
    assert.throws(() => requireAny([parseRequireLine('valid-user'), not]), CONFIG_INVALID);
    assert.throws(() => requireNone([parseRequireLine('ip ::1'), not]), CONFIG_INVALID);
    assert.throws(() => parseRequireSpec(['valid-user', 'not group banned']), CONFIG_INVALID);
    assert.throws(() => parseRequireSpec('not group banned'), CONFIG_INVALID);
  });

  it('a RequireNone is only allowed inside a RequireAll', () => {
    const none = requireNone([parseRequireLine('group banned')]);
    assert.throws(() => requireAny([parseRequireLine('valid-user'), none]), CONFIG_INVALID);
    assert.throws(() => parseRequireSpec({ none: ['group banned'] }), CONFIG_INVALID);
    assert.equal(requireAll([parseRequireLine('valid-user'), none]).kind, 'all');
  });

  it('a RequireNone is marked negated and the others are not', () => {
    assert.equal(requireNone([parseRequireLine('ip ::1')]).negate, true);
    assert.equal(requireAll([parseRequireLine('ip ::1')]).negate, false);
    assert.equal(requireAny([parseRequireLine('ip ::1')]).negate, false);
  });

  it('sections are frozen', () => {
    const node = requireAll([parseRequireLine('valid-user')]);
    assert.ok(Object.isFrozen(node));
    assert.ok(node.kind !== 'rule' && Object.isFrozen(node.children));
  });
});

describe('parseRequireSpec', () => {
  it('a string is one Require line', () => {
    assert.equal(rule(parseRequireSpec('group admins')).provider, 'group');
  });

  it('an array is an implicit RequireAny, and a one-element array is just that element', () => {
    assert.equal(parseRequireSpec(['group admins', 'valid-user']).kind, 'any');
    assert.equal(parseRequireSpec(['valid-user']).kind, 'rule');
  });

  it('objects are the sections, nested to any depth', () => {
    const node = parseRequireSpec({
      all: ['valid-user', { any: ['group admins', { all: ['group staff', 'ip 10.0.0.0/8'] }] }, { none: ['user mallory'] }],
    });
    assert.equal(node.kind, 'all');
    assert.equal(
      describeRequire(node),
      [
        '<RequireAll>',
        '  Require valid-user',
        '  <RequireAny>',
        '    Require group admins',
        '    <RequireAll>',
        '      Require group staff',
        '      Require ip 10.0.0.0/8',
        '    </RequireAll>',
        '  </RequireAny>',
        '  <RequireNone>',
        '    Require user mallory',
        '  </RequireNone>',
        '</RequireAll>',
      ].join('\n'),
    );
  });

  it('an error deep in the tree names its position', () => {
    assert.throws(
      () => parseRequireSpec({ all: ['valid-user', 'grup x'] }, 'locations.0.require'),
      (err: unknown) => err instanceof ConfigError && err.where === 'locations.0.require.all.1',
    );
  });

  it('a value of the wrong shape is a config error', () => {
    for (const bad of [42, null, {}, { all: 'valid-user' }, { all: ['valid-user'], any: ['valid-user'] }, { some: [] }]) {
      assert.throws(() => parseRequireSpec(bad as never), CONFIG_INVALID, JSON.stringify(bad));
    }
  });
});

describe('requireNeedsUser and describeRequire', () => {
  it('a tree needs a user when any rule in it does', () => {
    assert.equal(requireNeedsUser(parseRequireSpec(['ip ::1', 'method GET'])), false);
    assert.equal(requireNeedsUser(parseRequireSpec({ all: ['ip ::1', { any: ['method GET', 'group x'] }] })), true);
    assert.equal(requireNeedsUser(parseRequireSpec('all granted')), false);
  });

  it('describeRequire quotes arguments so they read back the same', () => {
    const text = describeRequire(parseRequireLine(`not wsgi-group "secret agents" 'say "hi"' plain`));
    assert.equal(text, String.raw`Require not wsgi-group "secret agents" "say \"hi\"" plain`);
    assert.deepEqual(tokenizeRequireArgs(text.slice('Require not '.length)), ['wsgi-group', 'secret agents', 'say "hi"', 'plain']);
  });
});
