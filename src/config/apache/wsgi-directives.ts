/**
 * Handlers of the mod_wsgi directives (hook scripts, mounts, groups) and of the few
 * server-level ones authhook reads (`ServerName`, `Listen`, its own `Authhook*`).
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { normalizePath } from '../../environ/normalize-path.js';
import { applicationGroupName, fail, flag, keyValueOptions, type DirectiveCall } from './values.js';

const SCRIPTS = {
  WSGIAuthUserScript: { key: 'authUserScript', invalid: 'Invalid option to WSGI auth user script definition.' },
  WSGIAuthGroupScript: { key: 'authGroupScript', invalid: 'Invalid option to WSGI auth group script definition.' },
  WSGIAccessScript: { key: 'accessScript', invalid: 'Invalid option to WSGI access script definition.' },
} as const;

/** Process group names that need no `WSGIDaemonProcess`: in-process, or chosen per request. */
export function isDynamicProcessGroup(name: string): boolean {
  return name === '%{GLOBAL}' || /^%\{ENV:[^}]+\}$/.test(name);
}

/** `WSGIAuthUserScript path [application-group=…]`, and the group and access scripts (mod_wsgi: that option only). */
export function hookScript(call: DirectiveCall): void {
  const directive = call.name as keyof typeof SCRIPTS;
  const spec = SCRIPTS[directive];
  const options = keyValueOptions(call, call.args.slice(1), ['application-group'], spec.invalid);
  const group = options.get('application-group');
  const applicationGroup = group === undefined ? '%{GLOBAL}' : applicationGroupName(call, group);
  const path = call.state.file(call.args[0]!);
  if (!existsSync(path)) throw fail(call, `hook script not found: ${path}`);
  const source = call.state.script(path);
  call.state.hookScripts.push(Object.freeze({ directive, path, applicationGroup, where: call.where }));
  call.section().directives[spec.key] = source;
}

/**
 * `WSGIDispatchScript path [application-group=name]`: the gateway asks the script's
 * `process_group(environ)` / `application_group(environ)` per request. It runs in the
 * gateway, as the hook scripts do; one per server here (mod_wsgi also takes one per directory).
 */
export function dispatchScript(call: DirectiveCall): void {
  const options = keyValueOptions(call, call.args.slice(1), ['application-group'], 'Invalid option to WSGI dispatch script definition.');
  const group = options.get('application-group');
  if (group !== undefined) applicationGroupName(call, group);
  const taken = call.state.global.dispatchScript;
  if (taken !== undefined) throw fail(call, `WSGIDispatchScript is already set (${taken.where}); one per server`);
  const path = call.state.file(call.args[0]!);
  if (!existsSync(path)) throw fail(call, `dispatch script not found: ${path}`);
  call.state.global.dispatchScript = { path, where: call.where };
}

function mountPath(call: DirectiveCall, url: string): string {
  if (!url.startsWith('/')) throw fail(call, `the URL path must start with "/", not "${url}"`);
  const path = normalizePath(url);
  if (path === undefined || path.includes('?')) throw fail(call, `not a usable URL path: "${url}"`);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function appModule(call: DirectiveCall, path: string): string {
  const abs = call.state.file(path);
  let isFile = false;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw fail(call, `app module not found: ${abs}`);
  }
  if (!isFile) throw fail(call, `not a file: ${abs}`);
  return abs;
}

/** `WSGIScriptAlias URL app [process-group=… application-group=… pass-authorization=On|Off]`. */
export function scriptAlias(call: DirectiveCall): void {
  const [url, app, ...rest] = call.args as [string, string, ...string[]];
  const path = mountPath(call, url);
  const abs = appModule(call, app);
  const allowed = ['process-group', 'application-group', 'pass-authorization', 'callable-object'];
  const options = keyValueOptions(call, rest, allowed, 'Invalid option to WSGI script alias definition.');
  if (options.has('callable-object')) throw fail(call, 'callable-object= is not supported: the app module exports default, app or application');
  const taken = call.state.mounts.find((m) => m.spec.path === path);
  if (taken !== undefined) throw fail(call, `${path} is already mounted (${taken.spec.where})`);
  const processGroup = options.get('process-group') ?? null;
  if (processGroup === '') throw fail(call, 'Invalid name for WSGI daemon process group.');
  if (processGroup !== null && !isDynamicProcessGroup(processGroup)) {
    call.state.processGroupRefs.push({ name: processGroup, where: call.where, directive: call.name });
  }
  const group = options.get('application-group');
  const applicationGroup = group === undefined ? null : applicationGroupName(call, group);
  const pass = options.get('pass-authorization');
  const spec = Object.freeze({ path, app: abs, processGroup, applicationGroup, where: call.where });
  call.state.mounts.push({ spec, pass: pass === undefined ? null : flag(call, pass) });
}

/** `WSGIApplicationGroup name` for the section (the gateway reads it). */
export function applicationGroup(call: DirectiveCall): void {
  call.section().applicationGroup = applicationGroupName(call, call.args[0]!);
}

/** `WSGIProcessGroup name` for the section; the name must be a `WSGIDaemonProcess` (checked at the end). */
export function processGroup(call: DirectiveCall): void {
  const name = call.args[0]!;
  if (name === '') throw fail(call, 'Invalid name for WSGI daemon process group.');
  if (!isDynamicProcessGroup(name)) call.state.processGroupRefs.push({ name, where: call.where, directive: call.name });
  call.section().processGroup = name;
}

/** `WSGIScriptReloading On|Off`: read before the walk (scripts are created with it); checked here. */
export function scriptReloading(call: DirectiveCall): void {
  flag(call);
}

/**
 * `WSGIPassAuthorization On|Off`: at the top level, the default of the mounts'
 * `pass-authorization=`; in a section (mod_wsgi allows it in a directory), what the app gets
 * at those paths, over the mount's own setting.
 */
export function passAuthorization(call: DirectiveCall): void {
  if (call.context === 'top') call.state.global.passAuthorization = flag(call);
  else call.section().directives.passAuthorization = flag(call);
}

/** `ServerName [scheme://]host[:port]`: the default SERVER_NAME of `authhook serve`. */
export function serverName(call: DirectiveCall): void {
  const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(call.args[0]!);
  if (m === null) throw fail(call, `not a host name: "${call.args[0]!}"`);
  call.state.server.serverName = m[1]!.toLowerCase();
}

/** `Listen [address:]port [protocol]`: recorded; `authhook serve` listens there unless told otherwise. */
export function listen(call: DirectiveCall): void {
  const m = /^(?:(\[[0-9A-Fa-f:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(call.args[0]!);
  if (m === null || Number(m[2]) > 65535) throw fail(call, `expected [address:]port, not "${call.args[0]!}"`);
  call.state.server.listen.push(call.args[0]!);
}

/** `AuthhookHookTimeout seconds` (authhook's own): the time limit of one hook call. */
export function hookTimeout(call: DirectiveCall): void {
  const v = call.args[0]!;
  const s = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!(s > 0 && s <= 600)) throw fail(call, `expected seconds, more than 0 and at most 600, not "${v}"`);
  call.state.global.hookTimeoutMs = Math.round(s * 1000);
}

/** `AuthhookNonceSecret secret` (authhook's own): signs Digest nonces, so several instances accept each other's. */
export function nonceSecret(call: DirectiveCall): void {
  if (call.args[0]!.length < 16) throw fail(call, 'the secret needs at least 16 characters');
  call.state.global.nonceSecret = call.args[0]!;
}
