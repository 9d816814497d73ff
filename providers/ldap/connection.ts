/**
 * One LDAP connection: connect (with failover over the URL's hosts), STARTTLS, bind, each
 * step under a time limit; and what an ldapts error means for authentication.
 * @module
 */
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Client, ResultCodeError } from 'ldapts';
import { ConfigError, ProviderUnavailableError } from '../../src/errors.js';
import type { LdapHost, LdapUrl } from './url.js';

/** How to reach the directory: everything a connection needs, nothing per request. */
export interface ConnectionSettings {
  readonly url: LdapUrl;
  readonly startTls: boolean;
  readonly timeoutMs: number;
  readonly tls: tls.ConnectionOptions;
}

/** An LDAP connection that ldapts must not silently re-open (see `handOver`). */
export interface Connection {
  readonly client: Client;
  /** The socket under it (the plain one, under STARTTLS). */
  readonly socket: net.Socket;
  /** Where it is connected, for log lines. */
  readonly server: string;
  lastUsed: number;
}

/** Builds the TLS options of `LDAPTrustedGlobalCert` / `LDAPVerifyServerCert`. */
export function tlsOptions(trustedCert: string | null, verify: boolean): tls.ConnectionOptions {
  const out: tls.ConnectionOptions = { rejectUnauthorized: verify };
  if (trustedCert !== null) {
    try {
      out.ca = readFileSync(trustedCert);
    } catch (err) {
      throw new ConfigError(`LDAPTrustedGlobalCert: cannot read ${trustedCert}`, undefined, { cause: err });
    }
  }
  return Object.freeze(out);
}

/** Races a step against the time limit; on expiry `abort` tears the connection down. */
export function withDeadline<T>(step: Promise<T>, ms: number, what: string, abort: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort();
      reject(new Error(`${what} timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([step, limit]).finally(() => clearTimeout(timer));
}

/**
 * Hands ldapts a socket we connected ourselves. ldapts re-opens a dropped socket by itself,
 * unbound (a search connection would then search anonymously), so a second call throws:
 * a dropped connection surfaces as an error and the pool replaces it.
 */
function handOver(socket: net.Socket): () => net.Socket {
  let used = false;
  return () => {
    if (used) throw new Error('LDAP connection was closed');
    used = true;
    return socket;
  };
}

/** Tears a connection down without waiting for the server. */
export function discard(c: Connection): void {
  c.client
    .unbind()
    .catch(() => undefined)
    .finally(() => c.socket.destroy());
}

function connectSocket(h: LdapHost, s: ConnectionSettings, tlsOpts: tls.ConnectionOptions): Promise<net.Socket> {
  const socket = s.url.secure ? tls.connect(h.port, h.host, tlsOpts) : net.connect(h.port, h.host);
  // Idle pooled sockets must not keep the process alive.
  socket.unref();
  const ready = new Promise<net.Socket>((resolve, reject) => {
    socket.once(s.url.secure ? 'secureConnect' : 'connect', () => {
      // Until ldapts adds its own listener, an error must not become an uncaught exception.
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
  return withDeadline(ready, s.timeoutMs, `connect to ${h.host}:${h.port}`, () => socket.destroy());
}

async function openOn(h: LdapHost, s: ConnectionSettings): Promise<Connection> {
  const servername = net.isIP(h.host) === 0 ? h.host : undefined;
  const tlsOpts: tls.ConnectionOptions = { ...s.tls, host: h.host, servername };
  const socket = await connectSocket(h, s, tlsOpts);
  const open = handOver(socket);
  const client = new Client({
    url: `${s.url.secure ? 'ldaps' : 'ldap'}://${net.isIPv6(h.host) ? `[${h.host}]` : h.host}:${h.port}`,
    timeout: s.timeoutMs,
    connectTimeout: s.timeoutMs,
    ...(s.url.secure ? { createSecureConnection: open as unknown as typeof tls.connect } : { createConnection: open as unknown as typeof net.connect }),
  });
  if (s.startTls) {
    try {
      await withDeadline(client.startTLS({ ...tlsOpts }), s.timeoutMs, `STARTTLS with ${h.host}:${h.port}`, () => socket.destroy());
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }
  return { client, socket, server: `${h.host}:${h.port}`, lastUsed: 0 };
}

/** Connects to the first URL host that answers (mod_ldap's failover order). */
export async function openConnection(s: ConnectionSettings, now: () => number): Promise<Connection> {
  let last: unknown;
  for (const h of s.url.hosts) {
    try {
      const c = await openOn(h, s);
      c.lastUsed = now();
      return c;
    } catch (err) {
      last = err;
    }
  }
  throw unavailable('cannot connect to the LDAP server', s, last);
}

/** The ProviderUnavailableError (→ 503) for a failed LDAP step. */
export function unavailable(what: string, s: ConnectionSettings, cause: unknown): ProviderUnavailableError {
  const hosts = s.url.hosts.map((h) => `${h.host}:${h.port}`).join(' ');
  const why = cause instanceof Error ? cause.message : String(cause);
  return new ProviderUnavailableError(`LDAP ${hosts}: ${what}: ${why}`, { cause });
}

/** The LDAP result code of an error the server sent, or `undefined` for a transport failure. */
export function resultCode(err: unknown): number | undefined {
  return err instanceof ResultCodeError ? err.code : undefined;
}

// As mod_authnz_ldap: LDAP_SECURITY_ERROR (47–50) and constraintViolation (19, sent by some servers for a locked account).
const DENIED_CODES = new Set([19, 47, 48, 49, 50]);
const NO_SUCH_OBJECT = 32;

/** What a result code of the user's own bind means: `denied` (wrong password, locked), `gone` (entry vanished), else `error`. */
export function bindOutcome(code: number): 'denied' | 'gone' | 'error' {
  if (DENIED_CODES.has(code)) return 'denied';
  return code === NO_SUCH_OBJECT ? 'gone' : 'error';
}

/** {@link bindOutcome} of any error; a transport failure is an `error`. */
export function classifyUserBind(err: unknown): 'denied' | 'gone' | 'error' {
  const code = resultCode(err);
  return code === undefined ? 'error' : bindOutcome(code);
}
