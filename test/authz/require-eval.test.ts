import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRequire } from '../../src/authz/require-eval.js';
import { parseRequireLine, parseRequireSpec, registerRequireProvider, type RequireSpec } from '../../src/authz/require-parse.js';
import { HookThrewError } from '../../src/errors.js';
import { context, type ContextOptions } from './context.js';

function evaluate(spec: RequireSpec, options: ContextOptions = {}) {
  return evaluateRequire(parseRequireSpec(spec), context(options));
}

describe('evaluateRequire: rules', () => {
  it('valid-user grants any user and asks for one when there is none', async () => {
    assert.equal(await evaluate('valid-user'), 'granted');
    assert.equal(await evaluate('valid-user', { user: null }), 'denied-no-user');
  });

  it('user grants only the listed names, case-sensitively', async () => {
    assert.equal(await evaluate('user alice bob', { user: 'bob' }), 'granted');
    assert.equal(await evaluate('user alice bob', { user: 'Bob' }), 'denied');
    assert.equal(await evaluate('user alice', { user: null }), 'denied-no-user');
  });

  it('group grants a member of any listed group', async () => {
    assert.equal(await evaluate('group staff admins', { groups: ['users', 'admins'] }), 'granted');
    assert.equal(await evaluate('group staff admins', { groups: ['users'] }), 'denied');
  });

  it('group names match ASCII case-insensitively', async () => {
    assert.equal(await evaluate('wsgi-group secret-agents', { groups: ['SECRET-AGENTS'] }), 'granted');
    assert.equal(await evaluate('wsgi-group ÄRZTE', { groups: ['äRZTE'] }), 'denied');
  });

  it('a quoted group name with a space matches that group', async () => {
    assert.equal(await evaluate('wsgi-group "secret agents"', { groups: ['secret agents'] }), 'granted');
    assert.equal(await evaluate('wsgi-group "secret agents"', { groups: ['secret', 'agents'] }), 'denied');
  });

  it('a user in no groups is denied', async () => {
    assert.equal(await evaluate('group admins', { groups: [] }), 'denied');
  });

  it('a failed group look-up is a denial, never a grant', async () => {
    const error = new HookThrewError('groups_for_user threw');
    assert.equal(await evaluate('group admins', { groups: { outcome: 'error', error } }), 'denied');
    assert.equal(await evaluate({ all: ['valid-user', 'not group admins'] }, { groups: { outcome: 'error', error } }), 'granted');
  });

  it('ip grants a client inside a listed network', async () => {
    assert.equal(await evaluate('ip 10.0.0.0/8 ::1', { remoteAddr: '10.2.3.4' }), 'granted');
    assert.equal(await evaluate('ip 10.0.0.0/8 ::1', { remoteAddr: '::1' }), 'granted');
    assert.equal(await evaluate('ip 10.0.0.0/8', { remoteAddr: '192.0.2.1' }), 'denied');
  });

  it('ip matches an IPv4-mapped IPv6 client against an IPv4 rule', async () => {
    assert.equal(await evaluate('ip 127.0.0.1', { remoteAddr: '::ffff:127.0.0.1', user: null }), 'granted');
  });

  it('ip matches an IPv6 client inside an IPv6 network', async () => {
    assert.equal(await evaluate('ip 2001:db8::/32', { remoteAddr: '2001:db8:ab::1' }), 'granted');
    assert.equal(await evaluate('ip 2001:db8::/32', { remoteAddr: '2001:db9::1' }), 'denied');
  });

  it('env grants when any listed variable is set', async () => {
    assert.equal(await evaluate('env INTERNAL TRUSTED', { env: { TRUSTED: '' } }), 'granted');
    assert.equal(await evaluate('env INTERNAL', { env: { OTHER: '1' } }), 'denied');
  });

  it('method grants only the listed methods, case-sensitively', async () => {
    assert.equal(await evaluate('method GET HEAD', { method: 'HEAD' }), 'granted');
    assert.equal(await evaluate('method GET HEAD', { method: 'get' }), 'denied');
    assert.equal(await evaluate('method GET HEAD', { method: 'FROB' }), 'denied');
    // As httpd (HEAD is M_GET there): HEAD passes "method GET" and is refused by "not method GET".
    assert.equal(await evaluate('method GET', { method: 'HEAD' }), 'granted');
    assert.equal(await evaluate('method HEAD', { method: 'GET' }), 'granted');
    assert.equal(await evaluate('method POST', { method: 'HEAD' }), 'denied');
    assert.equal(await evaluate({ all: ['all granted', 'not method GET'] }, { method: 'HEAD' }), 'denied');
  });

  it('local grants loopback clients only (mod_authz_host), IPv4-mapped ones too', async () => {
    for (const addr of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1']) assert.equal(await evaluate('local', { remoteAddr: addr }), 'granted', addr);
    for (const addr of ['10.0.0.1', '::2', '::ffff:10.0.0.1', '', 'localhost']) assert.equal(await evaluate('local', { remoteAddr: addr }), 'denied', addr);
    assert.throws(() => parseRequireLine('local 127.0.0.1'), /Require local: takes no arguments/);
  });

  it('method names httpd does not know are refused at start-up, as httpd refuses them ("Invalid Method")', () => {
    for (const bad of ['get', 'FROB', 'SEARCH', 'MKCALENDAR']) assert.throws(() => parseRequireLine(`method GET ${bad}`), new RegExp(`httpd knows no method "${bad}"`), bad);
    for (const ok of ['PATCH', 'PROPFIND', 'BASELINE-CONTROL', 'MERGE', 'CONNECT']) assert.doesNotThrow(() => parseRequireLine(`method ${ok}`), ok);
  });

  it('all granted and all denied decide alone, without a user', async () => {
    assert.equal(await evaluate('all granted', { user: null }), 'granted');
    assert.equal(await evaluate('all denied', { user: null }), 'denied');
  });
});

describe('evaluateRequire: negation', () => {
  it('a negated grant is a denial, and a negated denial is only neutral', async () => {
    const not = parseRequireLine('not method DELETE');
    assert.equal(await evaluateRequire(not, context({ method: 'DELETE' })), 'denied');
    assert.equal(await evaluateRequire(not, context({ method: 'GET' })), 'neutral');
  });

  it('a negated rule that needs a user is neutral without one', async () => {
    assert.equal(await evaluateRequire(parseRequireLine('not valid-user'), context({ user: null })), 'neutral');
  });
});

describe('evaluateRequire: sections', () => {
  const staffOnly: RequireSpec = { all: ['valid-user', 'wsgi-group secret-agents'] };

  it('RequireAll grants only when every child grants', async () => {
    assert.equal(await evaluate(staffOnly, { groups: ['secret-agents'] }), 'granted');
    assert.equal(await evaluate(staffOnly, { groups: ['citizens'] }), 'denied');
    assert.equal(await evaluate(staffOnly, { user: null }), 'denied-no-user');
  });

  it('RequireAll with "not method DELETE" denies a DELETE before any user', async () => {
    const spec: RequireSpec = { all: ['valid-user', 'not method DELETE'] };
    assert.equal(await evaluate(spec, { user: null, method: 'DELETE' }), 'denied');
    assert.equal(await evaluate(spec, { user: null, method: 'GET' }), 'denied-no-user');
    assert.equal(await evaluate(spec, { method: 'GET' }), 'granted');
  });

  it('RequireAll stops at the first denial', async () => {
    const ctx = context({ method: 'POST' });
    assert.equal(await evaluateRequire(parseRequireSpec({ all: ['method GET', 'group admins'] }), ctx), 'denied');
    assert.equal(ctx.calls.groups, 0);
  });

  it('two group lines at the top level admit any authenticated user (the 2.4 OR gotcha)', async () => {
    const spec: RequireSpec = ['wsgi-group secret-agents', 'valid-user'];
    assert.equal(await evaluate(spec, { user: 'citizen', groups: [] }), 'granted');
    assert.equal(await evaluate(spec, { user: null }), 'denied-no-user');
  });

  it('RequireAny prefers asking for a user over a plain denial', async () => {
    assert.equal(await evaluate(['ip 10.0.0.0/8', 'valid-user'], { user: null }), 'denied-no-user');
    assert.equal(await evaluate(['valid-user', 'ip 10.0.0.0/8'], { user: null }), 'denied-no-user');
    assert.equal(await evaluate(['ip 10.0.0.0/8', 'valid-user'], { user: null, remoteAddr: '10.0.0.1' }), 'granted');
  });

  it('RequireNone denies when any child grants and is neutral otherwise', async () => {
    const spec: RequireSpec = { all: ['valid-user', { none: ['user mallory', 'ip 192.0.2.0/24'] }] };
    assert.equal(await evaluate(spec, { user: 'mallory', remoteAddr: '10.0.0.1' }), 'denied');
    assert.equal(await evaluate(spec, { user: 'alice', remoteAddr: '192.0.2.7' }), 'denied');
    assert.equal(await evaluate(spec, { user: 'alice', remoteAddr: '10.0.0.1' }), 'granted');
    assert.equal(await evaluate(spec, { user: null, remoteAddr: '10.0.0.1' }), 'denied-no-user');
  });

  it('a section whose children are all neutral is neutral, which is not a grant', async () => {
    const spec: RequireSpec = { all: ['valid-user', { none: ['ip 192.0.2.0/24'] }] };
    const none = parseRequireSpec(spec);
    assert.ok(none.kind === 'all');
    assert.equal(await evaluateRequire(none.children[1]!, context({ remoteAddr: '10.0.0.1' })), 'neutral');
  });

  it('nested sections combine as Apache does', async () => {
    const spec: RequireSpec = {
      all: [{ any: ['ip 10.0.0.0/8', { all: ['valid-user', 'group vpn'] }] }, 'not method DELETE'],
    };
    assert.equal(await evaluate(spec, { user: null, remoteAddr: '10.1.1.1' }), 'granted');
    assert.equal(await evaluate(spec, { user: null, remoteAddr: '10.1.1.1', method: 'DELETE' }), 'denied');
    assert.equal(await evaluate(spec, { user: null, remoteAddr: '192.0.2.1' }), 'denied-no-user');
    assert.equal(await evaluate(spec, { remoteAddr: '192.0.2.1', groups: ['VPN'] }), 'granted');
    assert.equal(await evaluate(spec, { remoteAddr: '192.0.2.1', groups: ['staff'] }), 'denied');
  });
});

describe('evaluateRequire: group look-ups', () => {
  it('groups() is not called when there is no user', async () => {
    const ctx = context({ user: null, groups: ['admins'] });
    const tree = parseRequireSpec({ all: ['valid-user', 'group admins', { none: ['group banned'] }] });
    assert.equal(await evaluateRequire(tree, ctx), 'denied-no-user');
    assert.equal(ctx.calls.groups, 0);
  });

  it('groups() is looked up at most once per evaluation when the caller memoises it', async () => {
    const ctx = context({ groups: ['staff'], memoise: true });
    const tree = parseRequireSpec({ all: ['group staff', 'group staff admins', { none: ['group banned'] }] });
    assert.equal(await evaluateRequire(tree, ctx), 'granted');
    assert.equal(ctx.calls.groups, 1);
  });

  it('groups() is not called when an earlier rule already decided', async () => {
    const ctx = context({ groups: ['staff'] });
    assert.equal(await evaluateRequire(parseRequireSpec(['user alice', 'group staff']), ctx), 'granted');
    assert.equal(ctx.calls.groups, 0);
  });

  it('a registered provider that needs a user gets denied-no-user without one, unasked', async () => {
    let called = 0;
    registerRequireProvider({
      name: 'test-needs-user',
      needsUser: true,
      compile: () => () => {
        called++;
        return Promise.resolve('granted');
      },
    });
    assert.equal(await evaluate('test-needs-user', { user: null }), 'denied-no-user');
    assert.equal(called, 0);
    assert.equal(await evaluate({ all: ['test-needs-user', 'not method DELETE'] }), 'granted');
    assert.equal(called, 1);
  });

  it('a rejected look-up propagates instead of granting', async () => {
    const ctx = { ...context(), groups: () => Promise.reject(new Error('boom')) };
    await assert.rejects(async () => evaluateRequire(parseRequireSpec(['group admins', 'user bob']), ctx), /boom/);
  });
});

describe('a general error from a rule', () => {
  registerRequireProvider({ name: 'test-broken-backend', needsUser: true, compile: () => () => 'error' });
  it('ends the evaluation as an error, even under not or RequireNone', async () => {
    const specs: RequireSpec[] = [
      'test-broken-backend',
      { all: ['valid-user', 'not test-broken-backend'] },
      ['test-broken-backend', 'valid-user'],
      { all: ['valid-user', { none: ['test-broken-backend'] }] },
    ];
    for (const spec of specs) {
      assert.equal(await evaluateRequire(parseRequireSpec(spec), context({ user: 'alice' })), 'error', JSON.stringify(spec));
    }
  });
});
