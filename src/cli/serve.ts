/**
 * `authhook serve --config authhook.conf`: serve the file's `WSGIScriptAlias` mounts
 * behind its policy, in-process or in its `WSGIDaemonProcess` groups. Nothing is announced
 * unless the whole file compiles, every hook script loads and every preloaded app loads.
 * @module
 */
import type { ParseArgsConfig } from 'node:util';
import { compileApacheConfig, type ApacheCompiled } from '../config/apache/index.js';
import { verifyHooks } from '../config/check-config.js';
import { createEngine } from '../engine/decide.js';
import { ConfigError } from '../errors.js';
import { createGateway } from '../gateway/gateway.js';
import { createConsoleLogger } from '../log.js';
import type { Logger } from '../types.js';

/** The options `serve` takes. */
export const SERVE_OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'server-name': { type: 'string' },
  'warn-unknown': { type: 'boolean', default: false },
  'status-path': { type: 'string' },
  verbose: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type ServeValues = { [K in keyof typeof SERVE_OPTIONS]?: string | boolean | undefined };

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 8000;

/** Where to listen: the options, else the file's first `Listen`, else 127.0.0.1:8000. */
export function listenAddress(values: ServeValues, listen: readonly string[]): { host: string; port: number } {
  const m = listen[0] === undefined ? null : /^(?:\[?([^\]]*?)\]?:)?(\d+)$/.exec(listen[0]);
  const host = (values.host as string | undefined) ?? (m?.[1] || DEFAULT_HOST);
  const portText = (values.port as string | undefined) ?? m?.[2] ?? String(DEFAULT_PORT);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port > 65535) throw new ConfigError(`--port must be a port number, not "${portText}"`);
  return { host, port };
}

async function prepare(compiled: ApacheCompiled, values: ServeValues, logger: Logger) {
  if (compiled.mounts.length === 0) throw new ConfigError('nothing to serve: the file has no WSGIScriptAlias', compiled.file);
  await verifyHooks(compiled.model);
  const { host, port } = listenAddress(values, compiled.server.listen);
  const serverName = (values['server-name'] as string | undefined) ?? compiled.server.serverName ?? host;
  const engine = createEngine(compiled.model, { logger });
  const gateway = createGateway({
    engine, logger, serverName,
    serverPort: port === 0 ? undefined : port,
    mounts: compiled.mounts,
    daemonProcesses: compiled.daemonProcesses,
    locationGroups: compiled.locationGroups,
    dispatchScript: compiled.dispatchScript,
    reloadOnChanges: compiled.model.global.scriptReloading,
    statusPath: (values['status-path'] as string | undefined) ?? null,
  });
  return { gateway, host, port };
}

/** Runs `serve`: resolves once the server listens. */
export async function runServe(positionals: readonly string[], values: ServeValues): Promise<void> {
  const file = values.config as string | undefined;
  if (file === undefined) throw new ConfigError('serve needs --config FILE');
  if (positionals.length > 0) throw new ConfigError(`serve takes no positional arguments (got "${positionals[0]!}")`);
  const logger = createConsoleLogger({ verbose: values.verbose === true });
  const compiled = compileApacheConfig(file, {
    logger,
    unknownDirectives: values['warn-unknown'] === true ? 'warn' : 'error',
  });
  try {
    const { gateway, host, port } = await prepare(compiled, values, logger);
    // Listening first gives %{SERVER} its port; nothing is announced until every app loaded.
    const actual = await gateway.listen(port, host);
    const shownHost = host.includes(':') ? `[${host}]` : host;
    process.stdout.write(`authhook: serving ${file} on http://${shownHost}:${actual}/\n`);
    const stop = (): void => {
      compiled.close();
      void gateway.close();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    compiled.close();
    throw err;
  }
}
