// access.wsgi, in TypeScript: runs before authentication. `false` forbids (403); `null` leaves
// it to the Require rules; `true` allows the host but still asks for a password where a
// Require needs a user (as mod_wsgi).
const GUEST_WIFI = '192.0.2.';

export function allow_access(_environ: Record<string, string>, host: string): boolean | null {
  if (host.startsWith(GUEST_WIFI)) return false;
  return null;
}
