// A stand-in app: answers with the identity headers it received, as JSON.
// Run: PORT=8081 node --import tsx examples/nginx/echo-app.ts
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';

const IDENTITY = ['remote-user', 'x-remote-user', 'remote-groups', 'remote-name', 'remote-email', 'remote-department'];

/** The app: every request gets `{ method, url, headers: { <identity header>: value | null } }`. */
export function createEchoApp(): Server {
  return createServer((req, res) => {
    const headers: Record<string, string | null> = {};
    for (const h of IDENTITY) headers[h] = (req.headers[h] as string | undefined) ?? null;
    const body = JSON.stringify({ method: req.method, url: req.url, headers });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 8081);
  createEchoApp().listen(port, '127.0.0.1', () => console.log(`echo app on http://127.0.0.1:${port}/`));
}
