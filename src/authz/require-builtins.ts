/**
 * The built-in `Require` providers of mod_authz_core, mod_authz_user, mod_authz_groupfile
 * (and mod_wsgi's `wsgi-group`) and mod_authz_host.
 * @module
 */
import { ConfigError } from '../errors.js';
import { compileIpMatcher } from './ip-match.js';
import { registerRequireProvider } from './require-registry.js';
import type { AuthzStatus, RequireContext, RuleCheck } from './require-types.js';

// RFC 9110 §5.6.2 token: what Apache accepts as a method name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function needArgs(name: string, args: readonly string[], what: string, where: string | undefined): void {
  if (args.length === 0) throw new ConfigError(`Require ${name}: needs at least one ${what}`, where);
}

/** ASCII-only lower-casing, as APR's case-insensitive tables compare. */
function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32)) : s;
}

const granted = (): AuthzStatus => 'granted';
const denied = (): AuthzStatus => 'denied';

function compileGroup(name: string, args: readonly string[], where: string | undefined): RuleCheck {
  needArgs(name, args, 'group name', where);
  const wanted = new Set(args.map(asciiLower));
  return function checkGroup(ctx: RequireContext): Promise<AuthzStatus> {
    return ctx.groups().then((result): AuthzStatus => {
      // As mod_wsgi on 2.4: a failed look-up is a plain denial (401), not a 500.
      if (result.outcome !== 'groups') return 'denied';
      for (const group of result.groups) {
        if (wanted.has(asciiLower(group))) return 'granted';
      }
      return 'denied';
    });
  };
}

registerRequireProvider({
  name: 'valid-user',
  needsUser: true,
  compile(args, where) {
    if (args.length > 0) throw new ConfigError('Require valid-user: takes no arguments', where);
    return granted;
  },
});

registerRequireProvider({
  name: 'user',
  needsUser: true,
  compile(args, where) {
    needArgs('user', args, 'user name', where);
    const users = new Set(args);
    return function checkUser(ctx) {
      return ctx.user !== null && users.has(ctx.user) ? 'granted' : 'denied';
    };
  },
});

registerRequireProvider({ name: 'group', needsUser: true, compile: (args, where) => compileGroup('group', args, where) });
registerRequireProvider({
  name: 'wsgi-group',
  needsUser: true,
  compile: (args, where) => compileGroup('wsgi-group', args, where),
});

registerRequireProvider({
  name: 'ip',
  needsUser: false,
  compile(args, where) {
    const matches = compileIpMatcher(args, where);
    return function checkIp(ctx) {
      return matches(ctx.remoteAddr) ? 'granted' : 'denied';
    };
  },
});

// mod_authz_host's `local`: a loopback client (127.0.0.0/8, ::1, and IPv4-mapped 127.x). httpd
// also counts a client whose address is the server's own address on that connection; the
// engine does not see that address, so such a client is refused (less access, never more).
const isLoopback = compileIpMatcher(['127.0.0.0/8', '::1']);

registerRequireProvider({
  name: 'local',
  needsUser: false,
  compile(args, where) {
    if (args.length > 0) throw new ConfigError('Require local: takes no arguments', where);
    return function checkLocal(ctx) {
      return isLoopback(ctx.remoteAddr) ? 'granted' : 'denied';
    };
  },
});

registerRequireProvider({
  name: 'env',
  needsUser: false,
  compile(args, where) {
    needArgs('env', args, 'variable name', where);
    const names = [...args];
    return function checkEnv(ctx) {
      for (let i = 0; i < names.length; i++) {
        if (Object.hasOwn(ctx.env, names[i]!)) return 'granted';
      }
      return 'denied';
    };
  },
});

/** The methods httpd's `Require method` accepts (its built-in method numbers, and HEAD as GET), case-sensitive. */
const HTTPD_METHODS: ReadonlySet<string> = new Set(
  ('GET HEAD PUT POST DELETE CONNECT OPTIONS TRACE PATCH PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK ' +
    'VERSION-CONTROL CHECKOUT UNCHECKOUT CHECKIN UPDATE LABEL REPORT MKWORKSPACE MKACTIVITY BASELINE-CONTROL MERGE').split(' '),
);

registerRequireProvider({
  name: 'method',
  needsUser: false,
  compile(args, where) {
    needArgs('method', args, 'method name', where);
    for (const method of args) {
      if (!TOKEN.test(method)) throw new ConfigError(`Require method: "${method}" is not a method name`, where);
      // httpd refuses to start on any other ("Invalid Method"), lower case too: so does authhook.
      if (!HTTPD_METHODS.has(method)) throw new ConfigError(`Require method: httpd knows no method "${method}" (method names are upper case: ${[...HTTPD_METHODS].join(' ')})`, where);
    }
    // httpd numbers HEAD as GET (M_GET): each stands for the other, in the rule and in the request.
    const asNumbered = (m: string): string => (m === 'HEAD' ? 'GET' : m);
    const methods = new Set(args.map(asNumbered));
    return function checkMethod(ctx) {
      return methods.has(asNumbered(ctx.method)) ? 'granted' : 'denied';
    };
  },
});

registerRequireProvider({
  name: 'all',
  needsUser: false,
  compile(args, where) {
    const word = args.length === 1 ? args[0]!.toLowerCase() : '';
    if (word === 'granted') return granted;
    if (word === 'denied') return denied;
    throw new ConfigError(`Require all: argument must be "granted" or "denied", not "${args.join(' ')}"`, where);
  },
});
