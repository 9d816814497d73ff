// auth.wsgi, in TypeScript. The same module answers check_password (Basic), get_realm_hash
// (Digest) and groups_for_user, under the names mod_wsgi calls them by.
import { createHash, timingSafeEqual } from 'node:crypto';

// Contractors, who are not in intranet.htpasswd. A real script would ask a database.
// A Map, not a plain object: a name such as "constructor" or "__proto__" is nobody.
const CONTRACTORS = new Map<string, string>(Object.entries({ carol: 'contract', dave: 'dave-secret' }));
const ADMINS = new Set(['alice', 'carol']);

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function check_password(_environ: Record<string, string>, user: string, password: string): boolean | null {
  const expected = CONTRACTORS.get(user);
  if (expected === undefined) return null; // not ours: the next provider decides (here: none, 401)
  return timingSafeEqual(sha(expected), sha(password));
}

export function get_realm_hash(environ: Record<string, string>, user: string, realm: string): string | null {
  const password = CONTRACTORS.get(user);
  if (password === undefined) return null;
  const algorithm = environ['authhook.digest_algorithm'] === 'SHA-256' ? 'sha256' : 'md5';
  return createHash(algorithm).update(`${user}:${realm}:${password}`, 'utf8').digest('hex');
}

// Asked for every user who authenticated, whichever provider knew them (alice is in the htpasswd file).
export function groups_for_user(_environ: Record<string, string>, user: string): string[] {
  return ADMINS.has(user) ? ['wiki-admins'] : [];
}
