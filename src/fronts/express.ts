/**
 * Express (and Connect) middleware: `app.use(express(config))` or a per-route policy.
 * Sets `req.remoteUser`, `req.authType` and `req.auth`; answers 400/401/403/500/503 itself.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileConfig, type CompileOptions } from '../config/compile.js';
import type { AuthhookConfig, LocationConfig } from '../config/schema.js';
import { createEngine, type Engine, type EngineInput } from '../engine/decide.js';
import { createConsoleLogger } from '../log.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';
import type { Decision, Environ, Logger } from '../types.js';
import { attachIdentity, engineInputFor, type AuthhookRequestFields, type PathReading } from './node-request.js';
import { refuseOnFault, renderRefusal } from './render.js';

/** A single policy for the routes the middleware is mounted on (a location without `path`/`match`). */
export type RoutePolicy = Omit<LocationConfig, 'path' | 'match'> &
  Pick<AuthhookConfig, 'hookTimeoutMs' | 'scriptReloading' | 'nonceSecret' | 'baseDir' | 'providers'>;

/** Options of the middleware. */
export interface ExpressOptions extends CompileOptions {
  readonly logger?: Logger;
  /** Configured server name for SERVER_NAME (else the Host header). */
  readonly serverName?: string;
}

/** The middleware, plus `close()` to stop watching scripts and `engine` for inspection. */
export interface AuthhookMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  readonly engine: Engine;
  close(): void;
}

function toConfig(input: AuthhookConfig | RoutePolicy): AuthhookConfig {
  if ('locations' in input) return input;
  const { hookTimeoutMs, scriptReloading, nonceSecret, baseDir, providers, ...location } = input;
  const out: AuthhookConfig = { locations: [{ path: '/', ...location }] };
  if (hookTimeoutMs !== undefined) out.hookTimeoutMs = hookTimeoutMs;
  if (scriptReloading !== undefined) out.scriptReloading = scriptReloading;
  if (nonceSecret !== undefined) out.nonceSecret = nonceSecret;
  if (baseDir !== undefined) out.baseDir = baseDir;
  if (providers !== undefined) out.providers = providers;
  return out;
}

function proceed(req: IncomingMessage & AuthhookRequestFields, res: ServerResponse, next: () => void, decision: Decision, environ: Environ): void {
  if (decision.status !== 200) return renderRefusal(res, decision);
  attachIdentity(req, decision, environ);
  next();
}

const EXPRESS_DEFAULT: PathReading = Object.freeze({ caseInsensitivePath: true });

/**
 * Express routes the target as sent (so encoded dot segments are refused), and without regard
 * to case unless the app turns 'case sensitive routing' on: the locations then match the same way.
 */
function pathReading(req: object): PathReading | undefined {
  const app = (req as { app?: { enabled?: (setting: string) => boolean } }).app;
  if (app === undefined || typeof app.enabled !== 'function') return undefined;
  return app.enabled('case sensitive routing') ? undefined : EXPRESS_DEFAULT;
}

/**
 * Creates the Express middleware. Config errors throw here, at start-up.
 * @example
 * app.use('/admin', authhook.express({ authType: 'Basic', authName: 'Admin', authUserScript: './auth.ts', require: 'group admins', authGroupScript: './auth.ts' }));
 */
export function express(input: AuthhookConfig | RoutePolicy, options: ExpressOptions = {}): AuthhookMiddleware {
  const logger = options.logger ?? createConsoleLogger();
  const compiled = compileConfig(toConfig(input), { ...options, logger });
  const engine = createEngine(compiled.model, { logger });
  const serverName = options.serverName;
  const middleware = function authhookExpress(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    const r = req as IncomingMessage & AuthhookRequestFields & { originalUrl?: string; baseUrl?: string };
    let input: EngineInput;
    let decision: MaybePromise<Decision>;
    try {
      input = engineInputFor(r, { requestUri: r.originalUrl ?? r.url, scriptName: r.baseUrl, serverName }, pathReading(r));
      decision = engine.evaluate(input);
    } catch (err) {
      return refuseOnFault(res, logger, err);
    }
    // Synchronous hooks give the decision now: next() runs without a promise or a microtask.
    if (!isPending(decision)) return proceed(r, res, next, decision, input.environ);
    const { environ } = input;
    decision.then((d) => proceed(r, res, next, d, environ)).catch((err: unknown) => refuseOnFault(res, logger, err));
  } as AuthhookMiddleware;
  Object.defineProperty(middleware, 'engine', { value: engine });
  Object.defineProperty(middleware, 'close', { value: () => compiled.close() });
  return middleware;
}
