// The daemon-mode app: a fetch(Request) → Response handler, run in the "reports" daemon processes.
// It reads the identity the same way an in-process app does (context.remoteUser / environ),
// and sees when the gateway accepted the request (X-Request-Start, as APM agents read it).
import { threadId } from 'node:worker_threads';

interface Context {
  readonly remoteUser: string | undefined;
  readonly environ: Readonly<Record<string, string>> | undefined;
}

let served = 0;

export default {
  fetch(request: Request, context: Context): Response {
    served++;
    const queuedUs = Date.now() * 1000 - Number(context.environ?.['authhook.queue_start'] ?? 0);
    const body = {
      report: new URL(request.url).pathname,
      user: context.remoteUser ?? null,
      pid: process.pid,
      threadId,
      served,
      cwd: process.cwd(),
      xRequestStart: request.headers.get('x-request-start'),
      queuedMs: Math.round(queuedUs / 100) / 10,
    };
    return Response.json(body);
  },
};
