/**
 * The Apache-style reader (`authhook.conf`): the second way into the policy model. The file
 * is parsed and checked whole at start-up; paths in it are relative to its own directory.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { createScriptRegistry } from '../../hooks/load-script.js';
import { SILENT_LOGGER } from '../../log.js';
import type { Logger } from '../../types.js';
import { checkSections, type CompiledConfig } from '../compile.js';
import { defaultProviderFactories } from '../default-providers.js';
import type { DaemonProcessSpec, HookScriptSpec, LocationGroupSpec, MountSpec, ServerSpec } from '../gateway-spec.js';
import { DEFAULT_HOOK_TIMEOUT_MS, type AuthhookModel, type ProviderFactories } from '../model.js';
import { checkAuthApplies, finishMounts, finishSection, locationGroups } from './finish.js';
import { parseApacheFile, type ConfigNode } from './parse.js';
import { checkProcessGroups, resolveProviders } from './providers.js';
import { newSection, type CompileState, type SectionBuilder } from './state.js';
import { walkConfig } from './walk.js';

/** Options of `compileApacheConfig`. */
export interface ApacheCompileOptions {
  readonly logger?: Logger;
  /** Factories of the built-in `file` and `ldap` providers; default: `defaultProviderFactories()` (the file providers), as `compileConfig`. */
  readonly providerFactories?: ProviderFactories;
  /** What an unknown directive or section is: an error (default), or a warning and skipped. */
  readonly unknownDirectives?: 'error' | 'warn';
  /** Environment that `${VAR}` falls back to after `Define` (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A compiled `authhook.conf`: the policy model plus what the gateway reads. */
export interface ApacheCompiled extends CompiledConfig {
  /** The main file, absolute. */
  readonly file: string;
  /** Every file read (the main one and its includes), absolute. */
  readonly files: readonly string[];
  readonly mounts: readonly MountSpec[];
  readonly daemonProcesses: readonly DaemonProcessSpec[];
  readonly locationGroups: readonly LocationGroupSpec[];
  readonly hookScripts: readonly HookScriptSpec[];
  /** `WSGIDispatchScript`: its path, absolute; `null` when the file has none. */
  readonly dispatchScript: string | null;
  readonly server: ServerSpec;
}

/** `WSGIScriptReloading` is read before the walk: script sources are created with it. */
function scriptReloading(nodes: readonly ConfigNode[]): boolean {
  let on = true;
  for (const n of nodes) if (n.kind === 'directive' && n.name.toLowerCase() === 'wsgiscriptreloading') on = n.args[0]?.toLowerCase() !== 'off';
  return on;
}

function newState(baseDir: string, logger: Logger, unknownDirectives: 'error' | 'warn', script: CompileState['script']): CompileState {
  const sections: SectionBuilder[] = [];
  let top: SectionBuilder | null = null;
  return {
    baseDir, logger, unknownDirectives, script, sections,
    file: (p) => resolve(baseDir, p),
    top(where) {
      // Top-level directives act as a <Location /> that comes before every section.
      if (top === null) sections.unshift((top = newSection('prefix', '/', null, where)));
      return top;
    },
    aliases: new Map(), providerRefs: [], processGroupRefs: [], mounts: [], daemons: new Map(), hookScripts: [],
    ldapGlobal: {}, global: {}, server: { serverName: null, listen: [] },
  };
}

function buildModel(state: CompileState, reloading: boolean, factories: ProviderFactories): AuthhookModel {
  const providers = resolveProviders(state, factories);
  checkProcessGroups(state);
  const { hookTimeoutMs, nonceSecret } = state.global;
  return Object.freeze({
    global: Object.freeze({
      hookTimeoutMs: hookTimeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS,
      scriptReloading: reloading,
      nonceSecret: nonceSecret !== undefined ? Buffer.from(nonceSecret, 'utf8') : randomBytes(32),
    }),
    sections: Object.freeze(state.sections.map(finishSection)),
    providers: Object.freeze(providers),
    providerFactories: factories,
  });
}

/**
 * Reads, checks and compiles an `authhook.conf`. Every mistake is a `ConfigError` whose
 * `where` is `file:line`; nothing is served from a file that does not compile whole.
 * @example
 * const compiled = compileApacheConfig('/etc/authhook/authhook.conf', { logger });
 * const engine = createEngine(compiled.model, { logger });
 */
export function compileApacheConfig(file: string, options: ApacheCompileOptions = {}): ApacheCompiled {
  const abs = resolve(file);
  const baseDir = dirname(abs);
  const logger = options.logger ?? SILENT_LOGGER;
  const shown = (p: string): string => {
    const r = relative(baseDir, p);
    return r === '' || r.startsWith('..') || isAbsolute(r) ? p : r;
  };
  const parsed = parseApacheFile(abs, baseDir, shown, { env: options.env });
  const reloading = scriptReloading(parsed.nodes);
  const registry = createScriptRegistry({ reloading, logger });
  // The built-in file providers, unless the caller brings its own; ours are closed with the config.
  const owned = options.providerFactories === undefined ? defaultProviderFactories({ logger }) : null;
  const release = (): void => {
    registry.close();
    owned?.close();
  };
  try {
    const state = newState(baseDir, logger, options.unknownDirectives ?? 'error', (p) => registry.source(p));
    walkConfig(parsed.nodes, state);
    const model = buildModel(state, reloading, options.providerFactories ?? owned!);
    checkSections(model);
    checkAuthApplies(model);
    return Object.freeze({
      model,
      close: release,
      file: abs,
      files: Object.freeze([...parsed.files]),
      mounts: Object.freeze(finishMounts(state)),
      daemonProcesses: Object.freeze([...state.daemons.values()]),
      locationGroups: Object.freeze(locationGroups(state)),
      hookScripts: Object.freeze([...state.hookScripts]),
      dispatchScript: state.global.dispatchScript?.path ?? null,
      server: Object.freeze({ serverName: state.server.serverName, listen: Object.freeze([...state.server.listen]) }),
    });
  } catch (err) {
    release();
    throw err;
  }
}
