// Passport with authhook's HookStrategy: the hook script decides, passport does the rest.
// Run: node --import tsx examples/passport/server.ts
//   curl -u alice:wonderland localhost:3000/me          → 200 {"username":"alice",…}
//   curl -u bob:builder -i localhost:3000/staff         → 401: bob is not in staff
//   curl --digest -u alice:wonderland localhost:3000/digest/me
// In an installed package: import { HookStrategy } from 'authhook/passport';
import express, { type NextFunction, type Request, type Response } from 'express';
import passport from 'passport';
import { fileURLToPath } from 'node:url';
import { HookStrategy } from '../../src/fronts/passport.js';

const script = fileURLToPath(new URL('../quickstart/auth.ts', import.meta.url));

passport.use(new HookStrategy({ script, realm: 'Example' }));
passport.use(new HookStrategy({ name: 'authhook-staff', script, realm: 'Staff', groups: ['staff'] }));
// One nonceSecret for every instance behind a load balancer, so their Digest nonces agree.
passport.use(new HookStrategy({ name: 'authhook-digest', script, realm: 'Digest', scheme: 'Digest', nonceSecret: process.env.NONCE_SECRET ?? 'change-me-to-a-long-random-secret' }));

export const app = express();
const me = (req: Request, res: Response): void => {
  res.json(req.user);
};
app.get('/me', passport.authenticate('authhook', { session: false }), me);
app.get('/staff', passport.authenticate('authhook-staff', { session: false }), me);
app.get('/digest/me', passport.authenticate('authhook-digest', { session: false }), me);
// A hook that throws or times out arrives here (err.code AUTHHOOK_ERR_HOOK_*, err.status 500 or 503).
app.use((err: { status?: number; code?: string; headers?: Record<string, string> }, _req: Request, res: Response, _next: NextFunction) => {
  res.status(err.status ?? 500).set(err.headers ?? {}).json({ error: err.code ?? 'internal' });
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000);
  app.listen(port, () => process.stdout.write(`listening on http://127.0.0.1:${port}/\n`));
}
