/**
 * In-process dispatch by `WSGIScriptAlias` prefix: the longest mount path that covers the
 * request on whole segments wins, `SCRIPT_NAME` is the mount and `PATH_INFO` the rest. Each
 * mount path has one app instance, loaded at start-up. The engine decides first, so a path
 * no mount serves is still protected by its `<Location>` before it gets a 404.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine } from '../engine/decide.js';
import { prefixMatches } from '../engine/policy-lookup.js';
import { normalizePath } from '../environ/normalize-path.js';
import { attachIdentity, decideNodeRequest, type AuthhookRequestFields } from '../fronts/node-request.js';
import { renderFault, renderRefusal } from '../fronts/render.js';
import { describeError } from '../log.js';
import type { LocationGroupSpec, MountSpec } from '../config/gateway-spec.js';
import type { Logger } from '../types.js';
import { loadApp, type RequestListener } from './load-app.js';

/** A mount with its app loaded. */
export interface LoadedMount {
  readonly spec: MountSpec;
  readonly app: RequestListener;
}

/** The mount serving a path, and how the path splits. */
export interface MountMatch {
  readonly mount: LoadedMount;
  /** `''` for a mount at `/` (WSGI's convention), else the mount path. */
  readonly scriptName: string;
  readonly pathInfo: string;
}

/** Options of `createMountServer`. */
export interface MountServerOptions {
  readonly engine: Engine;
  readonly mounts: readonly LoadedMount[];
  readonly logger: Logger;
  /** The configured server name (SERVER_NAME and `%{SERVER}`), never the client's Host header. */
  readonly serverName: string;
  readonly serverPort?: number;
  readonly locationGroups?: readonly LocationGroupSpec[];
}

/** Loads every mount's app, one instance per mount path. */
export async function loadMounts(specs: readonly MountSpec[]): Promise<LoadedMount[]> {
  const out: LoadedMount[] = [];
  for (const spec of specs) out.push(Object.freeze({ spec, app: await loadApp(spec.app) }));
  return out;
}

/** The longest mount covering a normalised path on whole segments, or `null`. */
export function findMount(mounts: readonly LoadedMount[], path: string): MountMatch | null {
  let best: LoadedMount | null = null;
  for (const m of mounts) {
    if (prefixMatches(m.spec.path, path) && (best === null || m.spec.path.length > best.spec.path.length)) best = m;
  }
  if (best === null) return null;
  const scriptName = best.spec.path === '/' ? '' : best.spec.path;
  return { mount: best, scriptName, pathInfo: path.slice(scriptName.length) };
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/** The policy look-up's order: prefixes by depth (then length), then regexes; config order within a tie. */
function specificity(a: { g: LocationGroupSpec; i: number }, b: { g: LocationGroupSpec; i: number }): number {
  if (a.g.kind !== b.g.kind) return a.g.kind === 'prefix' ? -1 : 1;
  const byPath = a.g.kind === 'prefix' ? depth(a.g.path) - depth(b.g.path) || a.g.path.length - b.g.path.length : 0;
  return byPath || a.i - b.i;
}

/** `WSGIProcessGroup` / `WSGIApplicationGroup` at a path: later and more specific sections win, as for policy. */
export function locationGroupsAt(groups: readonly LocationGroupSpec[], path: string): { processGroup: string | null; applicationGroup: string | null } {
  const matching = groups
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => (g.kind === 'prefix' ? prefixMatches(g.path, path) : g.regex!.test(path)))
    .sort(specificity);
  let processGroup: string | null = null;
  let applicationGroup: string | null = null;
  for (const { g } of matching) {
    processGroup = g.processGroup ?? processGroup;
    applicationGroup = g.applicationGroup ?? applicationGroup;
  }
  return { processGroup, applicationGroup };
}

/** Expands `%{GLOBAL}`, `%{SERVER}` and `%{RESOURCE}` (the default) as mod_wsgi; other names are literal. */
export function applicationGroupName(label: string | null, serverName: string, port: number | undefined, scriptName: string): string {
  const server = port === undefined || port === 80 || port === 443 ? serverName : `${serverName}:${port}`;
  if (label === '%{GLOBAL}') return '';
  if (label === '%{SERVER}') return server;
  if (label === null || label === '%{RESOURCE}') return `${server}|${scriptName}`;
  return label;
}

function dropAuthorization(req: IncomingMessage): void {
  delete req.headers.authorization;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i]!.toLowerCase() === 'authorization') raw.splice(i, 2);
}

function runApp(app: RequestListener, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const fault = (err: unknown): void => {
    logger.error('app error', describeError(err));
    renderFault(res);
  };
  try {
    const r = app(req, res, (err?: unknown) => {
      if (err !== undefined) logger.error('app error', describeError(err));
      if (!res.headersSent) {
        res.statusCode = err === undefined ? 404 : 500;
        res.end();
      }
    });
    if (r instanceof Promise) r.catch(fault);
  } catch (err) {
    fault(err);
  }
}

function notFound(res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Not Found\n');
}

/** Hands a granted request to its mount: identity attached, SetEnv added, URL made mount-relative. */
function dispatch(req: IncomingMessage & AuthhookRequestFields, res: ServerResponse, hit: MountMatch, setEnv: Readonly<Record<string, string>>, logger: Logger): void {
  if (req.environ !== undefined) req.environ = Object.freeze({ ...setEnv, ...req.environ });
  if (!hit.mount.spec.passAuthorization) dropAuthorization(req);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  (req as { originalUrl?: string }).originalUrl = url;
  req.url = (hit.pathInfo === '' ? '/' : hit.pathInfo) + (q === -1 ? '' : url.slice(q));
  runApp(hit.mount.app, req, res, logger);
}

/** Creates (does not start) the server that decides and then dispatches to the mounts. */
export function createMountServer(options: MountServerOptions): Server {
  const { engine, mounts, logger, serverName, serverPort } = options;
  const groups = options.locationGroups ?? [];
  return createServer(function authhookMounts(req: IncomingMessage & AuthhookRequestFields, res: ServerResponse) {
    const queueStart = String(Date.now() * 1000);
    const path = normalizePath(req.url ?? '/');
    const hit = path === undefined ? null : findMount(mounts, path);
    const at = path === undefined ? { processGroup: null, applicationGroup: null } : locationGroupsAt(groups, path);
    const extra: Record<string, string> = { 'authhook.queue_start': queueStart };
    if (hit !== null) Object.assign(extra, { SCRIPT_NAME: hit.scriptName, PATH_INFO: hit.pathInfo });
    const port = serverPort ?? req.socket.localPort;
    const applicationGroup = applicationGroupName(hit?.mount.spec.applicationGroup ?? at.applicationGroup, serverName, port, hit?.scriptName ?? '');
    const processGroup = hit?.mount.spec.processGroup ?? at.processGroup ?? '';
    decideNodeRequest(engine, req, { serverName, serverPort, extra, applicationGroup, processGroup: processGroup === '%{GLOBAL}' ? '' : processGroup }).then(
      ({ decision, environ }) => {
        if (decision.status !== 200) return renderRefusal(res, decision);
        if (hit === null) return notFound(res);
        attachIdentity(req, decision, environ);
        const policy = engine.policyFor(path!);
        dispatch(req, res, hit, 'setEnv' in policy ? policy.setEnv : {}, logger);
      },
      (err: unknown) => {
        logger.error('authhook fault; request refused', describeError(err));
        renderFault(res);
      },
    );
  });
}
