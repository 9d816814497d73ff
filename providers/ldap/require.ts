/**
 * mod_authnz_ldap's Require providers: `ldap-user`, `ldap-dn`, `ldap-group`,
 * `ldap-attribute`, `ldap-filter`. They read the location's AuthLDAP* settings from the
 * RequireContext. An LDAP failure in a rule denies and is logged; it never grants.
 * @module
 */
import { registerRequireProvider, type AuthzStatus, type RequireContext, type RuleCheck } from '../../src/authz/require-parse.js';
import { ConfigError } from '../../src/errors.js';
import { prefixedVariables } from '../../src/environ/build-environ.js';
import { describeError } from '../../src/log.js';
import type { Environ, Logger } from '../../src/types.js';
import type { Directory } from './directory.js';
import { isGroupMember, dnKey } from './groups.js';
import { findUser, grantAttributes, userFilter } from './provider.js';
import { compileLdapSettings, type LdapConfig } from './settings.js';
import { recallUser, sharedDirectory, sharedLogger, type UserRecord } from './shared.js';
import { checkFilter } from './url.js';

/** What a rule's test sees: the settings, the directory and the user's entry. */
interface RuleInput {
  readonly config: LdapConfig;
  readonly directory: Directory;
  readonly member: UserRecord;
}

type RuleTest = (input: RuleInput) => Promise<boolean>;

const lookups = new WeakMap<Environ, Map<string, Promise<UserRecord | null>>>();

/** The user's DN: from the provider if it authenticated this request, else looked up by the URL's filter (once per request). */
function userFor(ctx: RequireContext, config: LdapConfig, directory: Directory, logger: Logger): Promise<UserRecord | null> {
  const user = ctx.user!;
  const known = recallUser(ctx.environ);
  if (known !== undefined && known.key === config.key && known.user === user) return Promise.resolve(known);
  let perRequest = lookups.get(ctx.environ);
  if (perRequest === undefined) {
    perRequest = new Map();
    lookups.set(ctx.environ, perRequest);
  }
  const memoKey = `${config.key}\u0000${user}`;
  let p = perRequest.get(memoKey);
  if (p === undefined) {
    p = findUser(config, directory, user, logger).then((entry) =>
      entry === null ? null : Object.freeze({ key: config.key, typed: user, user, dn: entry.dn, attributes: grantAttributes(config, entry) }),
    );
    perRequest.set(memoKey, p);
  }
  return p;
}

async function runRule(name: string, ctx: RequireContext, test: RuleTest): Promise<AuthzStatus> {
  const logger = sharedLogger();
  if (ctx.ldap === null) {
    logger.error(`Require ${name} needs AuthLDAPURL for this location; denied`, { user: ctx.user });
    return 'denied';
  }
  try {
    const config = compileLdapSettings(ctx.ldap);
    const directory = sharedDirectory(config);
    const member = await userFor(ctx, config, directory, logger);
    if (member === null) {
      logger.info(`Require ${name}: user not found in LDAP; denied`, { user: ctx.user });
      return 'denied';
    }
    if (!(await test({ config, directory, member }))) return 'denied';
    // As mod_authnz_ldap: a granting rule hands the app the entry's URL attributes as AUTHORIZE_<ATTR>.
    ctx.noteAppVariables?.(prefixedVariables('AUTHORIZE_', member.attributes));
    return 'granted';
  } catch (err) {
    // AUTHZ_GENERAL_ERROR: ends the evaluation, even under `not`, and is answered with 503.
    logger.error(`Require ${name}: LDAP look-up failed`, { user: ctx.user, ...describeError(err) });
    return 'error';
  }
}

function register(name: string, compile: (args: readonly string[], where: string | undefined) => RuleTest): void {
  registerRequireProvider({
    name,
    needsUser: true,
    compile(args, where): RuleCheck {
      if (args.length === 0) throw new ConfigError(`Require ${name}: needs an argument`, where);
      const test = compile(args, where);
      return (ctx) => runRule(name, ctx, test);
    },
  });
}

/** `name=value` pairs as mod_authnz_ldap reads them; a quoted value may hold spaces (`employeeType="Full Time"`). */
export function parseAttributePairs(args: readonly string[], where: string | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    const eq = word.indexOf('=');
    if (eq <= 0) throw new ConfigError(`Require ldap-attribute: "${word}" is not name=value`, where);
    let value = word.slice(eq + 1);
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      while (!(value.length > 1 && value.endsWith(quote)) && i + 1 < args.length) value += ' ' + args[++i]!;
      value = value.endsWith(quote) && value.length > 1 ? value.slice(1, -1) : value.slice(1);
    }
    pairs.push([word.slice(0, eq), value]);
  }
  return pairs;
}

register('ldap-user', (args) => {
  const names = [...args];
  return async ({ config, directory, member }) => {
    for (const n of names) if (await directory.compare(member.dn, config.attribute, n)) return true;
    return false;
  };
});

// The user's DN as the directory gave it, compared as a string: mod_authnz_ldap's default
// (AuthLDAPCompareDNOnServer is off in its code), so real httpd refuses another spelling.
register('ldap-dn', (args) => {
  const dn = args.join(' ');
  return async ({ member }) => member.dn === dn;
});

register('ldap-group', (args) => {
  const group = args.join(' ');
  return ({ config, directory, member }) => isGroupMember(config, directory, group, member);
});

register('ldap-attribute', (args, where) => {
  const pairs = parseAttributePairs(args, where);
  return async ({ directory, member }) => {
    for (const [attribute, value] of pairs) if (await directory.compare(member.dn, attribute, value)) return true;
    return false;
  };
});

// mod_authnz_ldap puts the filter in parentheses itself: written with its own, it is no filter
// at all and httpd denies everyone there, so that spelling is refused at start-up.
register('ldap-filter', (args, where) => {
  const written = args.join(' ').trim();
  if (written.startsWith('(')) {
    throw new ConfigError(`Require ldap-filter: write the filter without its outer parentheses, as mod_authnz_ldap wraps it itself (${written.slice(1, -1)}, not ${written}); httpd denies everyone with the parenthesised one`, where);
  }
  const filter = checkFilter(written, 'Require ldap-filter', where);
  return async ({ config, directory, member }) => {
    const entries = await directory.search({
      base: config.url.base,
      scope: config.url.scope,
      filter: userFilter(config, member.typed, filter),
      attributes: ['1.1'],
      sizeLimit: 2,
    });
    return entries.length === 1 && dnKey(entries[0]!.dn) === dnKey(member.dn);
  };
});
