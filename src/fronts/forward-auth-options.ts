/**
 * Options of the forward-auth server, checked once and frozen (STYLE point 2): header names
 * lower-cased, the trusted-proxy list compiled, the identity header set worked out.
 * @module
 */
import { ConfigError } from '../errors.js';
import { normalizePath } from '../environ/normalize-path.js';
import { createTrustedProxyMatcher, type TrustedProxyMatcher } from '../environ/trusted-proxy.js';
import type { CompileOptions } from '../config/compile.js';
import type { AuthhookConfig } from '../config/schema.js';
import type { Engine } from '../engine/decide.js';
import type { Logger } from '../types.js';

/** Request headers a trusted proxy describes the original request with; each a list of names that must agree. */
export interface ForwardHeaderNames {
  /** Original request target: nginx `X-Original-URI`, Traefik/Caddy `X-Forwarded-Uri`. */
  readonly uri: readonly string[];
  readonly method: readonly string[];
  readonly host: readonly string[];
  /** `https` turns `HTTPS=on`; anything but `http`/`https` is a 400. */
  readonly proto: readonly string[];
  /** Headers holding one client address (`X-Real-IP`). */
  readonly realIp: readonly string[];
  /** Headers holding a hop list (`X-Forwarded-For`): the rightmost untrusted hop is the client. */
  readonly forwardedFor: readonly string[];
}

/** Reply headers that carry the identity; every one is sent on each 200, empty when there is nothing. */
export interface IdentityHeaderNames {
  readonly user: readonly string[];
  readonly groups: readonly string[];
  /** From the attribute `name`. */
  readonly name: readonly string[];
  /** From the attribute `email`. */
  readonly email: readonly string[];
}

/** Options of `createForwardAuthHandler` and `createAuthServer`. */
export interface ForwardAuthOptions {
  /** The engine to ask; or give `config` and the server compiles (and on close releases) it. */
  readonly engine?: Engine;
  readonly config?: AuthhookConfig;
  /** Provider factories and such, for `config`. */
  readonly compileOptions?: Omit<CompileOptions, 'logger'>;
  readonly logger?: Logger;
  /** Peers whose forwarded headers are believed (addresses or CIDRs). Empty by default: nobody. */
  readonly trustedProxies?: readonly string[];
  readonly headers?: Partial<ForwardHeaderNames>;
  /** Envoy ext_authz HTTP mode: a request to `<pathPrefix>/admin?x` asks about `/admin?x`. */
  readonly pathPrefix?: string;
  readonly identityHeaders?: Partial<IdentityHeaderNames>;
  /** Other attributes go out as `<prefix><Attribute>` (default `Remote-`); `null` sends none. */
  readonly attributeHeaderPrefix?: string | null;
  /** Joins groups in the groups header (default `,`). */
  readonly groupSeparator?: string;
  /** Longest original request target accepted (default 8192); longer is a 414. */
  readonly maxUriLength?: number;
  /**
   * The app behind the proxy routes without regard to case (Express's default, ASP.NET,
   * Windows file systems): locations then match the same way, so `/ADMIN` has the policy of
   * `/admin` instead of none. Off by default: nginx and httpd match paths case-sensitively.
   */
  readonly caseInsensitivePaths?: boolean;
}

/** Default request header names: both families (SPEC §7). */
export const DEFAULT_FORWARD_HEADERS: ForwardHeaderNames = Object.freeze({
  uri: Object.freeze(['X-Original-URI', 'X-Forwarded-Uri']),
  method: Object.freeze(['X-Original-Method', 'X-Forwarded-Method']),
  host: Object.freeze(['X-Forwarded-Host']),
  proto: Object.freeze(['X-Forwarded-Proto']),
  realIp: Object.freeze(['X-Real-IP']),
  forwardedFor: Object.freeze(['X-Forwarded-For']),
});

/** Default identity reply headers, Authelia's names plus `X-Remote-User` (PEERS §5). */
export const DEFAULT_IDENTITY_HEADERS: IdentityHeaderNames = Object.freeze({
  user: Object.freeze(['Remote-User', 'X-Remote-User']),
  groups: Object.freeze(['Remote-Groups']),
  name: Object.freeze(['Remote-Name']),
  email: Object.freeze(['Remote-Email']),
});

/** The checked, frozen form the handler reads per request. */
export interface ResolvedForwardAuth {
  readonly isTrusted: TrustedProxyMatcher;
  /** Lower-case request header names. */
  readonly names: ForwardHeaderNames;
  /** Lower-case names of every forwarded header this server reads. */
  readonly forwarded: ReadonlySet<string>;
  readonly pathPrefix: string | null;
  readonly identity: IdentityHeaderNames;
  /** Lower-case names of every configured identity header. */
  readonly identityNames: ReadonlySet<string>;
  readonly attributeHeaderPrefix: string | null;
  readonly groupSeparator: string;
  readonly maxUriLength: number;
  readonly caseInsensitivePaths: boolean;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerList(value: readonly string[] | undefined, fallback: readonly string[], key: string): readonly string[] {
  const list = value ?? fallback;
  if (!Array.isArray(list)) throw new ConfigError('a list of header names is expected', key);
  for (const name of list) {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new ConfigError(`not a header name: "${String(name)}"`, key);
  }
  return Object.freeze([...list]);
}

function lower(names: ForwardHeaderNames): ForwardHeaderNames {
  const out: Record<string, readonly string[]> = {};
  for (const [k, v] of Object.entries(names)) out[k] = Object.freeze(v.map((n: string) => n.toLowerCase()));
  return Object.freeze(out) as unknown as ForwardHeaderNames;
}

function checkPathPrefix(prefix: string | undefined): string | null {
  if (prefix === undefined || prefix === '') return null;
  if (!prefix.startsWith('/') || prefix.endsWith('/') || normalizePath(prefix) !== prefix || /[?#%]/.test(prefix)) {
    throw new ConfigError(`pathPrefix must be a plain path such as "/ext_authz", not "${prefix}"`, 'pathPrefix');
  }
  return prefix;
}

function checkScalars(o: ForwardAuthOptions): { separator: string; maxUri: number; attrPrefix: string | null } {
  const separator = o.groupSeparator ?? ',';
  // eslint-disable-next-line no-control-regex
  if (separator === '' || /[\u0000-\u001f\u007f]/.test(separator)) throw new ConfigError('groupSeparator must be visible text', 'groupSeparator');
  const maxUri = o.maxUriLength ?? 8192;
  if (!Number.isInteger(maxUri) || maxUri < 1 || maxUri > 65536) throw new ConfigError('maxUriLength must be an integer 1-65536', 'maxUriLength');
  const attrPrefix = o.attributeHeaderPrefix === undefined ? 'Remote-' : o.attributeHeaderPrefix;
  if (attrPrefix !== null && !TOKEN.test(attrPrefix)) throw new ConfigError(`not a header name prefix: "${attrPrefix}"`, 'attributeHeaderPrefix');
  return { separator, maxUri, attrPrefix };
}

/** Checks the options and fills in defaults; throws a `ConfigError` naming the option. */
export function resolveForwardAuthOptions(o: ForwardAuthOptions): ResolvedForwardAuth {
  if ((o.engine === undefined) === (o.config === undefined)) throw new ConfigError('give exactly one of "engine" or "config"');
  const h = o.headers ?? {};
  const d = DEFAULT_FORWARD_HEADERS;
  const names = lower({
    uri: headerList(h.uri, d.uri, 'headers.uri'),
    method: headerList(h.method, d.method, 'headers.method'),
    host: headerList(h.host, d.host, 'headers.host'),
    proto: headerList(h.proto, d.proto, 'headers.proto'),
    realIp: headerList(h.realIp, d.realIp, 'headers.realIp'),
    forwardedFor: headerList(h.forwardedFor, d.forwardedFor, 'headers.forwardedFor'),
  });
  const i = o.identityHeaders ?? {};
  const di = DEFAULT_IDENTITY_HEADERS;
  const identity: IdentityHeaderNames = Object.freeze({
    user: headerList(i.user, di.user, 'identityHeaders.user'),
    groups: headerList(i.groups, di.groups, 'identityHeaders.groups'),
    name: headerList(i.name, di.name, 'identityHeaders.name'),
    email: headerList(i.email, di.email, 'identityHeaders.email'),
  });
  const { separator, maxUri, attrPrefix } = checkScalars(o);
  if (o.caseInsensitivePaths !== undefined && typeof o.caseInsensitivePaths !== 'boolean') throw new ConfigError('caseInsensitivePaths must be true or false', 'caseInsensitivePaths');
  return Object.freeze({
    isTrusted: createTrustedProxyMatcher(o.trustedProxies ?? [], 'trustedProxies'),
    names,
    forwarded: new Set(Object.values(names).flat() as string[]),
    pathPrefix: checkPathPrefix(o.pathPrefix),
    identity,
    identityNames: new Set(Object.values(identity).flat().map((n: string) => n.toLowerCase())),
    attributeHeaderPrefix: attrPrefix,
    groupSeparator: separator,
    maxUriLength: maxUri,
    caseInsensitivePaths: o.caseInsensitivePaths === true,
  });
}
