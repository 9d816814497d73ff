// The hook script behind the forward-auth examples: check_password grants with facts (groups,
// name, email) that authhook sends as Remote-User, Remote-Groups, Remote-Name, Remote-Email;
// get_realm_hash serves Digest; groups_for_user serves Require group after a Digest login.
import { createHash, timingSafeEqual } from 'node:crypto';

interface User {
  readonly password: string;
  readonly groups: readonly string[];
  readonly name: string;
  readonly email: string;
}

// A Map, not a plain object: a name such as "constructor" or "__proto__" is nobody.
const USERS = new Map<string, User>(Object.entries({
  alice: { password: 'wonderland', groups: ['admins', 'staff'], name: 'Alice Liddell', email: 'alice@example.org' },
  bob: { password: 'builder', groups: ['staff'], name: 'Bob Builder', email: 'bob@example.org' },
}));

const sha = (s: string) => createHash('sha256').update(s).digest();

export function check_password(_environ: Record<string, string>, user: string, password: string) {
  const u = USERS.get(user);
  if (u === undefined) return null; // unknown: the next provider (if any) decides
  if (!timingSafeEqual(sha(u.password), sha(password))) return false;
  return { groups: u.groups, attributes: { name: u.name, email: u.email } };
}

export function get_realm_hash(environ: Record<string, string>, user: string, realm: string): string | null {
  const u = USERS.get(user);
  if (u === undefined) return null;
  const algorithm = environ['authhook.digest_algorithm'] === 'SHA-256' ? 'sha256' : 'md5';
  return createHash(algorithm).update(`${user}:${realm}:${u.password}`).digest('hex');
}

export function groups_for_user(_environ: Record<string, string>, user: string): readonly string[] {
  return USERS.get(user)?.groups ?? [];
}
