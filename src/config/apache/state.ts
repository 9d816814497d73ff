/**
 * What the Apache-style reader accumulates while it walks the parsed tree: one builder per
 * location section, the provider aliases, and the gateway and server facts.
 * @module
 */
import type { RequireNode } from '../../authz/require-parse.js';
import type { Logger } from '../../types.js';
import type { DaemonProcessSpec, HookScriptSpec, MountSpec } from '../gateway-spec.js';
import type { HookSource, LdapSettings, PolicyDirectives } from '../model.js';

/** Writable view of a readonly model type, for builders only. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Where a directive appears: outside sections, in a `<Location…>`, or in an `<AuthnProviderAlias>`. */
export type DirectiveContext = 'top' | 'location' | 'alias';

/** The provider kinds an `<AuthnProviderAlias>` can name. */
export type AliasProvider = 'file' | 'wsgi' | 'ldap';

/** A location section (or the implicit top-level one) being filled. */
export interface SectionBuilder {
  readonly kind: 'prefix' | 'regex';
  readonly path: string;
  readonly regex: RegExp | null;
  readonly where: string;
  readonly directives: Mutable<PolicyDirectives>;
  readonly ldap: Mutable<Partial<LdapSettings>>;
  /** The Require lines and sections at the section's own level, in order (an implicit `<RequireAny>`). */
  readonly require: { readonly node: RequireNode; readonly where: string }[];
  readonly setEnv: Record<string, string>;
  processGroup: string | null;
  applicationGroup: string | null;
}

/** One `<AuthnProviderAlias provider name>`. */
export interface AliasSpec {
  readonly provider: AliasProvider;
  readonly name: string;
  readonly where: string;
  readonly section: SectionBuilder;
}

/** A provider name used by `AuthBasicProvider` / `AuthDigestProvider`, checked once all aliases are known. */
export interface ProviderRef {
  readonly name: string;
  readonly scheme: 'Basic' | 'Digest';
  readonly where: string;
  /** The directive that names it, when not AuthBasicProvider / AuthDigestProvider. */
  readonly directive?: string;
}

/** Everything the walk collects. */
export interface CompileState {
  readonly baseDir: string;
  readonly logger: Logger;
  readonly unknownDirectives: 'error' | 'warn';
  /** Resolves a path relative to the config file's directory. */
  readonly file: (path: string) => string;
  /** The watched source of a hook script (one per absolute path). */
  readonly script: (path: string) => HookSource;
  /** The section that top-level directives fill, created on first use. */
  top(where: string): SectionBuilder;
  readonly sections: SectionBuilder[];
  readonly aliases: Map<string, AliasSpec>;
  readonly providerRefs: ProviderRef[];
  /** `process-group=` / `WSGIProcessGroup` names, checked against the daemon processes at the end. */
  readonly processGroupRefs: { readonly name: string; readonly where: string; readonly directive: string }[];
  /** Mounts; `pass` is `pass-authorization=` when given (else the top-level WSGIPassAuthorization applies). */
  readonly mounts: { readonly spec: Omit<MountSpec, 'passAuthorization'>; readonly pass: boolean | null }[];
  readonly daemons: Map<string, DaemonProcessSpec>;
  readonly hookScripts: HookScriptSpec[];
  /** Server-wide LDAP settings (`LDAPTrustedGlobalCert`, `LDAPVerifyServerCert`, `LDAPTimeout`). */
  readonly ldapGlobal: Mutable<Partial<LdapSettings>>;
  readonly global: { hookTimeoutMs?: number; nonceSecret?: string; passAuthorization?: boolean; dispatchScript?: { path: string; where: string } };
  readonly server: { serverName: string | null; readonly listen: string[] };
}

/** Creates an empty section builder. */
export function newSection(kind: 'prefix' | 'regex', path: string, regex: RegExp | null, where: string): SectionBuilder {
  return { kind, path, regex, where, directives: {}, ldap: {}, require: [], setEnv: {}, processGroup: null, applicationGroup: null };
}
