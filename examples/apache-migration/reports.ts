// reports.wsgi's app. authhook has already checked the Digest credentials and the access script.
import type { IncomingMessage, ServerResponse } from 'node:http';

type Request = IncomingMessage & { remoteUser?: string; authType?: string };

let served = 0;

export default function reports(req: Request, res: ServerResponse): void {
  served++;
  res.setHeader('Content-Type', 'application/json');
  res.end(JSON.stringify({ report: req.url, user: req.remoteUser ?? null, authType: req.authType ?? null, served }) + '\n');
}
