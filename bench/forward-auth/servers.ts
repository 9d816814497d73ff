// One upstream for bench/forward-auth, in its own process (one core each): the authhook
// forward-auth server (a hook script, or an htpasswd file), a bare node:http auth responder
// (the hop's cost), or the app.
// Prints `PORT <n>` once listening, as bench/lib/harness.ts expects.
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
// The built package (dist/, `npm run build`), as users run it.
import { createAuthServer, SILENT_LOGGER } from '../../dist/src/index.js';

const kind = process.argv[2];
let server: Server;
if (kind === 'authhook') {
  const script = fileURLToPath(new URL('../middleware/auth.ts', import.meta.url));
  server = createAuthServer({
    config: { scriptReloading: false, locations: [{ path: '/', authType: 'Basic', authName: 'bench', authUserScript: script, require: 'valid-user' }] },
    trustedProxies: ['127.0.0.1'],
    logger: SILENT_LOGGER,
  });
} else if (kind === 'authhook-file') {
  // The same check as nginx auth_basic with the same apr1 htpasswd file.
  server = createAuthServer({
    config: { scriptReloading: false, locations: [{ path: '/', authType: 'Basic', authName: 'bench', authBasicProvider: 'file', authUserFile: process.argv[3]!, require: 'valid-user' }] },
    trustedProxies: ['127.0.0.1'],
    logger: SILENT_LOGGER,
  });
} else if (kind === 'bare') {
  // What any auth server must at least do: answer 200 with no body.
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': '0' });
    res.end();
  });
  server.keepAliveTimeout = 75_000;
} else if (kind === 'bare-identity') {
  // The same, with the reply authhook sends for alice by default (every identity header, empty
  // when there is nothing): what passing an identity on costs nginx and the app.
  const head = ['Remote-User', 'alice', 'X-Remote-User', 'alice', 'Remote-Groups', '', 'Remote-Name', '', 'Remote-Email', '', 'Cache-Control', 'no-store', 'Content-Length', '0'];
  server = createServer((_req, res) => {
    res.writeHead(200, head);
    res.end();
  });
  server.keepAliveTimeout = 75_000;
} else if (kind === 'app') {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '6' });
    res.end('hello\n');
  });
  server.keepAliveTimeout = 75_000;
} else {
  throw new Error(`unknown kind ${kind}`);
}
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`PORT ${typeof a === 'object' && a !== null ? a.port : 0}\n`);
});
process.on('SIGINT', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
