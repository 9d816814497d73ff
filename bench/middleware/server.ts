// One server under test for bench/middleware: bare Express or Express behind an auth middleware.
import express from 'express';
import basicAuth from 'express-basic-auth';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { fileURLToPath } from 'node:url';
// The built package (dist/, `npm run build`), as users run it.
import { express as authhook, SILENT_LOGGER } from '../../dist/src/index.js';

const kind = process.argv[2];
const app = express();
const USERS: Record<string, string> = { alice: 'wonderland' };

if (kind === 'authhook') {
  const script = fileURLToPath(new URL('./auth.ts', import.meta.url));
  app.use(authhook({ authType: 'Basic', authName: 'bench', authUserScript: script, require: 'valid-user', scriptReloading: false }, { logger: SILENT_LOGGER }));
} else if (kind === 'express-basic-auth') {
  app.use(basicAuth({ users: USERS }));
} else if (kind === 'passport-http') {
  passport.use(
    new BasicStrategy((user, password, done) => {
      const p = USERS[user];
      done(null, p !== undefined && p === password ? { user } : false);
    }),
  );
  app.use(passport.initialize());
  app.use(passport.authenticate('basic', { session: false }));
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
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
