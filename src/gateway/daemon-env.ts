/**
 * How the processes of a daemon group start: working directory (`home`), module search
 * path (`home`, then `node-path`), `LANG`/`LC_ALL` for that group only, and the user and
 * group to run as (only when authhook runs as root, as mod_wsgi).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DaemonProcessSpec } from '../config/gateway-spec.js';
import { ConfigError } from '../errors.js';

/** What `fork` is given for one group, and what to warn about once. */
export interface DaemonLaunch {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Module search path of the group, in order (also `NODE_PATH`). */
  readonly modulePath: readonly string[];
  readonly uid: number | undefined;
  readonly gid: number | undefined;
  readonly warnings: readonly string[];
}

let knownLocales: Set<string> | null | undefined;

const normLocale = (l: string): string => l.toLowerCase().replace(/utf-?8/, 'utf8');

/** Whether the C library has a locale; `null` when that cannot be told (no `locale` command). */
export function localeExists(name: string): boolean | null {
  if (name === 'C' || name === 'POSIX' || normLocale(name) === 'c.utf8') return true;
  if (knownLocales === undefined) {
    try {
      knownLocales = new Set(execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean).map(normLocale));
    } catch {
      knownLocales = null;
    }
  }
  return knownLocales === null ? null : knownLocales.has(normLocale(name));
}

/** Looks a name up in a colon file (`/etc/passwd`, `/etc/group`): [id, primary gid]. */
function lookupId(file: string, name: string): [number, number] | null {
  if (/^#?\d+$/.test(name)) {
    const id = Number(name.replace('#', ''));
    return [id, id];
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined) return [Number(f[2]), Number(f[3] ?? f[2])];
  }
  return null;
}

function identity(spec: DaemonProcessSpec, isRoot: boolean, warnings: string[]): { uid: number | undefined; gid: number | undefined } {
  if (spec.user === null && spec.group === null) return { uid: undefined, gid: undefined };
  if (!isRoot) {
    warnings.push(`user=/group= of WSGIDaemonProcess ${spec.name} ignored: authhook is not running as root (${spec.where})`);
    return { uid: undefined, gid: undefined };
  }
  const user = spec.user === null ? null : lookupId('/etc/passwd', spec.user);
  if (spec.user !== null && user === null) throw new ConfigError(`WSGIDaemonProcess ${spec.name}: no such user "${spec.user}"`, spec.where);
  const group = spec.group === null ? null : lookupId('/etc/group', spec.group);
  if (spec.group !== null && group === null) throw new ConfigError(`WSGIDaemonProcess ${spec.name}: no such group "${spec.group}"`, spec.where);
  if (user?.[0] === 0) throw new ConfigError(`WSGIDaemonProcess ${spec.name}: refusing to run as root (user=${spec.user})`, spec.where);
  return { uid: user?.[0], gid: group?.[0] ?? user?.[1] };
}

function localeWarnings(spec: DaemonProcessSpec, warnings: string[]): void {
  for (const [key, value] of [['lang', spec.lang], ['locale', spec.locale]] as const) {
    if (value !== null && localeExists(value) === false) {
      warnings.push(`Unsupported locale setting "${value}" (${key}=) for WSGIDaemonProcess ${spec.name}: the system has no such locale, so the C library falls back to the C locale; the group starts anyway (${spec.where})`);
    }
  }
}

/** Works out how the group's processes start. Throws a ConfigError for an unknown user or group. */
export function daemonLaunch(spec: DaemonProcessSpec, isRoot = process.getuid?.() === 0): DaemonLaunch {
  const warnings: string[] = [];
  const cwd = spec.home ?? process.cwd();
  // A node-path entry may be a directory of packages (NODE_PATH style) or a project with its own node_modules.
  const modulePath = [...(spec.home === null ? [] : [spec.home]), ...spec.nodePath.flatMap((p) => (existsSync(join(p, 'node_modules')) ? [p, join(p, 'node_modules')] : [p]))];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (modulePath.length > 0) env.NODE_PATH = modulePath.join(delimiter);
  if (spec.lang !== null) env.LANG = spec.lang;
  if (spec.locale !== null) env.LC_ALL = spec.locale;
  localeWarnings(spec, warnings);
  const { uid, gid } = identity(spec, isRoot, warnings);
  return { cwd, env, modulePath, uid, gid, warnings };
}
