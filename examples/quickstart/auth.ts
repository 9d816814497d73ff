// A hook script, as mod_wsgi's WSGIAuthUserScript / WSGIAuthGroupScript would run it.
// The same file serves check_password, get_realm_hash (Digest) and groups_for_user.
import { createHash, timingSafeEqual } from 'node:crypto';

// A Map, not a plain object: a name such as "constructor" or "__proto__" is nobody.
const USERS = new Map<string, { password: string; groups: string[] }>(Object.entries({
  alice: { password: 'wonderland', groups: ['staff'] },
  bob: { password: 'builder', groups: [] },
}));

const sha = (s: string) => createHash('sha256').update(s).digest();

export function check_password(_environ: Record<string, string>, user: string, password: string): boolean | null {
  const u = USERS.get(user);
  if (u === undefined) return null; // unknown user: the next provider (if any) decides
  return timingSafeEqual(sha(u.password), sha(password));
}

export function get_realm_hash(environ: Record<string, string>, user: string, realm: string): string | null {
  const u = USERS.get(user);
  if (u === undefined) return null;
  const algorithm = environ['authhook.digest_algorithm'] === 'SHA-256' ? 'sha256' : 'md5';
  return createHash(algorithm).update(`${user}:${realm}:${u.password}`).digest('hex');
}

export function groups_for_user(_environ: Record<string, string>, user: string): string[] {
  return USERS.get(user)?.groups ?? [];
}
