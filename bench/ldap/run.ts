// bench/ldap: logins/s against a local slapd, same run, same concurrency:
//   pooled            authhook's LDAP provider (search connection kept bound, pooled user binds)
//   bind-per-request  the passport-ldapauth way: new client, bind search account, search, bind user, unbind
//   cached            the pooled provider behind a per-bench HMAC(user, password) cache (positive results)
// Usage: node --import tsx bench/ldap/run.ts [--seconds 5] [--rounds 3] [--concurrency 16] [--pool 4]
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { escapeFilterValue } from '../../providers/ldap/escape.js';
import type { Environ } from '../../src/types.js';
import { ldapSettings, PASSWORDS, PEOPLE, SEARCH_DN, SEARCH_PASSWORD, startSlapd } from '../../test/e2e/slapd.js';

type Login = (user: string, password: string) => Promise<boolean>;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '16' },
    pool: { type: 'string', default: '4' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const USERS = ['alice', 'bob', 'carol', 'dave', 'eve'];
const ENVIRON: Environ = Object.freeze({});

/** The passport-ldapauth baseline: everything from scratch for every login. */
function bindPerRequest(server: string): Login {
  return async (user, password) => {
    const client = new Client({ url: server, timeout: 5000, connectTimeout: 5000 });
    try {
      await client.bind(SEARCH_DN, SEARCH_PASSWORD);
      const { searchEntries } = await client.search(PEOPLE, { scope: 'sub', filter: `(&(objectClass=inetOrgPerson)(uid=${escapeFilterValue(user)}))`, sizeLimit: 2 });
      if (searchEntries.length !== 1) return false;
      await client.bind(searchEntries[0]!.dn, password);
      return true;
    } catch {
      return false;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  };
}

/** A positive-result cache keyed by HMAC(secret, user ‖ password): no password is kept. */
function cached(inner: Login, ttlMs = 60_000): Login {
  const secret = randomBytes(32);
  const hits = new Map<string, number>();
  return async (user, password) => {
    const key = createHmac('sha256', secret).update(user).update('\u0000').update(password).digest('base64');
    const until = hits.get(key);
    if (until !== undefined && until > Date.now()) return true;
    const ok = await inner(user, password);
    if (ok) hits.set(key, Date.now() + ttlMs);
    return ok;
  };
}

async function measure(login: Login, seconds: number): Promise<{ perSecond: number; failures: number }> {
  let done = 0;
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async (w: number) => {
    for (let i = w; performance.now() < end; i += CONCURRENCY) {
      const user = USERS[i % USERS.length]!;
      if (await login(user, PASSWORDS[user]!)) done++;
      else failures++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  return { perSecond: (done / (performance.now() - t0)) * 1000, failures };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const slapd = await startSlapd();
const provider = createLdapProvider(ldapSettings(slapd.server), { poolSize: Number(values.pool) });
const pooled: Login = async (u, p) => typeof (await provider.check_password(ENVIRON, u, p)) === 'object';
const variants: [string, Login][] = [
  ['pooled (authhook)', pooled],
  ['bind-per-request', bindPerRequest(slapd.server)],
  ['cached (HMAC, pooled behind)', cached(pooled)],
];
const results = new Map<string, number[]>(variants.map(([n]) => [n, []]));
try {
  for (const [, login] of variants) await measure(login, 1);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, login] of variants) {
      const { perSecond, failures } = await measure(login, SECONDS);
      if (failures > 0) throw new Error(`${name}: ${failures} logins failed`);
      results.get(name)!.push(perSecond);
    }
  }
} finally {
  await provider.close();
  await slapd.close();
}
const base = median(results.get('bind-per-request')!);
console.log(`LDAP logins/s, slapd on loopback, concurrency ${CONCURRENCY}, pool ${values.pool}, ${ROUNDS} × ${SECONDS}s (median)`);
for (const [name, xs] of results) {
  const m = median(xs);
  console.log(`${name.padEnd(30)} ${m.toFixed(0).padStart(9)} /s   ×${(m / base).toFixed(2)} vs bind-per-request   [${xs.map((x) => x.toFixed(0)).join(', ')}]`);
}
