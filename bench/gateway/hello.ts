// The app every target serves: the smallest request listener.
import type { IncomingMessage, ServerResponse } from 'node:http';

export default function hello(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain');
  res.end('hello\n');
}
