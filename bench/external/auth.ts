// The hook script the start-up benchmark checks against: one user, one group.
import type { Environ } from '../../src/types.js';

const USERS: Readonly<Record<string, string>> = { alice: 'secret' };

export function check_password(_environ: Environ, user: string, password: string): boolean | null {
  const known = USERS[user];
  return known === undefined ? null : known === password;
}

export function groups_for_user(_environ: Environ, user: string): string[] {
  return user === 'alice' ? ['staff'] : [];
}
