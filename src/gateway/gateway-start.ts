/**
 * Starting a gateway's groups once it listens: the daemon process groups with the apps
 * they preload, and the in-process apps whose groups are known without a request (as
 * mod_wsgi preloads a script when both its process and application group are given).
 * @module
 */
import { join } from 'node:path';
import type { DaemonProcessSpec, LocationGroupSpec, MountSpec } from '../config/gateway-spec.js';
import { ConfigError } from '../errors.js';
import { daemonLaunch } from './daemon-env.js';
import { DaemonGroup } from './daemon-group.js';
import { applicationGroupName, isDynamicTemplate, processGroupName } from './group-name.js';
import type { PipelineContext } from './pipeline.js';
import { groupTemplates, locationsTouch } from './route.js';

/** Where each mount is served when nothing per request decides. */
interface Placement {
  readonly app: string;
  readonly processGroup: string;
  readonly applicationGroup: string;
}

/** What starting needs besides the pipeline's context. */
export interface StartInput {
  readonly mounts: readonly MountSpec[];
  readonly daemonProcesses: readonly DaemonProcessSpec[];
  readonly locationGroups: readonly LocationGroupSpec[];
  readonly daemons: Map<string, DaemonGroup>;
  readonly socketRoot: string;
  readonly watch: (app: string) => void;
}

function staticPlacements(input: StartInput, ctx: PipelineContext): Placement[] {
  const out: Placement[] = [];
  const env = (name: string): string | undefined => process.env[name];
  for (const m of input.mounts) {
    const route = { mount: m, scriptName: m.path === '/' ? '' : m.path, pathInfo: '' };
    const t = groupTemplates(route, m.path, input.locationGroups);
    if (isDynamicTemplate(t.processGroup) || isDynamicTemplate(t.applicationGroup) || locationsTouch(m, input.locationGroups)) continue;
    const nameCtx = { serverName: ctx.serverName, serverPort: ctx.serverPort, scriptName: route.scriptName, env };
    out.push({ app: m.app, processGroup: processGroupName(t.processGroup, env), applicationGroup: applicationGroupName(t.applicationGroup, nameCtx) });
  }
  return out;
}

function createDaemons(input: StartInput, ctx: PipelineContext, placements: readonly Placement[]): void {
  input.daemonProcesses.forEach((spec, i) => {
    const launch = daemonLaunch(spec);
    for (const w of launch.warnings) ctx.logger.warn(w);
    const preload = placements.filter((p) => p.processGroup === spec.name).map((p) => [p.app, p.applicationGroup] as const);
    for (const [app] of preload) ctx.hosted(app, spec.name);
    input.daemons.set(spec.name, new DaemonGroup({ spec, launch, socketDir: join(input.socketRoot, `g${i}`), preload, logger: ctx.logger }));
  });
}

function preloadInProcess(ctx: PipelineContext, p: Placement): Promise<unknown> {
  if (p.applicationGroup === '') return ctx.appGroups.main.preload(p.app);
  const w = ctx.appGroups.worker(p.applicationGroup);
  w.apps.add(p.app);
  return w.current().ready.then((failed) => {
    if (failed.length > 0) throw new ConfigError(`application group ${p.applicationGroup}: app module failed to load: ${failed.join(', ')}`);
  });
}

/** Starts every group; rejects (a ConfigError) if an app fails to load or a daemon process does not start. */
export async function startGroups(input: StartInput, ctx: PipelineContext): Promise<void> {
  const placements = staticPlacements(input, ctx);
  for (const m of input.mounts) input.watch(m.app);
  createDaemons(input, ctx, placements);
  const jobs = placements.filter((p) => p.processGroup === '').map((p) => preloadInProcess(ctx, p));
  jobs.push(...[...input.daemons.values()].map((d) => d.start()));
  await Promise.all(jobs);
}
