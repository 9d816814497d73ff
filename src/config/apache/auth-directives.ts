/**
 * Handlers of the authentication and authorisation directives (mod_auth_basic,
 * mod_auth_digest, mod_authn_file, mod_authz_core, mod_env's SetEnv).
 * @module
 */
import { ENV_NAME, setEnvIfRule } from '../set-env-if.js';
import { existsSync } from 'node:fs';
import { parseRequireLine } from '../../authz/require-parse.js';
import type { DigestAlgorithm } from '../model.js';
import { fail, flag, integer, type DirectiveCall } from './values.js';


/** `AuthType Basic|Digest|None` (case-insensitive, as httpd compares it). */
export function authType(call: DirectiveCall): void {
  const v = call.args[0]!.toLowerCase();
  const d = call.section().directives;
  if (v === 'basic') d.authType = 'Basic';
  else if (v === 'digest') d.authType = 'Digest';
  else if (v === 'none') d.authType = null;
  else throw fail(call, `expected Basic, Digest or None, not "${call.args[0]!}"`);
}

/** `AuthName "realm"`. */
export function authName(call: DirectiveCall): void {
  const realm = call.args[0]!;
  if (realm === '') throw fail(call, 'the realm may not be empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(realm)) throw fail(call, 'the realm may not hold control characters');
  call.section().directives.authName = realm;
}

/** `AuthBasicProvider a b c` / `AuthDigestProvider …`: names are checked once every alias is known. */
export function authProviders(call: DirectiveCall): void {
  const scheme = call.name === 'AuthBasicProvider' ? 'Basic' : 'Digest';
  const listed = [...call.args];
  const twice = listed.find((n, i) => listed.indexOf(n) !== i);
  if (twice !== undefined) throw fail(call, `provider "${twice}" is listed twice`);
  // mod_authn_socache's pseudo-provider: not a provider here, but the switch of the credential cache.
  const socache = listed.includes('socache');
  const names = listed.filter((n) => n !== 'socache');
  if (names.length === 0) throw fail(call, 'socache is a cache in front of providers: list at least one provider after it');
  if (socache && scheme === 'Digest') call.state.logger.warn(`${call.where}: ${call.name} socache: authhook caches no Digest look-ups (they are not password checks); ignored`);
  else if (socache && listed[0] !== 'socache') call.state.logger.warn(`${call.where}: ${call.name}: socache is not first; authhook's cache sits in front of every provider anyway`);
  for (const name of names) call.state.providerRefs.push({ name, scheme, where: call.where });
  const d = call.section().directives;
  if (scheme === 'Basic') {
    d.basicProviders = Object.freeze(names);
    d.authnCacheSocache = socache;
  } else d.digestProviders = Object.freeze(names);
}

/** `AuthnCacheProvideFor provider …` (mod_authn_socache): whose answers the cache keeps, once `socache` is listed. */
export function authnCacheProvideFor(call: DirectiveCall): void {
  const names = [...call.args];
  for (const name of names) call.state.providerRefs.push({ name, scheme: 'Basic', where: call.where, directive: call.name });
  call.section().directives.authnCacheProvideFor = Object.freeze(names);
}

/** `AuthnCacheTimeout seconds` (mod_authn_socache, default 300): how long a cached grant lasts. */
export function authnCacheTimeout(call: DirectiveCall): void {
  call.section().directives.authnCacheTimeoutS = integer(call, call.args[0]!, 'seconds', 1, 86_400);
}

function existingFile(call: DirectiveCall): string {
  const abs = call.state.file(call.args[0]!);
  if (!existsSync(abs)) throw fail(call, `file not found: ${abs}`);
  return abs;
}

/** `AuthUserFile path` (htpasswd, or htdigest under Digest), relative to the config file's directory. */
export function authUserFile(call: DirectiveCall): void {
  call.section().directives.authUserFile = existingFile(call);
}

/** `AuthGroupFile path` (htgroup). */
export function authGroupFile(call: DirectiveCall): void {
  call.section().directives.authGroupFile = existingFile(call);
}

/** `AuthDigestAlgorithm SHA-256 MD5`: authhook offers several, in the order given. */
export function authDigestAlgorithm(call: DirectiveCall): void {
  const out: DigestAlgorithm[] = [];
  for (const a of call.args) {
    const v = a.toUpperCase();
    if (v === 'MD5-SESS' || v === 'SHA-256-SESS') throw fail(call, `${a} is not supported (no session algorithms); use MD5 or SHA-256`);
    if (v !== 'MD5' && v !== 'SHA-256') throw fail(call, `expected MD5 or SHA-256, not "${a}"`);
    if (out.includes(v)) throw fail(call, `${v} is listed twice`);
    out.push(v);
  }
  call.section().directives.digestAlgorithms = Object.freeze(out);
}

/** `AuthDigestNonceLifetime seconds`. */
export function authDigestNonceLifetime(call: DirectiveCall): void {
  call.section().directives.nonceLifetimeS = integer(call, call.args[0]!, 'the lifetime in seconds', 1);
}

/** `AuthDigestQop auth`: the one quality of protection authhook (and httpd 2.4) runs; httpd refuses `auth-int` and `none` too. */
export function authDigestQop(call: DirectiveCall): void {
  for (const word of call.args) {
    if (word.toLowerCase() !== 'auth') throw fail(call, `only auth is supported, not "${word}" (httpd 2.4 refuses it too)`);
  }
}

/** `AuthDigestShmemSize size`: httpd's shared memory for nonce counts; authhook keeps them in its own process, so the size has no use. */
export function authDigestShmemSize(call: DirectiveCall): void {
  if (!/^[0-9]+[KkMm]?$/.test(call.args[0]!)) throw fail(call, `expected a size in bytes (K or M allowed), not "${call.args[0]!}"`);
}

/** `Require …`: one rule of the section's implicit `<RequireAny>`. */
export function requireLine(call: DirectiveCall): void {
  call.section().require.push({ node: parseRequireLine(call.raw, call.where), where: call.where });
}

/** `AuthzSendForbiddenOnFailure On|Off`. */
export function forbiddenOnFailure(call: DirectiveCall): void {
  call.section().directives.forbiddenOnFailure = flag(call);
}

/** `AuthMerging Off` is what authhook does; `And`/`Or` would combine Require trees, which it does not. */
export function authMerging(call: DirectiveCall): void {
  const v = call.args[0]!.toLowerCase();
  if (v === 'off') return;
  if (v === 'and' || v === 'or') {
    throw fail(call, `${call.args[0]!} is not supported: a section's Require replaces the inherited one (AuthMerging Off); repeat the rules in a <RequireAll>/<RequireAny>`);
  }
  throw fail(call, `expected Off, And or Or, not "${call.args[0]!}"`);
}

/**
 * `SetEnvIf attribute regex var…`, `SetEnvIfNoCase …`, `BrowserMatch regex var…`,
 * `BrowserMatchNoCase …` (mod_setenvif): the variables `Require env` tests.
 */
export function setEnvIf(call: DirectiveCall): void {
  const browser = call.name.startsWith('BrowserMatch');
  const [attribute, regex, ...vars] = browser ? ['User-Agent', ...call.args] : call.args;
  let rule;
  try {
    rule = setEnvIfRule(attribute!, regex!, vars, call.name.endsWith('NoCase'));
  } catch (err) {
    throw fail(call, (err as Error).message);
  }
  const section = call.section();
  section.directives.setEnvIf = Object.freeze([...(section.directives.setEnvIf ?? []), rule]);
}

/** `SetEnv VAR [value]`: the app sees it (httpd sets it after authorisation, so `Require env` does not). */
export function setEnv(call: DirectiveCall): void {
  const [name, value = ''] = call.args as [string, string?];
  if (!ENV_NAME.test(name)) throw fail(call, `"${name}" is not a usable variable name`);
  const section = call.section();
  section.setEnv[name] = value;
  section.directives.setEnv = Object.freeze({ ...section.setEnv });
}
