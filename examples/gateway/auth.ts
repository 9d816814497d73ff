// The hook script of the example: check_password and groups_for_user, under the names mod_wsgi
// calls them by. A real script would ask a database or a directory.
import { createHash, timingSafeEqual } from 'node:crypto';

// Maps, not plain objects: a name such as "constructor" or "__proto__" is nobody.
const USERS = new Map<string, string>(Object.entries({ alice: 'wonderland', bob: 'builder' }));
const GROUPS = new Map<string, string[]>(Object.entries({ alice: ['admins', 'staff'], bob: ['staff'] }));

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function check_password(_environ: Record<string, string>, user: string, password: string): boolean | null {
  const expected = USERS.get(user);
  if (expected === undefined) return null;
  return timingSafeEqual(sha(expected), sha(password));
}

export function groups_for_user(_environ: Record<string, string>, user: string): string[] {
  return GROUPS.get(user) ?? [];
}
