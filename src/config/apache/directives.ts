/**
 * The directive table: name → arity, where it may appear, handler. Names compare
 * case-insensitively, as httpd's. Also the directives authhook knows but ignores (harmless
 * server settings) and those it refuses because ignoring them could open a door.
 * @module
 */
import * as auth from './auth-directives.js';
import { daemonProcess } from './daemon-process.js';
import * as ldap from './ldap-directives.js';
import type { AliasProvider } from './state.js';
import type { DirectiveCall } from './values.js';
import * as wsgi from './wsgi-directives.js';

/** One row of the table. */
export interface DirectiveSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** The arguments, for "expected …" messages. */
  readonly usage: string;
  /** Outside any section (the implicit `<Location />` for per-location directives). */
  readonly top: boolean;
  /** Inside `<Location>` / `<LocationMatch>`. */
  readonly location: boolean;
  /** Inside `<AuthnProviderAlias p name>` for these providers `p`. */
  readonly alias: readonly AliasProvider[];
  readonly handle: (call: DirectiveCall) => void;
}

const ANY = Infinity;
type Where = 'top' | 'both';

function row(name: string, min: number, max: number, usage: string, where: Where, handle: (c: DirectiveCall) => void, alias: AliasProvider[] = []): DirectiveSpec {
  return Object.freeze({ name, min, max, usage, top: true, location: where === 'both', alias: Object.freeze(alias), handle });
}

const ROWS: readonly DirectiveSpec[] = [
  row('AuthType', 1, 1, 'Basic|Digest|None', 'both', auth.authType),
  row('AuthName', 1, 1, '"realm"', 'both', auth.authName),
  row('AuthBasicProvider', 1, ANY, 'provider [provider …]', 'both', auth.authProviders),
  row('AuthDigestProvider', 1, ANY, 'provider [provider …]', 'both', auth.authProviders),
  row('AuthnCacheProvideFor', 1, ANY, 'provider [provider …]', 'both', auth.authnCacheProvideFor),
  row('AuthnCacheTimeout', 1, 1, 'seconds', 'both', auth.authnCacheTimeout),
  row('AuthUserFile', 1, 1, 'path', 'both', auth.authUserFile, ['file']),
  row('AuthGroupFile', 1, 1, 'path', 'both', auth.authGroupFile),
  row('AuthDigestAlgorithm', 1, 2, 'SHA-256|MD5 [MD5|SHA-256]', 'both', auth.authDigestAlgorithm),
  row('AuthDigestNonceLifetime', 1, 1, 'seconds', 'both', auth.authDigestNonceLifetime),
  row('AuthDigestQop', 1, ANY, 'auth', 'both', auth.authDigestQop),
  row('AuthDigestShmemSize', 1, 1, 'size', 'top', auth.authDigestShmemSize),
  row('Require', 1, ANY, '[not] provider [arguments …]', 'both', auth.requireLine),
  row('AuthzSendForbiddenOnFailure', 1, 1, 'On|Off', 'both', auth.forbiddenOnFailure),
  row('AuthMerging', 1, 1, 'Off', 'both', auth.authMerging),
  row('SetEnv', 1, 2, 'VARIABLE [value]', 'both', auth.setEnv),
  row('SetEnvIf', 3, ANY, 'attribute [!]regex [!]var[=value] …', 'both', auth.setEnvIf),
  row('SetEnvIfNoCase', 3, ANY, 'attribute [!]regex [!]var[=value] …', 'both', auth.setEnvIf),
  row('BrowserMatch', 2, ANY, '[!]regex [!]var[=value] …', 'both', auth.setEnvIf),
  row('BrowserMatchNoCase', 2, ANY, '[!]regex [!]var[=value] …', 'both', auth.setEnvIf),
  row('WSGIAuthUserScript', 1, 2, 'path [application-group=name]', 'both', wsgi.hookScript, ['wsgi']),
  row('WSGIAuthGroupScript', 1, 2, 'path [application-group=name]', 'both', wsgi.hookScript),
  row('WSGIAccessScript', 1, 2, 'path [application-group=name]', 'both', wsgi.hookScript),
  row('WSGIScriptAlias', 2, 6, 'URL-path app [process-group=…] [application-group=…] [pass-authorization=On|Off]', 'top', wsgi.scriptAlias),
  row('WSGIApplicationGroup', 1, 1, 'name', 'both', wsgi.applicationGroup),
  row('WSGIProcessGroup', 1, 1, 'name', 'both', wsgi.processGroup),
  row('WSGIDaemonProcess', 1, ANY, 'name [option=value …]', 'top', daemonProcess),
  row('WSGIDispatchScript', 1, 2, 'path [application-group=name]', 'top', wsgi.dispatchScript),
  row('WSGIScriptReloading', 1, 1, 'On|Off', 'top', wsgi.scriptReloading),
  row('WSGIPassAuthorization', 1, 1, 'On|Off', 'both', wsgi.passAuthorization),
  row('ServerName', 1, 1, '[scheme://]host[:port]', 'top', wsgi.serverName),
  row('Listen', 1, 2, '[address:]port [protocol]', 'top', wsgi.listen),
  row('AuthhookHookTimeout', 1, 1, 'seconds', 'top', wsgi.hookTimeout),
  row('AuthhookNonceSecret', 1, 1, 'secret (16 characters or more)', 'top', wsgi.nonceSecret),
  row('AuthLDAPURL', 1, 2, '"ldap[s]://host[:port]/base?attributes?scope?filter" [STARTTLS|TLS|SSL|NONE]', 'both', ldap.ldapUrl, ['ldap']),
  row('AuthLDAPBindDN', 1, 1, 'dn', 'both', ldap.ldapBindDN, ['ldap']),
  row('AuthLDAPBindPassword', 1, 1, 'password', 'both', ldap.ldapBindPassword, ['ldap']),
  row('AuthLDAPRemoteUserAttribute', 1, 1, 'attribute', 'both', ldap.ldapRemoteUserAttribute, ['ldap']),
  row('AuthLDAPGroupAttribute', 1, 1, 'attribute', 'both', ldap.ldapGroupAttribute, ['ldap']),
  row('AuthLDAPGroupAttributeIsDN', 1, 1, 'On|Off', 'both', ldap.ldapGroupAttributeIsDN, ['ldap']),
  row('AuthLDAPMaxSubGroupDepth', 1, 1, 'depth', 'both', ldap.ldapMaxSubGroupDepth, ['ldap']),
  row('LDAPTrustedGlobalCert', 2, 2, 'CA_BASE64 path', 'top', ldap.ldapTrustedGlobalCert),
  row('LDAPVerifyServerCert', 1, 1, 'On|Off', 'top', ldap.ldapVerifyServerCert),
  row('LDAPTimeout', 1, 1, 'seconds', 'top', ldap.ldapTimeout),
  row('LDAPConnectionTimeout', 1, 1, 'seconds', 'top', ldap.ldapTimeout),
];

const TABLE = new Map(ROWS.map((r) => [r.name.toLowerCase(), r]));

/** The table row of a directive (case-insensitive), if authhook reads it. */
export function findDirective(name: string): DirectiveSpec | undefined {
  return TABLE.get(name.toLowerCase());
}

/** Every directive name authhook reads, for did-you-mean. */
export const DIRECTIVE_NAMES: readonly string[] = Object.freeze(ROWS.map((r) => r.name));

const HARMLESS = 'has no effect on access control; ignored';
const PATHS = 'ignored: paths in authhook.conf are relative to the file\'s own directory';
const CACHE_STORE = 'ignored: authhook keeps its credential cache in process memory, keyed by HMAC';
const LDAP_CACHE = "ignored: mod_ldap's own cache (it keeps passwords in clear); authhook caches LDAP logins with AuthBasicProvider socache ldap and AuthnCacheProvideFor ldap";
const LDAP_POOL = 'ignored: the LDAP provider keeps its own bounded connection pool and reconnects by itself';

interface IgnoredDirective {
  readonly level: 'info' | 'warn';
  readonly note: string;
}

const HARMLESS_NAMES = [
  'LoadModule', 'ServerAdmin', 'ServerAlias', 'ServerSignature', 'ServerTokens', 'DocumentRoot', 'ErrorLog',
  'CustomLog', 'TransferLog', 'LogLevel', 'LogFormat', 'Alias', 'DirectoryIndex', 'Options', 'AllowOverride',
  'AddType', 'AddHandler', 'AddDefaultCharset', 'KeepAlive', 'KeepAliveTimeout', 'Timeout', 'User', 'Group',
  'PidFile', 'WSGISocketPrefix', 'WSGIPythonHome', 'WSGIPythonPath', 'WSGIPythonOptimize', 'WSGIRestrictEmbedded',
  'WSGIRestrictStdout', 'WSGILazyInitialization',
];

/** Directives of real httpd.conf fragments that change nothing authhook does: accepted with a note. */
export const IGNORED_DIRECTIVES: ReadonlyMap<string, IgnoredDirective> = new Map<string, IgnoredDirective>([
  ...HARMLESS_NAMES.map((n): [string, IgnoredDirective] => [n.toLowerCase(), { level: 'info', note: HARMLESS }]),
  ['serverroot', { level: 'warn', note: PATHS }],
  ['authncachesocache', { level: 'info', note: CACHE_STORE }],
  ...['LDAPCacheEntries', 'LDAPCacheTTL', 'LDAPOpCacheEntries', 'LDAPOpCacheTTL', 'LDAPSharedCacheSize', 'LDAPSharedCacheFile'].map(
    (n): [string, IgnoredDirective] => [n.toLowerCase(), { level: 'info', note: LDAP_CACHE }],
  ),
  ...['LDAPConnectionPoolTTL', 'LDAPRetries', 'LDAPRetryDelay', 'LDAPLibraryDebug'].map((n): [string, IgnoredDirective] => [n.toLowerCase(), { level: 'info', note: LDAP_POOL }]),
  ['authncacheenable', { level: 'info', note: 'ignored: the cache is on where socache is listed (or for slow providers by default)' }],
  ['authncachecontext', { level: 'info', note: 'ignored: cached answers are kept per provider and realm' }],
  ['wsgigroupauthoritative', { level: 'warn', note: 'ignored, as mod_wsgi ignores it on Apache 2.4' }],
  ['authbasicauthoritative', { level: 'warn', note: 'ignored: a user no provider knows is refused (401)' }],
]);

const LEGACY = 'is Apache 2.2 access control, which authhook does not run; write it as Require (2.4): "Allow from all" → "Require all granted", "Deny from all" → "Require all denied", "Allow from 10.0.0.0/8" → "Require ip 10.0.0.0/8"';

/** Directives refused even with `--warn-unknown`: skipping them would grant what the file denies. */
export const REFUSED_DIRECTIVES: ReadonlyMap<string, string> = new Map(
  ['Order', 'Allow', 'Deny', 'Satisfy'].map((n) => [n.toLowerCase(), LEGACY]),
);
