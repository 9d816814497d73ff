// One server under test for bench/htpasswd: bare Express, Express + authhook's file provider
// (cached or not), or Express + http-auth, all on the same htpasswd file (argv[3]).
import express from 'express';
import { createRequire } from 'node:module';
// The built package (dist/, `npm run build`), as users run it.
import { express as authhook, SILENT_LOGGER } from '../../dist/src/index.js';

interface HttpAuthBasic {
  check(next: (req: unknown, res: unknown) => void): (req: unknown, res: unknown) => void;
}
const httpAuth = createRequire(import.meta.url)('http-auth') as { basic(o: { realm: string; file: string }): HttpAuthBasic };

const [kind, file] = [process.argv[2], process.argv[3]!];
const app = express();
// CPU time per request is steadier than requests/s on a machine shared with other work.
let served = 0;
let start: NodeJS.CpuUsage | null = null;
app.use((_req, _res, next) => {
  // From the first request on, so start-up (loading TypeScript) is not counted.
  start ??= process.cpuUsage();
  served++;
  next();
});

if (kind === 'authhook-cached' || kind === 'authhook-uncached') {
  const policy = { authType: 'Basic', authName: 'bench', authBasicProvider: 'file', authUserFile: file, require: 'valid-user' } as const;
  app.use(authhook(kind === 'authhook-cached' ? policy : { ...policy, authnCache: false }, { logger: SILENT_LOGGER }));
} else if (kind === 'authhook-script') {
  // The reference: authhook with a plain in-memory check_password, to separate the cache's cost from the middleware's.
  const check_password = (_e: unknown, user: string, password: string) => (user === 'alice' ? password === 'wonderland' : null);
  app.use(authhook({ authType: 'Basic', authName: 'bench', providers: { mem: { check_password } }, authBasicProvider: 'mem', require: 'valid-user' }, { logger: SILENT_LOGGER }));
} else if (kind === 'http-auth') {
  const basic = httpAuth.basic({ realm: 'bench', file });
  app.use((req, res, next) => basic.check(() => next())(req, res));
} else if (kind !== 'bare') {
  throw new Error(`unknown kind ${kind}`);
}
app.get('/', (_req, res) => {
  res.send('hello');
});
const server = app.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`PORT ${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
function report(): never {
  const { user, system } = process.cpuUsage(start ?? undefined);
  process.stderr.write(`cpu ${kind}: ${((user + system) / Math.max(1, served)).toFixed(1)} µs per request over ${served} requests\n`);
  process.exit(0);
}
process.on('SIGINT', report);
process.on('SIGTERM', report);
