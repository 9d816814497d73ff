/**
 * `authhook start APP …`: serve an app module behind the hooks in one command, the
 * mod_wsgi-express way.
 * @module
 */
import type { ParseArgsConfig } from 'node:util';
import { compileConfig } from '../config/compile.js';
import type { AuthhookConfig, LocationConfig } from '../config/schema.js';
import { createEngine } from '../engine/decide.js';
import { ConfigError } from '../errors.js';
import { createInProcessServer } from '../gateway/in-process.js';
import { loadApp } from '../gateway/load-app.js';
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

/** Runs `start`: resolves once the server listens. */
export async function runStart(positionals: readonly string[], values: StartValues): Promise<void> {
  if (positionals.length !== 1) throw new ConfigError('start needs exactly one APP module');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, not "${String(values.port)}"`);
  const logger = createConsoleLogger({ verbose: values.verbose === true });
  const compiled = compileConfig(startConfig(values), { logger });
  const engine = createEngine(compiled.model, { logger });
  const app = await loadApp(positionals[0]!);
  const serverName = values['server-name'] as string | undefined;
  const server = createInProcessServer({ engine, app, logger, serverName, serverPort: port === 0 ? undefined : port });
  const host = values.host as string;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  process.stdout.write(`authhook: serving ${positionals[0]} on http://${host}:${actual}/\n`);
  const stop = (): void => {
    compiled.close();
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
