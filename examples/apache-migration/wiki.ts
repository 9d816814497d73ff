// wiki.wsgi's app, as a Node request listener. Mounted at /wiki: req.url is the part after the
// mount (PATH_INFO), req.environ.SCRIPT_NAME is "/wiki".
import type { IncomingMessage, ServerResponse } from 'node:http';

type Request = IncomingMessage & { remoteUser?: string; environ?: Readonly<Record<string, string>> };

export default function wiki(req: Request, res: ServerResponse): void {
  const page = req.url === '/' ? 'Front page' : `Page ${decodeURIComponent(req.url ?? '')}`;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`Wiki — ${page}\nsigned in as ${req.remoteUser ?? 'nobody'}\nSCRIPT_NAME=${req.environ?.SCRIPT_NAME ?? ''}\n`);
}
