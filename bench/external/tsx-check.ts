// What a TypeScript external authenticator costs through `node --import tsx` (SPEC §7: 382 ms).
import { readFileSync } from 'node:fs';
import { check_password } from './auth.js';

const [user = '', password = ''] = readFileSync(0, 'utf8').split('\n');
process.exit(check_password({}, user, password) === true ? 0 : 1);
