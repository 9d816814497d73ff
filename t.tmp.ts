import { writeFileSync } from 'node:fs';
import express from 'express';
import autocannon from 'autocannon';
import { express as authhook } from './src/index.js';
import { SILENT_LOGGER } from './src/log.js';
import { hashPassword, closeHashPool } from './providers/htpasswd/index.js';
const file = '/tmp/bench-ht2'; writeFileSync(file, `alice:${await hashPassword('wonderland', 'bcrypt', { cost: 10 })}\n`);
const mk = (mw?: express.RequestHandler) => { const app = express(); if (mw) app.use(mw); app.get('/', (_q, r) => { r.send('hello'); }); return new Promise<number>((res) => { const s = app.listen(0, '127.0.0.1', () => res((s.address() as { port: number }).port)); }); };
const ports = {
  bare: await mk(),
  script: await mk(authhook({ authType: 'Basic', authName: 'bench', providers: { s: { check_password: (_e: unknown, _u: string, p: string) => p === 'wonderland' } }, authBasicProvider: 's', require: 'valid-user' } as never, { logger: SILENT_LOGGER }) as never),
  file: await mk(authhook({ authType: 'Basic', authName: 'bench', authBasicProvider: 'file', authUserFile: file, require: 'valid-user' }, { logger: SILENT_LOGGER }) as never),
};
const headers = { Authorization: 'Basic ' + Buffer.from('alice:wonderland').toString('base64') };
for (let round = 0; round < 2; round++) for (const [name, port] of Object.entries(ports)) {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 10, duration: 3, headers });
  console.log(name, r.requests.average, 'non2xx', r.non2xx);
}
await closeHashPool(); process.exit(0);
