/**
 * Application and process group names, as mod_wsgi computes them (MODWSGI §5), but from the
 * configured server and the canonical mount only: no spelling of a request (Host case, a
 * default port written out, repeated slashes) can name a second group.
 * @module
 */

/** Looks up a variable for `%{ENV:VAR}`: the location's SetEnv, then the process environment. */
export type EnvLookup = (name: string) => string | undefined;

/** What a group name is computed from. */
export interface GroupNameContext {
  /** The configured server name (ServerName / `--server-name`), never the Host header. */
  readonly serverName: string;
  /** The configured port the server listens on. */
  readonly serverPort: number;
  /** The canonical mount path as SCRIPT_NAME (`''` for a mount at `/`). */
  readonly scriptName: string;
  readonly env: EnvLookup;
}

const ENV_LABEL = /^%\{ENV:([^}]+)\}$/;
/** How deep `%{ENV:…}` values naming other labels are followed, so a loop of variables ends. */
const MAX_EXPANSIONS = 8;

/** `%{SERVER}`: the host, plus `:port` unless the port is 80 or 443 (the scheme is not considered, as mod_wsgi). */
export function serverGroupName(serverName: string, serverPort: number): string {
  const host = serverName.toLowerCase();
  return serverPort === 80 || serverPort === 443 ? host : `${host}:${serverPort}`;
}

/**
 * The application group a template names: `%{GLOBAL}` is `''`, `%{SERVER}`, `%{RESOURCE}`
 * (`server|script_name`), `%{ENV:VAR}` (expanded again when its value is another label; the
 * literal template when unset, as mod_wsgi), anything else as written.
 * @example applicationGroupName('%{RESOURCE}', { serverName: 'www.example.com', serverPort: 8080, scriptName: '/app', env })
 * // 'www.example.com:8080|/app'
 */
export function applicationGroupName(template: string, ctx: GroupNameContext): string {
  let name = template;
  for (let i = 0; i < MAX_EXPANSIONS; i++) {
    if (name === '%{GLOBAL}') return '';
    if (name === '%{SERVER}') return serverGroupName(ctx.serverName, ctx.serverPort);
    if (name === '%{RESOURCE}') return `${serverGroupName(ctx.serverName, ctx.serverPort)}|${ctx.scriptName}`;
    const m = ENV_LABEL.exec(name);
    if (m === null) return name;
    const value = ctx.env(m[1]!);
    if (value === undefined || value === '') return name;
    // As mod_wsgi: a value that is itself a label is expanded; a plain value is the name.
    if (!value.startsWith('%')) return value;
    name = value;
  }
  return name;
}

/**
 * The process group a template names: `''` for in-process (`%{GLOBAL}`, or an empty
 * expansion), the `%{ENV:VAR}` value, or the name as written.
 */
export function processGroupName(template: string, env: EnvLookup): string {
  if (template === '%{GLOBAL}' || template === '') return '';
  const m = ENV_LABEL.exec(template);
  if (m === null) return template;
  const value = env(m[1]!);
  if (value === undefined) return template;
  return value === '%{GLOBAL}' ? '' : value;
}

/** Whether a template's value depends on the request (so it cannot be computed once per mount). */
export function isDynamicTemplate(template: string | null): boolean {
  return template !== null && template.includes('%{ENV:');
}
