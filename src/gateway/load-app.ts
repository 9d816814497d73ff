/**
 * Loading an app module: a Node request listener, an Express app, or a `fetch(Request) →
 * Response` handler, exported as `default`, `app` or `application` (or a `fetch` export, or
 * an object with a `fetch` method, as Hono and Bun apps are).
 * @module
 */
import { prepareRequestPrototype } from '../fronts/request-identity.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importModule } from '../hooks/import-module.js';
import { ConfigError } from '../errors.js';
import { fetchListener, type FetchHandler } from './fetch-adapter.js';

/** A Node request listener (an Express app is one). */
export type RequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => unknown;

const NAMES = ['default', 'app', 'application'] as const;

function fetchOf(v: unknown): FetchHandler | null {
  if (typeof v === 'object' && v !== null && typeof (v as { fetch?: unknown }).fetch === 'function') {
    const o = v as { fetch: FetchHandler };
    return (request, context) => o.fetch(request, context);
  }
  return null;
}

/**
 * The listener a module namespace exports. A function of one parameter is a fetch handler
 * (`(request) => Response`); of two or more, a request listener (`(req, res)`, Express's
 * `(req, res, next)`).
 */
export function listenerOf(ns: Record<string, unknown>, label: string, nested = false): RequestListener {
  for (const name of NAMES) {
    const v = ns[name];
    if (typeof v === 'function') {
      // Express apps are functions that also carry a `handle` method: always listeners.
      const isFetch = v.length === 1 && typeof (v as { handle?: unknown }).handle !== 'function';
      // Express hands its routes requests with its own prototype: the identity must read there too.
      if (!isFetch) prepareRequestPrototype((v as { request?: unknown }).request);
      return isFetch ? fetchListener(v as FetchHandler) : (v as RequestListener);
    }
    const f = fetchOf(v);
    if (f !== null) return fetchListener(f);
  }
  if (typeof ns.fetch === 'function') return fetchListener(ns.fetch as FetchHandler);
  // A TypeScript module outside an ESM package is compiled as CommonJS: its exports arrive as the default export's object.
  const inner = ns.default;
  if (!nested && typeof inner === 'object' && inner !== null) return listenerOf(inner as Record<string, unknown>, label, true);
  throw new ConfigError(`app module exports no request listener or fetch handler (default, app, application or fetch): ${label}`);
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
/** JavaScript apps this thread has imported natively (a later load must bypass the module cache). */
const imported = new Set<string>();

/**
 * The first load of a JavaScript app in a thread is a native import: a daemon process or a
 * worker then starts without loading the TypeScript loader. Reloads (and TypeScript) go
 * through the hook loader, which gives each load a fresh module graph.
 */
async function importApp(abs: string): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.test(abs) || imported.has(abs)) return importModule(abs);
  imported.add(abs);
  try {
    return (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    // A JavaScript app that imports TypeScript needs the loader after all.
    if ((err as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') return importModule(abs);
    throw err;
  }
}

/** Imports the app module (a fresh module graph each call) and returns its request listener. */
export async function loadApp(path: string): Promise<RequestListener> {
  const abs = resolve(path);
  let ns: Record<string, unknown>;
  try {
    ns = await importApp(abs);
  } catch (err) {
    throw new ConfigError(`app module failed to load: ${abs}`, undefined, { cause: err });
  }
  return listenerOf(ns, abs);
}
