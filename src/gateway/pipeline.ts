/**
 * One request through the gateway: stamp the accept time, find the mount, let the engine
 * decide, choose the groups (config, then the dispatch script), and hand the request to the
 * app — in this thread, in the group's worker thread, or in a daemon process.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocationGroupSpec } from '../config/gateway-spec.js';
import { NO_ENV } from '../config/merge.js';
import type { Policy } from '../config/model.js';
import { evaluateSetEnvIf } from '../config/set-env-if.js';
import { isOpenPolicy, OPEN_DECISION, type Engine } from '../engine/decide.js';
import { refuse } from '../engine/decisions.js';
import { buildEnviron, readAuthorization, requestAsSent, type EnvironOptions } from '../environ/build-environ.js';
import { hiddenStructure, normalizePath, rawStructure } from '../environ/normalize-path.js';
import { removeHeaders, stripIdentityHeaders } from '../environ/strip-identity.js';
import { attachIdentity, engineInputFor, type AuthhookRequestFields } from '../fronts/node-request.js';
import { environFrom, type EnvironSource } from '../fronts/request-identity.js';
import type { EngineInput } from '../engine/decide.js';
import { isPending, type MaybePromise } from '../maybe-promise.js';
import { refuseOnFault, renderFault, renderRefusal } from '../fronts/render.js';
import { describeError } from '../log.js';
import type { Decision, Environ, Logger } from '../types.js';
import type { AppGroups } from './app-group.js';
import { microsText, nowMicros } from './clock.js';
import type { DaemonGroup } from './daemon-group.js';
import type { DispatchScript } from './dispatch.js';
import { gatewayHeaders, type ForwardJob } from './forward.js';
import { applicationGroupName, processGroupName, type EnvLookup } from './group-name.js';
import { encodeFacts, FACTS_HEADER, REQUEST_START_HEADER } from './hop.js';
import { appUrl, groupTemplates, type MountRoute, type MountTable } from './route.js';
import { renderStatus, type GatewayCounters, type GatewayStatus } from './status.js';

/** What the pipeline runs with (built once by `createGateway`). */
export interface PipelineContext {
  readonly engine: Engine;
  readonly logger: Logger;
  readonly findMount: MountTable;
  readonly locationGroups: readonly LocationGroupSpec[];
  readonly serverName: string;
  /** The configured port, or the one listened on. */
  serverPort: number;
  readonly dispatch: DispatchScript | null;
  readonly statusPath: string | null;
  readonly appGroups: AppGroups;
  readonly daemons: ReadonlyMap<string, DaemonGroup>;
  readonly counters: GatewayCounters;
  status(): GatewayStatus;
  /** An app was sent to a daemon group (so a change to it reloads that group). */
  hosted(app: string, group: string): void;
}

/** The final groups of a request: `''` is in-process / `%{GLOBAL}`. */
interface Groups {
  readonly processGroup: string;
  readonly applicationGroup: string;
}

interface RequestState {
  readonly queueStart: number;
  /** The same, as sent to the app (`authhook.queue_start`, `X-Request-Start: t=…`). */
  readonly queueStartText: string;
  readonly path: string | undefined;
  readonly route: MountRoute | null;
  readonly groups: Groups;
  /** The sections' WSGIPassAuthorization; `null`: the mount's setting. */
  readonly passAuthorization: boolean | null;
}

const NO_GROUPS: Groups = Object.freeze({ processGroup: '', applicationGroup: '' });
const NORMALISED_FOR_APP = Object.freeze({ appSeesNormalisedPath: true });
const OWNED: readonly string[] = [REQUEST_START_HEADER, FACTS_HEADER, 'auth-type'];
const isOwned = (lower: string): boolean => OWNED.includes(lower);
/** The owned names start with "x" or "a": most names are passed over on one character. */
const mayBeOwned = (name: string): boolean => {
  const c = name.charCodeAt(0) | 0x20;
  return c === 0x78 || c === 0x61;
};

function envLookup(setEnv: Readonly<Record<string, string>>): EnvLookup {
  return (name) => setEnv[name] ?? process.env[name];
}

/** Client copies of the headers only the gateway sets go; the gateway's accept stamp comes in. */
function stampHeaders(req: IncomingMessage, queueStartText: string): void {
  removeHeaders(req, isOwned, mayBeOwned);
  const value = 't=' + queueStartText;
  req.headers[REQUEST_START_HEADER] = value;
  req.rawHeaders.push('X-Request-Start', value);
}

function configuredGroups(ctx: PipelineContext, route: MountRoute, path: string, env: EnvLookup): Groups {
  const t = groupTemplates(route, path, ctx.locationGroups);
  const nameCtx = { serverName: ctx.serverName, serverPort: ctx.serverPort, scriptName: route.scriptName, env };
  return { processGroup: processGroupName(t.processGroup, env), applicationGroup: applicationGroupName(t.applicationGroup, nameCtx) };
}

const BAD_REQUEST: Decision = refuse(400, 'bad-request');

/**
 * Requests that came with `Expect: 100-continue` (node:http's checkContinue): the 100 goes out
 * once the request is granted. A set, not `req.headers`: reading that builds the header object,
 * which the open path otherwise never does.
 */
const AWAITING_CONTINUE = new WeakSet<IncomingMessage>();

/** The listener for node:http's checkContinue: the pipeline, which sends the 100 on a grant. */
export function continueListener(pipeline: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    AWAITING_CONTINUE.add(req);
    pipeline(req, res);
  };
}

/** How many Host headers came. */
function hostCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++;
  return n;
}

/**
 * Answers what httpd answers before any section applies, and reports whether it did:
 * `OPTIONS *` (the server's own options, 200), any other method on `*` (400), a target holding
 * a fragment (400: RFC 9112 has no `#` in a request target), two Host headers (400: RFC 9112
 * §3.2 says a server must refuse them).
 */
function answeredBeforeSections(req: IncomingMessage, res: ServerResponse, target: string): boolean {
  if (target === '*') {
    if (req.method !== 'OPTIONS') renderRefusal(res, BAD_REQUEST);
    else {
      res.writeHead(200, { Allow: 'GET, HEAD, POST, OPTIONS', 'Content-Length': '0' });
      res.end();
    }
    return true;
  }
  if (target.includes('#') || hostCount(req.rawHeaders) > 1) {
    renderRefusal(res, BAD_REQUEST);
    return true;
  }
  return false;
}

/** The gateway's request listener. */
export function createPipeline(ctx: PipelineContext): (req: IncomingMessage, res: ServerResponse) => void {
  return function authhookGateway(req, res) {
    if (answeredBeforeSections(req, res, req.url ?? '/')) return;
    const queueStart = nowMicros();
    const queueStartText = microsText(queueStart);
    ctx.counters.requests++;
    stampHeaders(req, queueStartText);
    const target = req.url ?? '/';
    const path = normalizePath(target);
    const route = path === undefined ? null : ctx.findMount(path);
    const policy = path === undefined ? null : ctx.engine.policyFor(path);
    const vars: PolicyVariables = policy !== null && 'setEnv' in policy ? policy : NO_VARIABLES;
    const groups = route === null ? NO_GROUPS : configuredGroups(ctx, route, path!, envLookup(vars.setEnv));
    const passAuthorization = policy !== null && 'passAuthorization' in policy ? policy.passAuthorization : null;
    const state: RequestState = { queueStart, queueStartText, path, route, groups, passAuthorization };
    const extra: Record<string, string> = { 'authhook.queue_start': queueStartText };
    if (route !== null) {
      extra.SCRIPT_NAME = route.scriptName;
      extra.PATH_INFO = route.pathInfo;
    }
    const options = { serverName: ctx.serverName, serverPort: ctx.serverPort, extra, processGroup: groups.processGroup, applicationGroup: groups.applicationGroup };
    // Nothing to decide here (no section asks anything of this path, no dispatch script): the
    // request goes through as the engine would send it, and its environ is built if it is read.
    if (policy !== null && isOpenPolicy(policy) && ctx.dispatch === null && hiddenStructure(target) === null && rawStructure(target) === null) {
      stripIdentityHeaders(req);
      return guarded(res, ctx, () => decided(ctx, req, res, state, OPEN_DECISION, environLater(req, options, vars, path)));
    }
    let input: EngineInput;
    let decision: MaybePromise<Decision>;
    try {
      // The app gets the normalised path (SCRIPT_NAME, PATH_INFO, a rewritten URL), as under httpd.
      input = engineInputFor(req, options, NORMALISED_FOR_APP);
      decision = ctx.engine.evaluate(input);
    } catch (err) {
      return refuseOnFault(res, ctx.logger, err);
    }
    const environ = withVariables(vars, path, input.environ);
    // Synchronous hooks give the decision now: dispatched without a promise or a microtask.
    if (!isPending(decision)) return guarded(res, ctx, () => decided(ctx, req, res, state, decision, environ));
    decision.then((d) => decided(ctx, req, res, state, d, environ)).catch((err: unknown) => refuseOnFault(res, ctx.logger, err));
  };
}

function guarded(res: ServerResponse, ctx: PipelineContext, run: () => void): void {
  try {
    run();
  } catch (err) {
    refuseOnFault(res, ctx.logger, err);
  }
}

/** What a section sets for the app: SetEnv's variables and the SetEnvIf rules. */
type PolicyVariables = Pick<Policy, 'setEnv' | 'setEnvIf'>;
const NO_VARIABLES: PolicyVariables = Object.freeze({ setEnv: NO_ENV, setEnvIf: Object.freeze([]) });

/**
 * The app's environ: the SetEnvIf variables (httpd's mod_setenvif sets them before
 * authorisation), SetEnv's over them (httpd's fixups phase, later), and the request's own keys
 * over both, as mod_wsgi's environ has them. The hooks' environ has none of them (SPEC §2).
 */
function withVariables(vars: PolicyVariables, path: string | undefined, environ: Environ): Environ {
  if (vars.setEnvIf.length === 0) return vars.setEnv === NO_ENV ? environ : Object.freeze({ ...vars.setEnv, ...environ });
  const matched = evaluateSetEnvIf(vars.setEnvIf, { environ, path: path ?? '', remoteHost: environ.REMOTE_ADDR ?? '' });
  return Object.freeze({ ...matched, ...vars.setEnv, ...environ });
}

/** The environ of a request whose decision did not need one: built if it is read (by an app, or for a hop). */
function environLater(req: IncomingMessage, options: EnvironOptions, vars: PolicyVariables, path: string | undefined): () => Environ {
  const asSent = requestAsSent(req);
  return () => withVariables(vars, path, buildEnviron(asSent, options));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Not Found\n');
}

function decided(ctx: PipelineContext, req: IncomingMessage, res: ServerResponse, state: RequestState, decision: Decision, environ: EnvironSource): void {
  ctx.counters.decision(decision);
  if (decision.status !== 200) return renderRefusal(res, decision);
  if (ctx.statusPath !== null && state.path === ctx.statusPath) {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    return renderStatus(res, ctx.status(), q === -1 ? '' : url.slice(q + 1), req.headers.accept);
  }
  if (state.route === null) return notFound(res);
  if (ctx.dispatch === null) return deliver(ctx, req, res, state, state.groups, decision, environ);
  const route = state.route;
  const hookEnviron = environFrom(environ);
  ctx.dispatch.choose(withIdentity(hookEnviron, decision)).then(
    (choice) => {
      const env = envLookup(hookEnviron);
      const nameCtx = { serverName: ctx.serverName, serverPort: ctx.serverPort, scriptName: route.scriptName, env };
      const groups: Groups = {
        processGroup: choice.processGroup === null ? state.groups.processGroup : processGroupName(choice.processGroup, env),
        applicationGroup: choice.applicationGroup === null ? state.groups.applicationGroup : applicationGroupName(choice.applicationGroup, nameCtx),
      };
      deliver(ctx, req, res, state, groups, decision, hookEnviron);
    },
    (err: unknown) => {
      ctx.logger.error('dispatch script failed; request refused', { script: ctx.dispatch!.path, ...describeError(err) });
      renderFault(res);
    },
  );
}

function withIdentity(environ: Environ, decision: Decision): Environ {
  if (decision.user === null) return environ;
  return Object.freeze({ ...environ, REMOTE_USER: decision.user, AUTH_TYPE: decision.authType ?? '' });
}

function finalEnviron(environ: Environ, groups: Groups): Environ {
  if (environ['authhook.application_group'] === groups.applicationGroup && environ['authhook.process_group'] === groups.processGroup) return environ;
  return Object.freeze({ ...environ, 'authhook.application_group': groups.applicationGroup, 'authhook.process_group': groups.processGroup });
}

/** The app environ with HTTP_AUTHORIZATION, as mod_wsgi's under WSGIPassAuthorization On (the hooks' environ never has it). */
function withAuthorization(environ: EnvironSource, value: string | undefined): EnvironSource {
  if (value === undefined) return environ;
  const add = (e: Environ): Environ => Object.freeze({ ...e, HTTP_AUTHORIZATION: value });
  return typeof environ === 'function' ? () => add(environ()) : add(environ);
}

// Credentials the app does not get: Proxy-Authorization never (it is for a proxy, and authhook
// is none), Authorization unless the mount passes it. Both names start with "a" or "p".
const isCredentials = (lower: string): boolean => lower === 'authorization' || lower === 'proxy-authorization';
const isProxyCredentials = (lower: string): boolean => lower === 'proxy-authorization';
const mayBeCredentials = (name: string): boolean => {
  const c = name.charCodeAt(0) | 0x20;
  return c === 0x61 || c === 0x70;
};

function dropCredentials(req: IncomingMessage, keepAuthorization: boolean): void {
  removeHeaders(req, keepAuthorization ? isProxyCredentials : isCredentials, mayBeCredentials);
}

function deliver(ctx: PipelineContext, req: IncomingMessage & AuthhookRequestFields, res: ServerResponse, state: RequestState, groups: Groups, decision: Decision, environ: EnvironSource): void {
  const route = state.route!;
  const { mount } = route;
  const passAuthorization = state.passAuthorization ?? mount.passAuthorization;
  // A deferred environ was to be made with these groups already: no dispatch script chose others.
  const made = typeof environ === 'function' ? environ : finalEnviron(environ, groups);
  const env = passAuthorization ? withAuthorization(made, readAuthorization(req.rawHeaders).value) : made;
  const url = appUrl(route.pathInfo, req.url ?? '/');
  const queued = (): void => ctx.counters.queueTime(nowMicros() - state.queueStart);
  // Granted: now the client may send the body it held back.
  if (AWAITING_CONTINUE.has(req) && !res.headersSent) res.writeContinue();
  if (groups.processGroup === '' && groups.applicationGroup === '') {
    attachIdentity(req, decision, env);
    dropCredentials(req, passAuthorization);
    (req as { originalUrl?: string }).originalUrl = req.url;
    req.url = url;
    queued();
    return ctx.appGroups.main.run(mount.app, req, res);
  }
  // The far side's environ is made from the facts: the rules' variables for the app go with them.
  const hookEnviron = environFrom(env);
  const factsEnviron = decision.variables === undefined ? hookEnviron : { ...decision.variables, ...hookEnviron };
  const hop = { facts: encodeFacts(mount.app, factsEnviron, decision.attributes), decision, queueStart: state.queueStartText, passAuthorization };
  const job: ForwardJob = { req, res, url, headers: gatewayHeaders(req, hop) };
  if (groups.processGroup === '') {
    queued();
    return ctx.appGroups.worker(groups.applicationGroup).forward(mount.app, job, () => undefined);
  }
  const daemon = ctx.daemons.get(groups.processGroup);
  if (daemon === undefined) {
    ctx.logger.error('no WSGIDaemonProcess of that name; request refused', { processGroup: groups.processGroup, mount: mount.path });
    return renderFault(res);
  }
  ctx.hosted(mount.app, groups.processGroup);
  daemon.serve(job, queued);
}
