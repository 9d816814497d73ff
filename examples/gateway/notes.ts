// The in-process app: a Node request listener in the application group "notes" (its own worker
// thread of the gateway, so its own module state). authhook sets req.remoteUser and req.auth.
import type { IncomingMessage, ServerResponse } from 'node:http';

type Request = IncomingMessage & { remoteUser?: string; auth?: { groups: readonly string[] }; environ?: Record<string, string> };

const notes: string[] = [];

export default function app(req: Request, res: ServerResponse): void {
  const e = req.environ ?? {};
  res.setHeader('Content-Type', 'application/json');
  // /admin and what is under it, segment by segment: not /adminx or /admin.txt, which the
  // gateway's <Location /admin> does not protect either.
  const path = (req.url ?? '/').split('?')[0]!;
  if (path === '/admin' || path.startsWith('/admin/')) {
    res.end(JSON.stringify({ admin: true, user: req.remoteUser, notes: notes.length }) + '\n');
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      notes.push(`${req.remoteUser}: ${body}`);
      res.end(JSON.stringify({ saved: notes.length }) + '\n');
    });
    return;
  }
  res.end(JSON.stringify({ user: req.remoteUser, groups: req.auth?.groups, group: e['authhook.application_group'], notes }) + '\n');
}
