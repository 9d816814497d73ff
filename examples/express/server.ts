// Express with authhook: one policy for the whole app, a stricter one for /admin.
// Run: node --import tsx examples/express/server.ts   (then curl -u alice:wonderland localhost:3000/admin)
import express from 'express';
import { fileURLToPath } from 'node:url';
import { express as authhook } from '../../src/index.js';

const auth = fileURLToPath(new URL('../quickstart/auth.ts', import.meta.url));

export const app = express();
app.use(
  authhook({
    locations: [
      { path: '/', authType: 'Basic', authName: 'Example', authUserScript: auth, require: 'valid-user' },
      { path: '/admin', authGroupScript: auth, require: { all: ['valid-user', 'group staff'] } },
      { path: '/health', require: 'all granted' },
    ],
  }),
);
app.get('/health', (_req, res) => {
  res.send('ok\n');
});
app.get(/.*/, (req, res) => {
  res.send(`Hello ${req.remoteUser} (${req.authType}); groups: ${req.auth?.groups.join(',') ?? ''}\n`);
});

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000);
  app.listen(port, () => process.stdout.write(`listening on http://127.0.0.1:${port}/\n`));
}
