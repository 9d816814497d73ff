// Shared test helpers: request environs, credentials headers, a Digest client, temp scripts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type OutgoingHttpHeaders } from 'node:http';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environ, HookModule, Logger } from '../../src/types.js';

/** A minimal environ, as a front would build it. */
export function environ(overrides: Record<string, string> = {}): Environ {
  return Object.freeze({
    REQUEST_METHOD: 'GET',
    REQUEST_URI: '/',
    SCRIPT_NAME: '/',
    PATH_INFO: '',
    QUERY_STRING: '',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '50000',
    'authhook.version': 'test',
    'authhook.application_group': '',
    'authhook.process_group': '',
    ...overrides,
  });
}

/** `Basic base64(user:password)`. */
export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

/** A logger that keeps every line, to assert on what was (and was not) logged. */
export function memoryLogger(): Logger & { lines: { level: string; message: string; fields: Record<string, unknown> }[]; text(): string } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const push = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    lines.push({ level, message, fields: { ...(fields ?? {}) } });
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error'), text: () => JSON.stringify(lines) };
}

/** Parses one `WWW-Authenticate: Digest …` value into its parameters (test client side). */
export function parseChallenge(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (const m of value.slice(value.indexOf(' ') + 1).matchAll(re)) out[m[1]!.toLowerCase()] = (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1');
  return out;
}

/** A client-side RFC 7616 computation of the Authorization header for a challenge. */
export function digestAuthorization(options: {
  challenge: string;
  user: string;
  password: string;
  method: string;
  uri: string;
  nc?: number;
  cnonce?: string;
}): string {
  const c = parseChallenge(options.challenge);
  const algorithm = c.algorithm ?? 'MD5';
  const h = (s: string) => createHash(algorithm === 'SHA-256' ? 'sha256' : 'md5').update(s, 'utf8').digest('hex');
  const nc = (options.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = options.cnonce ?? randomBytes(8).toString('hex');
  const ha1 = h(`${options.user}:${c.realm}:${options.password}`);
  const ha2 = h(`${options.method}:${options.uri}`);
  const response = h(`${ha1}:${c.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const parts = [
    `username="${options.user}"`,
    `realm="${c.realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${options.uri}"`,
    `algorithm=${algorithm}`,
    `qop=auth`,
    `nc=${nc}`,
    `cnonce="${cnonce}"`,
    `response="${response}"`,
  ];
  if (c.opaque !== undefined) parts.push(`opaque="${c.opaque}"`);
  return 'Digest ' + parts.join(', ');
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'authhook-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a hook script into a fresh temp dir and returns its path. */
export function writeScript(source: string, name = 'auth.ts', dir = tempDir()): string {
  const p = join(dir, name);
  writeFileSync(p, source);
  return p;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns true or the time runs out. */
export async function eventually(fn: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(25);
  }
  throw new Error('condition not met in time');
}

/** Every `WWW-Authenticate` value of a response, from its raw headers (Node's client joins repeats). */
export function wwwAuthenticate(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'www-authenticate') out.push(rawHeaders[i + 1]!);
  return out;
}

/** A raw HTTP reply. */
export interface RawReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Header names and values as they came, repeats kept. */
  readonly raw: readonly string[];
  readonly body: string;
}

/** Sends one request with the path exactly as given (no URL normalisation) and these headers (a list: repeated lines). */
export function rawRequest(port: number, path: string, headers: Readonly<Record<string, string | readonly string[]>> = {}, method = 'GET'): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: headers as OutgoingHttpHeaders, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes these bytes to a new connection and resolves to everything the server sent back before it closed. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(port, '127.0.0.1', () => sock.write(bytes));
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (got += d));
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
  });
}

/** A group script whose groups_for_user counts its calls. */
export function countingGroups(groups: () => unknown): HookModule & { calls: number } {
  const m = {
    calls: 0,
    groups_for_user() {
      m.calls++;
      return groups() as string[];
    },
  };
  return m;
}
