/**
 * The mod_authnz_external front: its `pipe` protocol (two lines on stdin, the answer in the
 * exit status), the environment it passes, and the password and group checks on the hooks.
 * @module
 */
import { read } from 'node:fs';
import { decodeUtf8OrLatin1, hasControl } from '../authn/text.js';
import { callCheckPassword, callGetRealmHash, callGroupsForUser } from '../hooks/call-hook.js';
import type { HookSource } from '../config/model.js';
import { HookTimeoutError, ProviderUnavailableError, type AnyAuthhookError } from '../errors.js';
import type { Environ, HookModule } from '../types.js';
import { VERSION } from '../version.js';

/**
 * Exit statuses. mod_authnz_external grants on 0 and refuses on anything else, logging the
 * number ("AuthExtern … Failed (N) for user …"), so each kind of refusal has its own.
 */
export const EXTERNAL_EXIT = Object.freeze({
  /** Password right, or user in one of the groups. */
  granted: 0,
  /** Wrong password, or user in none of the groups. */
  denied: 1,
  /** check_password does not know the user. */
  notFound: 2,
  /** stdin is not the two lines of the protocol (missing, empty, too long, extra lines, NUL). */
  badInput: 3,
  /** The hook threw, returned a wrong type, is missing, or the script does not load. */
  hookError: 4,
  /** The hook (or the script's loading) took longer than the time limit, or its backend is down. */
  unavailable: 5,
  /** The command line is wrong. */
  usage: 6,
});

/** One of the exit statuses above. */
export type ExternalExitCode = (typeof EXTERNAL_EXIT)[keyof typeof EXTERNAL_EXIT];

/** Longest line accepted, in bytes (Apache passes at most about 8 KiB). */
export const MAX_EXTERNAL_LINE = 8192;

/** The two lines of the protocol, decoded. */
export type PipeInput = { readonly ok: true; readonly first: string; readonly second: string } | { readonly ok: false; readonly reason: string };

const LF = 0x0a;

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return decodeUtf8OrLatin1(bytes.subarray(0, end));
}

/**
 * Parses what mod_authnz_external writes on stdin: `first\nsecond\n`. Exactly two lines: a
 * newline inside the password would make a third, which is refused rather than guessed at.
 * A CR before each LF is dropped; the last LF may be missing.
 */
export function parsePipeInput(input: Buffer): PipeInput {
  if (input.length === 0) return { ok: false, reason: 'no input' };
  if (input.includes(0)) return { ok: false, reason: 'input holds NUL' };
  const firstEnd = input.indexOf(LF);
  if (firstEnd === -1 || firstEnd + 1 === input.length) return { ok: false, reason: 'only one line' };
  let secondEnd = input.indexOf(LF, firstEnd + 1);
  if (secondEnd === -1) secondEnd = input.length;
  else if (secondEnd + 1 !== input.length) return { ok: false, reason: 'more than two lines' };
  if (firstEnd > MAX_EXTERNAL_LINE || secondEnd - firstEnd - 1 > MAX_EXTERNAL_LINE) return { ok: false, reason: 'line too long' };
  const first = decodeLine(input.subarray(0, firstEnd));
  if (first === '' || hasControl(first)) return { ok: false, reason: 'empty or unprintable user name' };
  return { ok: true, first, second: decodeLine(input.subarray(firstEnd + 1, secondEnd)) };
}

function readChunk(fd: number, buffer: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, buffer.length - offset, null, (err, n) => (err === null ? resolve(n) : reject(err)));
  });
}

/**
 * Reads stdin (fd 0) to its end, or until it is longer than two lines can be. Plain `fs.read`
 * rather than `process.stdin`: the stream machinery costs ~10 ms of start-up, per check.
 */
export async function readPipeInput(fd = 0): Promise<Buffer> {
  const buffer = Buffer.alloc(2 * (MAX_EXTERNAL_LINE + 2) + 1);
  let size = 0;
  try {
    for (let n = -1; n !== 0 && size < buffer.length; size += n) n = await readChunk(fd, buffer, size);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A non-blocking stdin (a terminal, some sockets) cannot be read this way: use the stream.
    if (code === 'EAGAIN') return Buffer.concat([buffer.subarray(0, size), await readStream(process.stdin, buffer.length - size)]);
    if (code !== 'EBADF' && code !== 'EOF') throw err;
  }
  return buffer.subarray(0, size);
}

async function readStream(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(b);
    size += b.length;
    if (size > limit) break;
  }
  return Buffer.concat(chunks);
}

/** The facts `externalEnviron` adds to what the process environment says. */
export interface ExternalEnvironOptions {
  readonly authType: 'PASS' | 'GROUP';
  /** The user, once known to be authenticated (group checks). */
  readonly remoteUser?: string;
}

function hostAndPort(hostHeader: string): { name: string; port: string | undefined } {
  const end = hostHeader.startsWith('[') ? hostHeader.indexOf(']') + 1 : hostHeader.lastIndexOf(':');
  if (end <= 0 || end >= hostHeader.length) return { name: hostHeader.toLowerCase(), port: undefined };
  const port = hostHeader.slice(end + (hostHeader[end] === ':' ? 1 : 0));
  return { name: hostHeader.slice(0, end).toLowerCase(), port: /^\d{1,5}$/.test(port) ? port : undefined };
}

/**
 * The environ from the variables mod_authnz_external sets: `URI`, `IP`, `HOST`, `HTTP_HOST`,
 * `CONTEXT`, `COOKIE`, `METHOD`, `FORWARDS`. `USER`/`PASS`/`GROUP` (its insecure
 * `environment` method) are never read: credentials come on stdin only.
 */
export function externalEnviron(env: NodeJS.ProcessEnv, options: ExternalEnvironOptions): Environ {
  const uri = env.URI ?? '/';
  const out: Record<string, string> = {
    REQUEST_METHOD: env.METHOD ?? 'GET',
    REQUEST_URI: uri,
    SCRIPT_NAME: uri,
    PATH_INFO: '',
    QUERY_STRING: '',
    REMOTE_ADDR: env.IP ?? '',
    AUTH_TYPE: 'Basic',
    'authhook.version': VERSION,
    'authhook.application_group': '',
    'authhook.process_group': '',
    'authhook.front': 'external',
    'authhook.external.authtype': options.authType,
  };
  if (env.HTTP_HOST !== undefined) {
    const { name, port } = hostAndPort(env.HTTP_HOST);
    out.HTTP_HOST = env.HTTP_HOST;
    out.SERVER_NAME = name;
    if (port !== undefined) out.SERVER_PORT = port;
  }
  if (env.HOST !== undefined) out.REMOTE_HOST = env.HOST;
  if (env.COOKIE !== undefined) out.HTTP_COOKIE = env.COOKIE;
  if (env.FORWARDS !== undefined) out.HTTP_X_FORWARDED_FOR = env.FORWARDS;
  if (env.CONTEXT !== undefined) out['authhook.external.context'] = env.CONTEXT;
  if (options.remoteUser !== undefined) out.REMOTE_USER = options.remoteUser;
  return Object.freeze(out);
}

/** The outcome of a check: the exit status, and a line for Apache's error log (never the password). */
export interface ExternalOutcome {
  readonly code: ExternalExitCode;
  readonly message: string | null;
}

function errorOutcome(error: AnyAuthhookError, user: string): ExternalOutcome {
  const transient = error instanceof HookTimeoutError || error instanceof ProviderUnavailableError;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return { code: transient ? EXTERNAL_EXIT.unavailable : EXTERNAL_EXIT.hookError, message: `${error.message}${cause} [${error.code}] (user ${JSON.stringify(user)})` };
}

/** Options of the password and group checks. */
export interface ExternalCheckOptions {
  readonly timeoutMs: number;
  /** AuthName, for a script that offers only `get_realm_hash` (checked as MD5 `H(user:realm:password)`). */
  readonly realm: string | undefined;
}

/** Runs `check_password` (or, lacking it, `get_realm_hash` with the realm) and maps the result to an exit status. */
export async function checkExternalPassword(
  source: HookSource,
  module: HookModule,
  environ: Environ,
  user: string,
  password: string,
  options: ExternalCheckOptions,
): Promise<ExternalOutcome> {
  if (module.check_password === undefined && module.get_realm_hash !== undefined && options.realm !== undefined) {
    return checkByRealmHash(source, environ, user, password, options.realm, options.timeoutMs);
  }
  const r = await callCheckPassword(source, environ, user, password, options.timeoutMs);
  if (r.outcome === 'denied') return { code: EXTERNAL_EXIT.denied, message: null };
  if (r.outcome === 'not-found') return { code: EXTERNAL_EXIT.notFound, message: null };
  if (r.outcome === 'error') return errorOutcome(r.error, user);
  const renamed = r.user !== user;
  return {
    code: EXTERNAL_EXIT.granted,
    // The pipe protocol has no way back to Apache: REMOTE_USER stays what the client typed.
    message: renamed ? `${source.label}: check_password granted ${JSON.stringify(user)} as ${JSON.stringify(r.user)}; mod_authnz_external cannot rename the user, so REMOTE_USER stays ${JSON.stringify(user)}` : null,
  };
}

async function checkByRealmHash(source: HookSource, environ: Environ, user: string, password: string, realm: string, timeoutMs: number): Promise<ExternalOutcome> {
  const hookEnviron = Object.freeze({ ...environ, 'authhook.digest_algorithm': 'MD5' });
  const r = await callGetRealmHash(source, hookEnviron, user, realm, timeoutMs);
  if (r.outcome === 'not-found') return { code: EXTERNAL_EXIT.notFound, message: null };
  if (r.outcome === 'error') return errorOutcome(r.error, user);
  // Only this path needs node:crypto, so it loads here (about 10 ms of start-up otherwise).
  const [{ createHash }, { safeEqual }] = await Promise.all([import('node:crypto'), import('../authn/timing-safe.js')]);
  const ha1 = createHash('md5').update(`${user}:${realm}:${password}`, 'utf8').digest('hex');
  return { code: safeEqual(ha1, r.hash) ? EXTERNAL_EXIT.granted : EXTERNAL_EXIT.denied, message: null };
}

/**
 * Splits the groups line as httpd reads a Require line's words: white space separates, and
 * a word may be quoted (`"Domain Users" staff`).
 */
export function parseGroupWords(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const w = m[3] ?? (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1');
    if (w !== '') words.push(w);
  }
  return words;
}

const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (c) => c.toLowerCase());

/** Runs `groups_for_user` and grants when the user is in any wanted group (ASCII case-insensitive, as mod_wsgi). */
export async function checkExternalGroups(
  source: HookSource,
  environ: Environ,
  user: string,
  wanted: readonly string[],
  timeoutMs: number,
): Promise<ExternalOutcome> {
  if (wanted.length === 0) return { code: EXTERNAL_EXIT.badInput, message: `${source.label}: no group names on the second line` };
  const r = await callGroupsForUser(source, environ, user, timeoutMs);
  if (r.outcome === 'error') return errorOutcome(r.error, user);
  const want = new Set(wanted.map(asciiLower));
  for (const g of r.groups) if (want.has(asciiLower(g))) return { code: EXTERNAL_EXIT.granted, message: null };
  return { code: EXTERNAL_EXIT.denied, message: null };
}
