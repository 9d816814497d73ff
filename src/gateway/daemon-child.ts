/**
 * Child-process entry of a daemon process group (mod_wsgi's daemon process): it serves the
 * group's apps over a Unix socket that only the gateway can reach, with the same
 * application groups as the gateway (`%{GLOBAL}` here, others in worker threads).
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createAppGroups, type AppGroups } from './app-group.js';
import { relayHeaders } from './forward.js';
import { decodeFacts, FACTS_HEADER } from './hop.js';
import { registerModulePath } from './node-path-hook.js';
import { receiveHop } from './receive.js';
import { postingLogger, preloadAll } from './worker-host.js';
import type { HostMessage } from './worker-group.js';
import { IdentityIncomingMessage } from '../fronts/request-identity.js';

/** What the gateway tells a daemon process first, over the IPC channel. */
export interface DaemonInit {
  readonly t: 'init';
  readonly socketPath: string;
  readonly group: string;
  readonly title: string;
  readonly modulePath: readonly string[];
  /** Apps to load before taking requests: `[app, application group]`. */
  readonly preload: readonly (readonly [string, string])[];
}

/** What the gateway may tell a daemon process later. */
export type DaemonCommand = DaemonInit | { readonly t: 'retire' };

/** How long a retiring process may take to close its connections before it just exits. */
const RETIRE_GRACE_MS = 10_000;

function badRequest(res: ServerResponse): void {
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Bad Request\n');
}

function daemonListener(groups: AppGroups): (req: IncomingMessage, res: ServerResponse) => void {
  return function authhookDaemon(req, res) {
    const facts = decodeFacts(req.headers[FACTS_HEADER]);
    if (facts === null) return badRequest(res);
    const group = facts.cgi['authhook.application_group'] ?? '';
    if (group !== '') {
      groups.worker(group).forward(facts.app, { req, res, url: req.url ?? '/', headers: relayHeaders(req) }, () => undefined);
      return;
    }
    if (receiveHop(req, facts) === null) return badRequest(res);
    groups.main.run(facts.app, req, res);
  };
}

async function preload(groups: AppGroups, init: DaemonInit, logger: ReturnType<typeof postingLogger>): Promise<string[]> {
  const main = init.preload.filter(([, g]) => g === '').map(([app]) => app);
  const failed = await preloadAll(groups.main, main, logger);
  for (const [app, g] of init.preload) {
    if (g === '') continue;
    const w = groups.worker(g);
    w.apps.add(app);
    const bad = await w.current().ready.catch(() => [app]);
    failed.push(...bad);
  }
  return failed;
}

async function start(init: DaemonInit): Promise<void> {
  const send = (m: HostMessage): void => {
    if (process.connected) process.send!(m);
  };
  const logger = postingLogger(send);
  process.title = init.title;
  registerModulePath(init.modulePath);
  const groups = createAppGroups(logger);
  // The hop carries the client's headers as they came: an HTTP/1.0 client may have sent no Host,
  // and the gateway has already bounded how many (its own server's limit), plus its own few.
  const server = createServer({ IncomingMessage: IdentityIncomingMessage, requireHostHeader: false }, daemonListener(groups));
  server.maxHeadersCount = 0;
  // The gateway owns the connections and the time limits.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  const failed = await preload(groups, init, logger);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(init.socketPath, resolve);
  });
  process.on('message', (m: DaemonCommand) => {
    if (m.t !== 'retire') return;
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), RETIRE_GRACE_MS).unref();
  });
  send({ t: 'ready', failed });
}

// Orphaned by a gateway that died: nothing can reach this process any more.
process.once('disconnect', () => process.exit(0));
process.once('message', (m: DaemonCommand) => {
  if (m.t === 'init') void start(m);
});
