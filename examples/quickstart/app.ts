// The app: a plain Node request listener. authhook sets req.remoteUser / req.authType
// (and req.environ.REMOTE_USER) before it runs.
import type { IncomingMessage, ServerResponse } from 'node:http';

export default function app(req: IncomingMessage & { remoteUser?: string; authType?: string }, res: ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`Hello ${req.remoteUser ?? 'nobody'}\nREMOTE_USER=${req.remoteUser ?? ''}\nAUTH_TYPE=${req.authType ?? ''}\n`);
}
