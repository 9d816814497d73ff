// Starts Debian's OpenLDAP slapd on a free loopback port with a throwaway config (mdb backend)
// loaded from test/fixtures/ldap/base.ldif, and stops it by its PID. Also: a TCP listener
// that accepts and never answers, and a closed port, for the fault tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../providers/ldap/index.js';
import { parseRequireSpec, type RequireSpec } from '../../src/authz/require-parse.js';
import { staticSource } from '../../src/hooks/load-script.js';
import type { AuthhookModel, HookSource, LdapSettings, LocationSection, PolicyDirectives, ProviderFactories } from '../../src/config/model.js';
import type { HookModule } from '../../src/types.js';

export const SLAPD = '/usr/sbin/slapd';
export const SLAPADD = '/usr/sbin/slapadd';
export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const SEARCH_DN = `cn=search,${SUFFIX}`;
export const SEARCH_PASSWORD = 'search-secret';
export const FIXTURE = fileURLToPath(new URL('../fixtures/ldap/base.ldif', import.meta.url));

/** The password of each fixture user (see base.ldif). */
export const PASSWORDS: Readonly<Record<string, string>> = Object.freeze({
  alice: 'alice-pw',
  bob: 'bob-pw',
  carol: 'carol-pw',
  dave: 'dave-pw',
  eve: 'eve-pw',
  'st*r': 'star-pw',
  'paren)(user': 'paren-pw',
  'space man': 'space-pw',
  twin: 'twin-pw',
  ghost: 'ghost-pw',
});

/**
 * Why the slapd tests cannot run here, or `false` when they can. On CI a missing slapd
 * is a failure, never a skip.
 */
export function slapdSkipReason(): string | false {
  const missing = [SLAPD, SLAPADD].filter((p) => !existsSync(p));
  if (missing.length === 0) return false;
  const reason = `OpenLDAP not installed (${missing.join(', ')} missing; apt-get install slapd ldap-utils)`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}`);
  return reason;
}

/** A running (or stopped) slapd. */
export interface Slapd {
  readonly port: number;
  /** `ldap://127.0.0.1:PORT` */
  readonly server: string;
  readonly pid: number | null;
  /** `ldaps://127.0.0.1:PORT` when started with `tls`. */
  readonly tlsServer: string | null;
  /** The self-signed certificate to trust (LDAPTrustedGlobalCert) when started with `tls`. */
  readonly caFile: string | null;
  /** Stops the server, keeping its data for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function config(dir: string, tls: boolean): string {
  return [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    ...(tls ? [`TLSCertificateFile ${join(dir, 'cert.pem')}`, `TLSCertificateKeyFile ${join(dir, 'key.pem')}`] : []),
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'database mdb',
    'maxsize 16777216',
    `suffix "${SUFFIX}"`,
    `rootdn "cn=admin,${SUFFIX}"`,
    `directory ${join(dir, 'db')}`,
    'index objectClass eq',
    'index uid eq',
    'access to attrs=userPassword by anonymous auth by * none',
    `access to dn.subtree="ou=hidden,${SUFFIX}" by dn.exact="${SEARCH_DN}" read by anonymous auth by * none`,
    'access to * by * read',
    '',
  ].join('\n');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitUntil(fn: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${what} within ${ms} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Why the TLS tests cannot run here (no openssl to make a certificate), or `false`. */
export function tlsSkipReason(): string | false {
  const reason = slapdSkipReason();
  if (reason !== false) return reason;
  if (spawnSync('openssl', ['version']).status === 0) return false;
  if (process.env.CI === 'true') throw new Error('CI=true and openssl is missing');
  return 'openssl not installed (needed to make a test certificate)';
}

// A throwaway self-signed certificate for 127.0.0.1 / localhost.
function makeCertificate(dir: string): void {
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
}

/** Options of `startSlapd`. */
export interface SlapdOptions {
  readonly ldif?: string;
  /** Also listen on ldaps:// and offer STARTTLS, with a self-signed certificate (`caFile`). */
  readonly tls?: boolean;
}

/** Starts slapd with the fixture directory loaded. */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const tls = options.tls ?? false;
  const dir = mkdtempSync(join(tmpdir(), 'authhook-slapd-'));
  mkdirSync(join(dir, 'db'));
  if (tls) makeCertificate(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(conf, config(dir, tls));
  const ldif = options.ldif ?? FIXTURE;
  const load = spawnSync(SLAPADD, ['-q', '-f', conf, '-l', ldif], { encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`slapadd failed: ${load.stderr}`);
  const port = await freePort();
  const tlsPort = tls ? await freePort() : 0;
  const urls = [`ldap://127.0.0.1:${port}/`, ...(tls ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])];
  const pidFile = join(dir, 'slapd.pid');
  let child: ChildProcess | null = null;
  let stderr = '';

  async function start(): Promise<void> {
    if (child !== null) return;
    rmSync(pidFile, { force: true });
    stderr = '';
    // -d 0 keeps slapd in the foreground (our child), logging nothing.
    const c = spawn(SLAPD, ['-f', conf, '-h', urls.join(' '), '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child = c;
    await waitUntil(async () => {
      if (c.exitCode !== null) throw new Error(`slapd exited with ${c.exitCode}: ${stderr}`);
      return existsSync(pidFile) && (await canConnect(port));
    }, 10_000, 'slapd did not start');
  }

  async function stop(): Promise<void> {
    const c = child;
    if (c === null) return;
    child = null;
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : c.pid;
    if (pid === undefined) return;
    const gone = exited(c);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 3000);
    await gone;
    clearTimeout(timer);
  }

  await start();
  return {
    port,
    server: `ldap://127.0.0.1:${port}`,
    tlsServer: tls ? `ldaps://127.0.0.1:${tlsPort}` : null,
    caFile: tls ? join(dir, 'cert.pem') : null,
    get pid() {
      return (child as ChildProcess | null)?.pid ?? null;
    },
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP listener that accepts connections and never answers (a hung LDAP server). */
export async function startHangingServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((s) => {
    count++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** LdapSettings as the config merge fills them, pointed at `server`. */
export function ldapSettings(server: string, overrides: Partial<LdapSettings> = {}, urlTail = `/${PEOPLE}?uid,cn,mail?sub?(objectClass=inetOrgPerson)`): LdapSettings {
  return Object.freeze({
    url: server + urlTail,
    startTls: false,
    bindDN: SEARCH_DN,
    bindPassword: SEARCH_PASSWORD,
    remoteUserAttribute: null,
    groupAttributes: Object.freeze(['member', 'uniqueMember']),
    groupAttributeIsDN: true,
    maxSubGroupDepth: 10,
    trustedCert: null,
    verifyServerCert: true,
    timeoutMs: 2000,
    ...overrides,
  });
}

/** One location of a test model that authenticates through LDAP. */
export interface LdapLocation {
  readonly path?: string;
  /** AuthBasicProvider; default `ldap`. */
  readonly providers?: readonly string[];
  /** AuthLDAP* directives; `null` sets none (no AuthLDAPURL). */
  readonly ldap?: Partial<LdapSettings> | null;
  readonly require: RequireSpec;
  readonly forbiddenOnFailure?: boolean;
}

/** A policy model with `ldap` resolved through `factory`, and named providers (e.g. a file-like `backup`). */
export function ldapModel(
  server: string,
  locations: readonly LdapLocation[],
  factory: ProviderFactories['ldap'],
  providers: Readonly<Record<string, HookModule>> = {},
): AuthhookModel {
  const sections: LocationSection[] = locations.map((l, i) => {
    const ldap = l.ldap === null ? undefined : { ...ldapSettings(server), ...l.ldap };
    const d: PolicyDirectives = {
      authType: 'Basic',
      authName: 'LDAP test',
      basicProviders: l.providers ?? ['ldap'],
      require: parseRequireSpec(l.require, `test.${i}.require`),
      ...(ldap === undefined ? {} : { ldap }),
      ...(l.forbiddenOnFailure === undefined ? {} : { forbiddenOnFailure: l.forbiddenOnFailure }),
    };
    return { kind: 'prefix', path: l.path ?? '/', regex: null, directives: d, where: `test.${i}` };
  });
  const named: Record<string, HookSource> = {};
  for (const [k, v] of Object.entries(providers)) named[k] = staticSource(k, v);
  return {
    global: { hookTimeoutMs: 5000, scriptReloading: false, nonceSecret: Buffer.from('test-secret-test-secret') },
    sections,
    providers: named,
    providerFactories: factory === undefined ? {} : { ldap: factory },
  };
}
