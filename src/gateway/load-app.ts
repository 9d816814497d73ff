/**
 * Loading an app module for in-process serving: a Node request listener or an Express app,
 * exported as `default`, `app` or `application`.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { importModule } from '../hooks/import-module.js';
import { ConfigError } from '../errors.js';

/** A Node request listener (an Express app is one). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => unknown;

/** Imports the app module and returns its request listener. */
export async function loadApp(path: string): Promise<RequestListener> {
  const abs = resolve(path);
  let ns: Record<string, unknown>;
  try {
    ns = (await importModule(abs)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`app module failed to load: ${abs}`, undefined, { cause: err });
  }
  for (const name of ['default', 'app', 'application'] as const) {
    const v = ns[name];
    if (typeof v === 'function') return v as RequestListener;
  }
  throw new ConfigError(`app module exports no request listener (default, app or application): ${abs}`);
}
