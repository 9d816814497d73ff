// The benchmark's hook script: check_password with the same constant-time comparison
// express-basic-auth uses, so both do the same work per request.
import { timingSafeEqual } from 'node:crypto';

// A Map, not a plain object: a name such as "constructor" or "__proto__" is nobody.
const USERS = new Map<string, string>(Object.entries({ alice: 'wonderland' }));

function safeCompare(input: string, secret: string): boolean {
  const n = Buffer.byteLength(input);
  const a = Buffer.alloc(n, 0, 'utf8');
  a.write(input);
  const b = Buffer.alloc(n, 0, 'utf8');
  b.write(secret);
  return timingSafeEqual(a, b) && n === Buffer.byteLength(secret);
}

export function check_password(_environ: unknown, user: string, password: string): boolean | null {
  const expected = USERS.get(user);
  if (expected === undefined) return null;
  return safeCompare(password, expected);
}
