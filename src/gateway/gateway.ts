/**
 * authhook's own front server (SPEC §6): it decides each request with the engine, then
 * dispatches it to an application group — in-process (`%{GLOBAL}` in the main thread, other
 * groups in worker threads) or in a daemon process group (child processes reached over Unix
 * sockets) — with mod_wsgi's group naming, process management, reloading and queue time.
 * @module
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DaemonProcessSpec, LocationGroupSpec, MountSpec } from '../config/gateway-spec.js';
import type { Engine } from '../engine/decide.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../types.js';
import { createAppGroups, type AppGroups } from './app-group.js';
import type { DaemonGroup } from './daemon-group.js';
import { createDispatchScript, type DispatchScript } from './dispatch.js';
import { startGroups } from './gateway-start.js';
import { isDynamicTemplate } from './group-name.js';
import { continueListener, createPipeline, type PipelineContext } from './pipeline.js';
import { createMountTable } from './route.js';
import { GatewayCounters, type GatewayStatus } from './status.js';
import { watchApps, type AppWatcher } from './watch-apps.js';
import { IdentityIncomingMessage } from '../fronts/request-identity.js';
import { refuseConnect } from '../fronts/render.js';

/** Options of `createGateway`. */
export interface GatewayOptions {
  readonly engine: Engine;
  readonly logger: Logger;
  /** `WSGIScriptAlias` mounts. */
  readonly mounts: readonly MountSpec[];
  /** `WSGIDaemonProcess` groups. */
  readonly daemonProcesses?: readonly DaemonProcessSpec[];
  /** Per-location `WSGIProcessGroup` / `WSGIApplicationGroup`. */
  readonly locationGroups?: readonly LocationGroupSpec[];
  /** SERVER_NAME and `%{SERVER}` (default `localhost`); never the client's Host header. */
  readonly serverName?: string;
  /** SERVER_PORT and `%{SERVER}`'s port (default: the port listened on). */
  readonly serverPort?: number;
  /** `WSGIDispatchScript`: chooses groups per request. */
  readonly dispatchScript?: string | null;
  /** Where the status page is (default: none); the engine's policy for that path protects it. */
  readonly statusPath?: string | null;
  /** Replace an app's groups when its file changes (mod_wsgi's process reloading). */
  readonly reloadOnChanges?: boolean;
  /** Time limit of a dispatch script call (default 5 s). */
  readonly hookTimeoutMs?: number;
}

/** A gateway: its server, and the groups behind it. */
export interface Gateway {
  readonly server: Server;
  /** Listens, then loads the preloaded apps and starts the daemon groups; resolves to the port. */
  listen(port: number, host?: string): Promise<number>;
  status(): GatewayStatus;
  /** Stops listening, and ends every worker thread and daemon process. */
  close(): Promise<void>;
}

function checkOptions(options: GatewayOptions): void {
  const names = new Set((options.daemonProcesses ?? []).map((d) => d.name));
  for (const m of options.mounts) {
    const pg = m.processGroup;
    if (pg !== null && pg !== '%{GLOBAL}' && !isDynamicTemplate(pg) && !names.has(pg)) {
      throw new ConfigError(`process-group=${pg}: no WSGIDaemonProcess of that name`, m.where);
    }
  }
  if (options.statusPath != null && !/^\/\S*$/.test(options.statusPath)) throw new ConfigError(`the status path must start with "/", not "${options.statusPath}"`);
}

interface GatewayState {
  readonly socketRoot: string;
  readonly daemons: Map<string, DaemonGroup>;
  readonly hosted: Map<string, Set<string>>;
  readonly appGroups: AppGroups;
  readonly counters: GatewayCounters;
  readonly dispatch: DispatchScript | null;
  watcher: AppWatcher | null;
}

function newState(options: GatewayOptions): GatewayState {
  const socketRoot = mkdtempSync(join(tmpdir(), 'authhook-'));
  // Traversable for a group that runs as another user; each group's own directory is private to it.
  chmodSync(socketRoot, 0o711);
  const { logger } = options;
  const dispatch = options.dispatchScript == null ? null : createDispatchScript(options.dispatchScript, { reloading: options.reloadOnChanges ?? false, timeoutMs: options.hookTimeoutMs ?? 5000, logger });
  return { socketRoot, daemons: new Map(), hosted: new Map(), appGroups: createAppGroups(logger), counters: new GatewayCounters(), dispatch, watcher: null };
}

function pipelineContext(options: GatewayOptions, st: GatewayState): PipelineContext {
  const { appGroups, daemons, hosted, counters } = st;
  return {
    engine: options.engine, logger: options.logger, counters, dispatch: st.dispatch, appGroups, daemons,
    locationGroups: options.locationGroups ?? [],
    findMount: createMountTable(options.mounts),
    serverName: (options.serverName ?? 'localhost').toLowerCase(),
    serverPort: options.serverPort ?? 0,
    statusPath: options.statusPath ?? null,
    status: () => counters.snapshot(appGroups.stats(), [...daemons.values()].map((d) => d.stats())),
    hosted(app, group) {
      let apps = hosted.get(group);
      if (apps === undefined) hosted.set(group, (apps = new Set()));
      if (apps.has(app)) return;
      apps.add(app);
      st.watcher?.add(app);
    },
  };
}

/** Replaces every group that runs the app: in-process instances, and daemon groups that were sent it. */
function reloadApp(st: GatewayState, app: string): void {
  void st.appGroups.reload(app);
  for (const [name, apps] of st.hosted) if (apps.has(app)) st.daemons.get(name)?.reload();
}

async function closeAll(server: Server, st: GatewayState): Promise<void> {
  st.watcher?.close();
  st.dispatch?.close();
  server.close();
  server.closeAllConnections();
  await Promise.all([st.appGroups.close(), ...[...st.daemons.values()].map((d) => d.close())]);
  rmSync(st.socketRoot, { recursive: true, force: true });
}

/** Creates the gateway (nothing runs until `listen`). */
export function createGateway(options: GatewayOptions): Gateway {
  checkOptions(options);
  const st = newState(options);
  const ctx = pipelineContext(options, st);
  if (options.reloadOnChanges === true) st.watcher = watchApps((app) => reloadApp(st, app), options.logger);
  const pipeline = createPipeline(ctx);
  const server = createServer({ IncomingMessage: IdentityIncomingMessage }, pipeline);
  // `Expect: 100-continue`: the pipeline sends the 100 once the request is granted, so a
  // client about to be refused is not invited to upload a body that would be thrown away.
  server.on('checkContinue', continueListener(pipeline));
  refuseConnect(server);
  const close = (): Promise<void> => closeAll(server, st);
  const input = {
    mounts: options.mounts, daemonProcesses: options.daemonProcesses ?? [], locationGroups: ctx.locationGroups,
    daemons: st.daemons, socketRoot: st.socketRoot, watch: (app: string) => st.watcher?.add(app),
  };
  return {
    server,
    async listen(port, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address();
      const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
      if (options.serverPort === undefined) ctx.serverPort = actual;
      await Promise.all([st.dispatch?.ready(), startGroups(input, ctx)]).catch(async (err: unknown) => {
        await close();
        throw err;
      });
      return actual;
    },
    status: ctx.status,
    close,
  };
}
