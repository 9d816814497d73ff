/**
 * `authhook forward-auth --config FILE`: the forward-auth server on its own. The config file
 * is a typed config (a `.ts`/`.js` module's default export, or JSON); a module may also export
 * `forwardAuth` (the server's options: trusted proxies, header names), JSON may hold it under
 * a `forwardAuth` key. Flags add to it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { AuthhookConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { importModule } from '../hooks/import-module.js';
import { createConsoleLogger } from '../log.js';
import { createAuthServer } from './forward-auth.js';
import type { ForwardAuthOptions } from './forward-auth-options.js';

/** The options `forward-auth` takes. */
export const FORWARD_AUTH_OPTIONS = {
  config: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: '9091' },
  'trusted-proxy': { type: 'string', multiple: true },
  'path-prefix': { type: 'string' },
  'case-insensitive-paths': { type: 'boolean' },
  verbose: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type Values = { [K in keyof typeof FORWARD_AUTH_OPTIONS]?: string | boolean | string[] | undefined };
type ServerOptions = Omit<ForwardAuthOptions, 'engine' | 'config' | 'logger'>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a config file: the typed config and the server options it carries. */
export async function loadForwardAuthConfig(path: string): Promise<{ config: AuthhookConfig; server: ServerOptions }> {
  const abs = resolve(path);
  let config: unknown;
  let server: unknown;
  try {
    if (extname(abs) === '.json') {
      const { forwardAuth, ...rest } = JSON.parse(readFileSync(abs, 'utf8')) as Record<string, unknown>;
      [config, server] = [rest, forwardAuth];
    } else {
      const ns = await importModule(abs);
      [config, server] = [ns.default ?? ns.config, ns.forwardAuth];
    }
  } catch (err) {
    throw new ConfigError(`config file failed to load: ${abs}`, undefined, { cause: err });
  }
  if (!isObject(config)) throw new ConfigError(`config file has no config (a default export or a JSON object): ${abs}`);
  if (server !== undefined && !isObject(server)) throw new ConfigError('forwardAuth must be an object', abs);
  // Script paths in a config file are relative to the file, unless it says otherwise.
  const baseDir = resolve(dirname(abs), typeof config.baseDir === 'string' ? config.baseDir : '.');
  return { config: { ...(config as AuthhookConfig), baseDir }, server: (server ?? {}) as ServerOptions };
}

function portOf(value: unknown): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number, not "${String(value)}"`);
  return port;
}

/** Runs `forward-auth`: resolves once the server listens. */
export async function runForwardAuth(values: Values): Promise<void> {
  if (typeof values.config !== 'string') throw new ConfigError('forward-auth needs --config FILE');
  const port = portOf(values.port);
  const logger = createConsoleLogger({ verbose: values.verbose === true });
  const { config, server: fromFile } = await loadForwardAuthConfig(values.config);
  const flags = (values['trusted-proxy'] as string[] | undefined) ?? [];
  const trustedProxies = [...(fromFile.trustedProxies ?? []), ...flags];
  const pathPrefix = (values['path-prefix'] as string | undefined) ?? fromFile.pathPrefix;
  const caseInsensitivePaths = (values['case-insensitive-paths'] as boolean | undefined) ?? fromFile.caseInsensitivePaths;
  const server = createAuthServer({
    ...fromFile,
    trustedProxies,
    ...(pathPrefix === undefined ? {} : { pathPrefix }),
    ...(caseInsensitivePaths === undefined ? {} : { caseInsensitivePaths }),
    config,
    logger,
  });
  if (trustedProxies.length === 0) logger.warn('no trusted proxy configured: forwarded headers are ignored and each sub-request checks its own path (--trusted-proxy CIDR)');
  const host = values.host as string;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  process.stdout.write(`authhook: serving forward-auth on http://${shown}:${actual}/\n`);
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
