// The hook script Apache runs through `authhook external` (check_password) and
// `authhook external-group` (groups_for_user): the same file mod_wsgi's
// WSGIAuthUserScript / WSGIAuthGroupScript would take.
import { createHash, timingSafeEqual } from 'node:crypto';

// A Map, not a plain object: a name such as "constructor" or "__proto__" is nobody.
const USERS = new Map<string, { password: string; groups: string[] }>(Object.entries({
  alice: { password: 'wonderland', groups: ['Staff'] },
  bob: { password: 'builder', groups: [] },
  'zoë': { password: 'pä:ss wörd', groups: ['Domain Users'] },
}));

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();

export function check_password(_environ: Record<string, string>, user: string, password: string): boolean | null {
  const u = USERS.get(user);
  if (u === undefined) return null; // exit 2: mod_authnz_external tries the next AuthExternal, if any
  return timingSafeEqual(sha(u.password), sha(password));
}

export function groups_for_user(_environ: Record<string, string>, user: string): string[] {
  return USERS.get(user)?.groups ?? [];
}
