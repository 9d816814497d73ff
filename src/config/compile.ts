/**
 * Turns a checked typed config into the policy model: scripts become watched sources,
 * Require specs become trees, prefixes are normalised, regexes compiled. Every section
 * is tried once at start-up so an incomplete one fails here, not on a request.
 * @module
 */
import { setEnvIfRule } from './set-env-if.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseRequireSpec } from '../authz/require-parse.js';
import { ConfigError } from '../errors.js';
import { createScriptRegistry, staticSource } from '../hooks/load-script.js';
import { defaultProviderFactories } from './default-providers.js';
import { normalizePath } from '../environ/normalize-path.js';
import { createPolicyLookup } from '../engine/policy-lookup.js';
import { SILENT_LOGGER } from '../log.js';
import type { Logger } from '../types.js';
import {
  DEFAULT_HOOK_TIMEOUT_MS,
  type AuthhookModel,
  type ProviderFactories,
  type HookSource,
  type LocationSection,
  type PolicyDirectives,
} from './model.js';
import { validateConfig, type AuthhookConfig, type LocationConfig } from './schema.js';

/** A model plus what must be released when it is no longer used (script watchers). */
export interface CompiledConfig {
  readonly model: AuthhookModel;
  close(): void;
}

/** Options of `compileConfig`. */
export interface CompileOptions {
  readonly logger?: Logger;
  /** Factories of the built-in `file` and `ldap` providers; default: `defaultProviderFactories()` (the file providers). */
  readonly providerFactories?: ProviderFactories;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const list = <T>(v: T | readonly T[]): readonly T[] => Object.freeze(Array.isArray(v) ? [...(v as T[])] : [v as T]);

/** Checks that every prefix section merges into a complete policy; throws a ConfigError naming the section. */
export function checkSections(model: AuthhookModel): void {
  const lookup = createPolicyLookup(model);
  for (const s of model.sections) {
    if (s.kind !== 'prefix') continue;
    const p = lookup(s.path);
    if (!('authType' in p)) throw new ConfigError(p.message, s.where, { cause: p });
  }
}

/** Validates and compiles a typed config. */
export function compileConfig(input: AuthhookConfig, options: CompileOptions = {}): CompiledConfig {
  const config = validateConfig(input);
  const logger = options.logger ?? SILENT_LOGGER;
  const baseDir = resolve(config.baseDir ?? '.');
  const registry = createScriptRegistry({ reloading: config.scriptReloading ?? true, logger });
  // The built-in file providers, unless the caller brings its own; ours are closed with the config.
  const owned = options.providerFactories === undefined ? defaultProviderFactories({ logger }) : null;
  const release = (): void => {
    registry.close();
    owned?.close();
  };
  const script = (path: string, where: string): HookSource => {
    const abs = resolve(baseDir, path);
    if (!existsSync(abs)) throw new ConfigError(`hook script not found: ${abs}`, where);
    return registry.source(abs);
  };
  try {
    const file = (p: string): string => resolve(baseDir, p);
    const sections = config.locations.map((loc, i) => compileLocation(loc as LocationConfig, `locations.${i}`, script, file));
    const providers: Record<string, HookSource> = {};
    for (const [name, mod] of Object.entries(config.providers ?? {})) providers[name] = staticSource(name, mod);
    const model: AuthhookModel = Object.freeze({
      global: Object.freeze({
        hookTimeoutMs: config.hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
        scriptReloading: config.scriptReloading ?? true,
        nonceSecret: config.nonceSecret !== undefined ? Buffer.from(config.nonceSecret, 'utf8') : randomBytes(32),
      }),
      sections: Object.freeze(sections),
      providers: Object.freeze(providers),
      providerFactories: options.providerFactories ?? owned!,
    });
    checkSections(model);
    return { model, close: release };
  } catch (err) {
    release();
    throw err;
  }
}

function compileLocation(
  loc: LocationConfig,
  where: string,
  script: (p: string, w: string) => HookSource,
  file: (p: string) => string,
): LocationSection {
  const d: Mutable<PolicyDirectives> = {};
  if (loc.authType !== undefined) d.authType = loc.authType === 'None' ? null : loc.authType;
  if (loc.authName !== undefined) d.authName = loc.authName;
  if (loc.authUserScript !== undefined) d.authUserScript = script(loc.authUserScript, `${where}.authUserScript`);
  if (loc.authGroupScript !== undefined) d.authGroupScript = script(loc.authGroupScript, `${where}.authGroupScript`);
  if (loc.accessScript !== undefined) d.accessScript = loc.accessScript === null ? null : script(loc.accessScript, `${where}.accessScript`);
  // Convenience of the typed config: a section naming a user script and no provider list uses that script.
  if (loc.authBasicProvider !== undefined) d.basicProviders = list(loc.authBasicProvider);
  else if (loc.authUserScript !== undefined) d.basicProviders = list('wsgi');
  if (loc.authDigestProvider !== undefined) d.digestProviders = list(loc.authDigestProvider);
  else if (loc.authUserScript !== undefined) d.digestProviders = list('wsgi');
  if (loc.authDigestAlgorithm !== undefined) d.digestAlgorithms = list(loc.authDigestAlgorithm);
  if (loc.authDigestNonceLifetime !== undefined) d.nonceLifetimeS = loc.authDigestNonceLifetime;
  if (loc.authUserFile !== undefined) d.authUserFile = file(loc.authUserFile);
  if (loc.authGroupFile !== undefined) d.authGroupFile = file(loc.authGroupFile);
  if (loc.require !== undefined) d.require = loc.require === null ? null : parseRequireSpec(loc.require, `${where}.require`);
  if (loc.authzSendForbiddenOnFailure !== undefined) d.forbiddenOnFailure = loc.authzSendForbiddenOnFailure;
  if (loc.passAuthorization !== undefined) d.passAuthorization = loc.passAuthorization;
  if (loc.setEnv !== undefined) d.setEnv = Object.freeze({ ...loc.setEnv });
  if (loc.setEnvIf !== undefined) {
    d.setEnvIf = Object.freeze(
      loc.setEnvIf.map((r, i) => {
        try {
          return setEnvIfRule(r.attribute, r.match, r.set, r.noCase === true);
        } catch (err) {
          throw new ConfigError((err as Error).message, `${where}.setEnvIf[${i}]`);
        }
      }),
    );
  }
  if (loc.authnCache !== undefined) d.authnCache = typeof loc.authnCache === 'boolean' ? loc.authnCache : Object.freeze({ ...loc.authnCache });
  if (loc.path !== undefined) {
    const path = normalizePath(loc.path);
    if (path === undefined) throw new ConfigError(`not a usable path: "${loc.path}"`, `${where}.path`);
    return Object.freeze({ kind: 'prefix', path, regex: null, directives: Object.freeze(d), where });
  }
  let regex: RegExp;
  try {
    regex = new RegExp(loc.match!);
  } catch (err) {
    throw new ConfigError(`not a valid regular expression: ${loc.match}`, `${where}.match`, { cause: err });
  }
  return Object.freeze({ kind: 'regex', path: loc.match!, regex, directives: Object.freeze(d), where });
}
