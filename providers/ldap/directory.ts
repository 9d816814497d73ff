/**
 * A directory server as the provider and the Require rules use it: searches and compares on
 * connections bound as the search account (kept and reused), user binds on a separate pool
 * so a user's bind never changes the search connections' identity.
 * @module
 */
import type { Entry } from 'ldapts';
import { ProviderUnavailableError } from '../../src/errors.js';
import {
  bindOutcome,
  discard,
  openConnection,
  resultCode,
  unavailable,
  withDeadline,
  type Connection,
  type ConnectionSettings,
} from './connection.js';
import { createPool, type Pool } from './pool.js';

/** What a directory needs: where the server is, and who the search account is. */
export interface DirectoryOptions {
  readonly connection: ConnectionSettings;
  /** `AuthLDAPBindDN`; `null` searches anonymously. */
  readonly bindDN: string | null;
  readonly bindPassword: string | null;
  /** Connections per pool (search, user binds); default 4. */
  readonly poolSize?: number;
  /** A connection idle longer than this is replaced, since servers and firewalls drop them silently. */
  readonly idleMs?: number;
  readonly now?: () => number;
}

/** A search: base, scope, filter (already escaped), attributes, and a size limit. */
export interface SearchSpec {
  readonly base: string;
  readonly scope: 'base' | 'one' | 'sub';
  readonly filter: string;
  readonly attributes: readonly string[];
  readonly sizeLimit: number;
}

/** Directory operations; every failure that is not an answer throws ProviderUnavailableError. */
export interface Directory {
  /** Entries found; a base that does not exist (or is not a DN) finds none. */
  search(spec: SearchSpec): Promise<Entry[]>;
  /** LDAP compare by the server's matching rules; an absent attribute compares false. */
  compare(dn: string, attribute: string, value: string): Promise<boolean>;
  /** Binds as `dn` with `password` on a user-bind connection. */
  checkPassword(dn: string, password: string): Promise<'ok' | 'denied' | 'gone'>;
  close(): void;
}

/** Connections per pool unless configured. */
export const DEFAULT_POOL_SIZE = 4;
const DEFAULT_IDLE_MS = 60_000;
// noSuchAttribute, undefinedAttributeType, inappropriateMatching, invalidAttributeSyntax: the value cannot match.
const COMPARE_NO_MATCH = new Set([16, 17, 18, 21]);
// noSuchObject, invalidDNSyntax: there is no such entry to find.
const NO_ENTRY = new Set([32, 34]);

function makePool(o: DirectoryOptions, now: () => number, asSearchAccount: boolean): Pool<Connection> {
  const s = o.connection;
  const idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
  return createPool<Connection>({
    size: o.poolSize ?? DEFAULT_POOL_SIZE,
    waitMs: s.timeoutMs,
    create: () => (asSearchAccount ? openSearchConnection(o, now) : openConnection(s, now)),
    usable: (c) => c.client.isConnected && !c.socket.destroyed && now() - c.lastUsed < idleMs,
    destroy: discard,
    // An answer from the server leaves the connection usable; a transport failure or time-out does not.
    keepAfter: (err) => resultCode(err) !== undefined,
    busy: () => new ProviderUnavailableError(`LDAP ${describeHosts(s)}: no connection free within ${s.timeoutMs} ms`),
  });
}

/** Runs one operation on a pool; a result code `answer` maps to a value is returned, anything else is a 503. */
async function run<R>(
  pool: Pool<Connection>,
  now: () => number,
  fail: (cause: unknown) => ProviderUnavailableError,
  fn: (c: Connection) => Promise<R>,
  answer: (code: number) => R | undefined,
): Promise<R> {
  try {
    return await pool.use(async (c) => {
      const r = await fn(c);
      c.lastUsed = now();
      return r;
    });
  } catch (err) {
    if (err instanceof ProviderUnavailableError) throw err;
    const code = resultCode(err);
    const r = code === undefined ? undefined : answer(code);
    if (r !== undefined) return r;
    throw fail(err);
  }
}

/** Creates the pools for one server and search identity; nothing connects before the first use. */
export function createDirectory(o: DirectoryOptions): Directory {
  const s = o.connection;
  const now = o.now ?? Date.now;
  const searchPool = makePool(o, now, true);
  const bindPool = makePool(o, now, false);
  return {
    search: (spec) =>
      run(
        searchPool,
        now,
        (err) => unavailable('search failed', s, err),
        async (c) => (await c.client.search(spec.base, { scope: spec.scope, filter: spec.filter, attributes: [...spec.attributes], sizeLimit: spec.sizeLimit })).searchEntries,
        (code) => (NO_ENTRY.has(code) ? [] : undefined),
      ),
    compare: (dn, attribute, value) =>
      run(
        searchPool,
        now,
        (err) => unavailable('compare failed', s, err),
        (c) => c.client.compare(dn, attribute, value),
        (code) => (COMPARE_NO_MATCH.has(code) || NO_ENTRY.has(code) ? false : undefined),
      ),
    checkPassword: (dn, password) =>
      run<'ok' | 'denied' | 'gone'>(
        bindPool,
        now,
        (err) => unavailable('user bind failed', s, err),
        async (c) => {
          await c.client.bind(dn, password);
          return 'ok';
        },
        (code) => {
          const kind = bindOutcome(code);
          return kind === 'error' ? undefined : kind;
        },
      ),
    close() {
      searchPool.close();
      bindPool.close();
    },
  };
}

function describeHosts(s: ConnectionSettings): string {
  return s.url.hosts.map((h) => `${h.host}:${h.port}`).join(' ');
}

/** A connection bound as the search account; its bind failing is a general error (→ 503), never a denial. */
async function openSearchConnection(o: DirectoryOptions, now: () => number): Promise<Connection> {
  const c = await openConnection(o.connection, now);
  if (o.bindDN === null) return c;
  try {
    await withDeadline(c.client.bind(o.bindDN, o.bindPassword ?? ''), o.connection.timeoutMs, 'search account bind', () => c.socket.destroy());
    return c;
  } catch (err) {
    discard(c);
    throw unavailable(`the search account ${o.bindDN} could not bind`, o.connection, err);
  }
}
