/**
 * The in-process server: a node:http server that asks the engine about each request and
 * then hands it to the app in the same process (the mod_wsgi-express embedded way).
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine } from '../engine/decide.js';
import { attachIdentity, decideNodeRequest } from '../fronts/node-request.js';
import { renderFault, renderRefusal } from '../fronts/render.js';
import { describeError } from '../log.js';
import type { Logger } from '../types.js';
import type { RequestListener } from './load-app.js';

/** Options of `createInProcessServer`. */
export interface InProcessServerOptions {
  readonly engine: Engine;
  readonly app: RequestListener;
  readonly logger: Logger;
  readonly serverName?: string;
  readonly serverPort?: number;
}

/** Creates (does not start) the server. */
export function createInProcessServer(options: InProcessServerOptions): Server {
  const { engine, app, logger, serverName, serverPort } = options;
  return createServer(function authhookInProcess(req: IncomingMessage, res: ServerResponse) {
    const queueStart = String(Date.now() * 1000);
    decideNodeRequest(engine, req, { serverName, serverPort, extra: { 'authhook.queue_start': queueStart } }).then(
      ({ decision, environ }) => {
        if (decision.status !== 200) return renderRefusal(res, decision);
        attachIdentity(req, decision, environ);
        try {
          const r = app(req, res, (err?: unknown) => {
            if (err !== undefined) logger.error('app error', describeError(err));
            if (!res.headersSent) {
              res.statusCode = err === undefined ? 404 : 500;
              res.end();
            }
          });
          if (r instanceof Promise) r.catch((err: unknown) => {
            logger.error('app error', describeError(err));
            renderFault(res);
          });
        } catch (err) {
          logger.error('app error', describeError(err));
          renderFault(res);
        }
      },
      (err: unknown) => {
        logger.error('authhook fault; request refused', describeError(err));
        renderFault(res);
      },
    );
  });
}
