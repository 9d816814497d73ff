/**
 * Worker-thread entry: one application group with its own module graph. It runs a node:http
 * server that never listens; each connection is a MessagePort the parent hands over.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';
import { createMainApps, type MainApps } from './main-apps.js';
import { PortSocket } from './port-socket.js';
import { receiveHop } from './receive.js';
import type { HostMessage, WorkerCommand, WorkerHostData, WorkerPong } from './worker-group.js';
import { IdentityIncomingMessage } from '../fronts/request-identity.js';

/** A logger that posts each line to the parent, which logs it with its own logger. */
export function postingLogger(post: (m: HostMessage) => void): Logger {
  const send = (level: 'info' | 'warn' | 'error') => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    try {
      post({ t: 'log', level, message, fields: fields === undefined ? undefined : JSON.parse(JSON.stringify(fields)) });
    } catch {
      // The parent is gone; nobody is left to read the line.
    }
  };
  return { info: send('info'), warn: send('warn'), error: send('error') };
}

/** The listener of a hop's far end: facts read, then the app in this thread. */
export function hopListener(apps: MainApps): (req: IncomingMessage, res: ServerResponse) => void {
  return function authhookHop(req, res) {
    const hop = receiveHop(req);
    if (hop === null) {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Bad Request\n');
      return;
    }
    apps.run(hop.app, req, res);
  };
}

/** Preloads apps; returns those that failed (logged). */
export async function preloadAll(apps: MainApps, paths: readonly string[], logger: Logger): Promise<string[]> {
  const failed: string[] = [];
  for (const app of paths) {
    try {
      await apps.preload(app);
    } catch (err) {
      failed.push(app);
      logger.error('app module failed to load', { app, ...describeError(err) });
    }
  }
  return failed;
}

async function main(port: MessagePort, data: WorkerHostData): Promise<void> {
  const logger = postingLogger((m) => port.postMessage(m));
  const apps = createMainApps(logger);
  // The hop carries the client's headers as they came: an HTTP/1.0 client may have sent no Host,
  // and the gateway has already bounded how many (its own server's limit), plus its own few.
  const server = createServer({ IncomingMessage: IdentityIncomingMessage, requireHostHeader: false }, hopListener(apps));
  server.maxHeadersCount = 0;
  // The parent owns the connections: they stay open until it closes them.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  port.on('message', (m: WorkerCommand) => {
    if (m.t === 'connect') server.emit('connection', new PortSocket(m.port));
    // Answered from the event loop, so a pong means this thread still runs.
    else if (m.t === 'ping') port.postMessage({ t: 'pong', n: m.n } satisfies WorkerPong);
  });
  const failed = await preloadAll(apps, data.preload, logger);
  port.postMessage({ t: 'ready', failed } satisfies HostMessage);
}

if (parentPort !== null) await main(parentPort, workerData as WorkerHostData);
