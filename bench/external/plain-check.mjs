// The baseline a hand-written external authenticator would be: plain Node, no authhook.
import { readFileSync } from 'node:fs';

const [user, password] = readFileSync(0, 'utf8').split('\n');
process.exit(user === 'alice' && password === 'secret' ? 0 : 1);
