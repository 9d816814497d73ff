/**
 * `WSGIDaemonProcess name options…`: the options a daemon process group takes (SPEC §6),
 * checked here; the gateway (src/gateway/daemon-group.ts) starts the processes.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import type { DaemonProcessSpec } from '../gateway-spec.js';
import type { Mutable } from './state.js';
import { didYouMean, fail, integer, type DirectiveCall } from './values.js';

const COUNTS = {
  processes: ['processes', 1],
  threads: ['threads', 1],
  'maximum-requests': ['maximumRequests', 0],
  'inactivity-timeout': ['inactivityTimeoutS', 0],
  'request-timeout': ['requestTimeoutS', 0],
  'queue-timeout': ['queueTimeoutS', 0],
} as const;

const TEXTS = { lang: 'lang', locale: 'locale', 'display-name': 'displayName', user: 'user', group: 'group' } as const;

/** Spellings of the module search path: authhook's, and mod_wsgi's (read the same way, with a warning). */
const MODULE_PATH = ['node-path', 'python-path', 'python-home'];

/** mod_wsgi options that have no meaning for Node processes: accepted with a warning so a carried-over line still reads. */
const IGNORED = new Set([
  'umask', 'stack-size', 'shutdown-timeout', 'deadlock-timeout', 'graceful-timeout', 'eviction-timeout',
  'restart-interval', 'connect-timeout', 'socket-timeout', 'listen-backlog', 'startup-timeout', 'interrupt-timeout',
  'python-eggs', 'send-buffer-size', 'receive-buffer-size', 'header-buffer-size', 'response-buffer-size',
  'response-socket-timeout', 'socket-user', 'supplementary-groups', 'chroot', 'script-user', 'script-group',
  'cpu-time-limit', 'cpu-priority', 'memory-limit', 'virtual-memory-limit', 'server-metrics', 'lang-env',
]);

const KNOWN = [...Object.keys(COUNTS), ...Object.keys(TEXTS), 'home', ...MODULE_PATH];

function defaults(name: string, where: string): Mutable<DaemonProcessSpec> {
  return {
    name, processes: 1, threads: 15, home: null, nodePath: [], lang: null, locale: null, maximumRequests: 0,
    inactivityTimeoutS: 0, requestTimeoutS: 0, queueTimeoutS: 0, displayName: null, user: null, group: null, where,
  };
}

function home(call: DirectiveCall, value: string): string {
  const abs = call.state.file(value);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw fail(call, `home= is not a directory: ${abs}`);
  return abs;
}

function modulePath(call: DirectiveCall, key: string, value: string): string[] {
  if (key !== 'node-path') {
    call.state.logger.warn(`${call.where}: WSGIDaemonProcess ${key}= is read as node-path= (where the app's modules resolve from)`);
  }
  return value.split(':').filter(Boolean).map((p) => {
    const abs = call.state.file(p);
    if (!existsSync(abs)) call.state.logger.warn(`${call.where}: WSGIDaemonProcess ${key}= names a directory that does not exist: ${abs}`);
    return abs;
  });
}

function applyOption(call: DirectiveCall, spec: Mutable<DaemonProcessSpec>, key: string, value: string): void {
  if (key in COUNTS) {
    const [field, min] = COUNTS[key as keyof typeof COUNTS];
    spec[field] = integer(call, value, `${key}=`, min);
  } else if (key in TEXTS) {
    if (value === '') throw fail(call, `${key}= may not be empty`);
    spec[TEXTS[key as keyof typeof TEXTS]] = value;
  } else if (key === 'home') spec.home = home(call, value);
  else spec.nodePath = [...spec.nodePath, ...modulePath(call, key, value)];
}

/** `WSGIDaemonProcess name options…`. */
export function daemonProcess(call: DirectiveCall): void {
  const [name, ...options] = call.args as [string, ...string[]];
  if (!/^[^\s%{}=]+$/.test(name)) throw fail(call, `"${name}" is not a usable daemon process group name`);
  const previous = call.state.daemons.get(name);
  if (previous !== undefined) throw fail(call, `Name duplicates previous WSGI daemon definition. (${previous.where})`);
  const spec = defaults(name, call.where);
  const seen = new Set<string>();
  for (const word of options) {
    const eq = word.indexOf('=');
    const key = eq === -1 ? word : word.slice(0, eq);
    if (eq !== -1 && IGNORED.has(key)) {
      call.state.logger.warn(`${call.where}: WSGIDaemonProcess ${key}= has no effect in authhook; ignored`);
      continue;
    }
    if (eq === -1 || !KNOWN.includes(key)) throw fail(call, `Invalid option to WSGI daemon process definition. ("${word}"${didYouMean(key, KNOWN).replace(' (', '; ').replace(/\)$/, '')})`);
    if (seen.has(key)) throw fail(call, `option ${key}= given twice`);
    seen.add(key);
    applyOption(call, spec, key, word.slice(eq + 1));
  }
  spec.nodePath = Object.freeze(spec.nodePath);
  call.state.daemons.set(name, Object.freeze(spec));
}
