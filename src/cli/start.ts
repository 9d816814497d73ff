/**
 * `authhook start APP …`: serve an app module behind the hooks in one command, the
 * mod_wsgi-express way.
 * @module
 */
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { compileConfig } from '../config/compile.js';
import type { AuthhookConfig, LocationConfig } from '../config/schema.js';
import { createEngine } from '../engine/decide.js';
import { ConfigError } from '../errors.js';
import { createGateway, type GatewayOptions } from '../gateway/gateway.js';
import { createConsoleLogger } from '../log.js';

/** The options `start` takes. */
export const START_OPTIONS = {
  'auth-user-script': { type: 'string' },
  'auth-group-script': { type: 'string' },
  'auth-group': { type: 'string' },
  'host-access-script': { type: 'string' },
  'auth-type': { type: 'string', default: 'Basic' },
  'auth-name': { type: 'string' },
  'authz-send-forbidden-on-failure': { type: 'boolean', default: false },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '8000' },
  'server-name': { type: 'string' },
  processes: { type: 'string' },
  threads: { type: 'string' },
  'reload-on-changes': { type: 'boolean', default: false },
  'status-path': { type: 'string' },
  verbose: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type StartValues = { [K in keyof typeof START_OPTIONS]?: string | boolean | undefined };

/** Builds the typed config that `start`'s options stand for. */
export function startConfig(values: StartValues): AuthhookConfig {
  const authType = values['auth-type'];
  if (authType !== 'Basic' && authType !== 'Digest') throw new ConfigError(`--auth-type must be Basic or Digest, not "${String(authType)}"`);
  const loc: LocationConfig = { path: '/' };
  const userScript = values['auth-user-script'] as string | undefined;
  const group = values['auth-group'] as string | undefined;
  const groupScript = values['auth-group-script'] as string | undefined;
  if (group !== undefined && groupScript === undefined) throw new ConfigError('--auth-group needs --auth-group-script');
  if (groupScript !== undefined && userScript === undefined) throw new ConfigError('--auth-group-script needs --auth-user-script');
  if (userScript !== undefined) {
    loc.authType = authType;
    loc.authName = (values['auth-name'] as string | undefined) ?? (values['server-name'] as string | undefined) ?? 'authhook';
    loc.authUserScript = userScript;
    // As mod_wsgi-express generates: a user AND the group, never the 2.4 OR gotcha.
    loc.require = group === undefined ? 'valid-user' : { all: ['valid-user', `group "${group.replace(/["\\]/g, '\\$&')}"`] };
    if (groupScript !== undefined) loc.authGroupScript = groupScript;
    loc.authzSendForbiddenOnFailure = values['authz-send-forbidden-on-failure'] === true;
  }
  const access = values['host-access-script'] as string | undefined;
  if (access !== undefined) loc.accessScript = access;
  return { locations: [loc] };
}

function count(values: StartValues, name: 'processes' | 'threads'): number | undefined {
  const v = values[name] as string | undefined;
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new ConfigError(`--${name} must be a whole number of at least 1, not "${v}"`);
  return Number(v);
}

/**
 * The gateway `start` runs: the app at `/` in-process (`%{GLOBAL}`), or — with `--processes`
 * or `--threads`, as mod_wsgi-express does — in a daemon process group named after the server.
 */
export function startGatewayOptions(values: StartValues, app: string, port: number): Omit<GatewayOptions, 'engine' | 'logger'> {
  const processes = count(values, 'processes');
  const threads = count(values, 'threads');
  const serverName = (values['server-name'] as string | undefined) ?? 'localhost';
  const daemon = processes !== undefined || threads !== undefined;
  const name = port === 0 ? serverName : `${serverName}:${port}`;
  const common = {
    serverName,
    serverPort: port === 0 ? undefined : port,
    reloadOnChanges: values['reload-on-changes'] === true,
    statusPath: (values['status-path'] as string | undefined) ?? null,
    mounts: [{ path: '/', app: resolve(app), processGroup: daemon ? name : '%{GLOBAL}', applicationGroup: '%{GLOBAL}', passAuthorization: false, where: 'start APP' }],
  };
  if (!daemon) return common;
  const spec = {
    name, processes: processes ?? 1, threads: threads ?? 5, home: null, nodePath: [], lang: null, locale: null, maximumRequests: 0,
    inactivityTimeoutS: 0, requestTimeoutS: 0, queueTimeoutS: 0, displayName: null, user: null, group: null, where: 'start --processes',
  };
  return { ...common, daemonProcesses: [spec] };
}

/** Runs `start`: resolves once the server listens and the app is loaded. */
export async function runStart(positionals: readonly string[], values: StartValues): Promise<void> {
  if (positionals.length !== 1) throw new ConfigError('start needs exactly one APP module');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, not "${String(values.port)}"`);
  const logger = createConsoleLogger({ verbose: values.verbose === true });
  const compiled = compileConfig(startConfig(values), { logger });
  const engine = createEngine(compiled.model, { logger });
  const gateway = createGateway({ ...startGatewayOptions(values, positionals[0]!, port), engine, logger });
  const host = values.host as string;
  let actual: number;
  try {
    actual = await gateway.listen(port, host);
  } catch (err) {
    compiled.close();
    throw err;
  }
  process.stdout.write(`authhook: serving ${positionals[0]} on http://${host}:${actual}/\n`);
  const stop = (): void => {
    compiled.close();
    void gateway.close();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
