/**
 * The gateway's lean HTTP/1.1 client for its own hops (a worker's MessagePort, a daemon
 * process's Unix socket). node:http's client costs about twice a whole server per request;
 * this one writes the request head as one string and reads the response with
 * `ResponseReader`, streaming both bodies with backpressure. Connections are kept alive and
 * carry one exchange at a time.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ResponseReader, type ResponseSink } from './response-reader.js';

/** Opens a new connection to the other end. */
export type HopConnector = () => Duplex;

/** One keep-alive connection. */
class HopConnection {
  readonly socket: Duplex;
  sink: (ResponseSink & { reader: ResponseReader }) | null = null;
  alive = true;

  constructor(socket: Duplex, onGone: (c: HopConnection) => void) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => this.sink?.reader.push(d));
    const gone = (): void => {
      if (!this.alive) return;
      this.alive = false;
      onGone(this);
      this.sink?.reader.finish();
    };
    socket.on('end', gone);
    socket.on('close', gone);
    socket.on('error', gone);
  }
}

/** The connections to one worker or daemon process. */
export class HopPool {
  readonly #connect: HopConnector;
  readonly #idle: HopConnection[] = [];
  #closed = false;

  constructor(connect: HopConnector) {
    this.#connect = connect;
  }

  /** An idle connection, or a new one. */
  acquire(): HopConnection {
    return this.#idle.pop() ?? new HopConnection(this.#connect(), (c) => this.#forget(c));
  }

  /** Hands a connection back after a whole exchange. */
  release(c: HopConnection): void {
    c.sink = null;
    if (this.#closed || !c.alive) c.socket.destroy();
    else this.#idle.push(c);
  }

  #forget(c: HopConnection): void {
    const i = this.#idle.indexOf(c);
    if (i !== -1) this.#idle.splice(i, 1);
  }

  /** Closes the idle connections; busy ones close when their exchange ends. */
  destroy(): void {
    this.#closed = true;
    for (const c of this.#idle.splice(0)) c.socket.destroy();
  }
}

/** Serialises the request head; header values come from a parsed request or from the gateway, so hold no CR or LF. */
function requestHead(req: IncomingMessage, url: string, headers: readonly string[], chunked: boolean): string {
  let head = `${req.method ?? 'GET'} ${url} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) head += `${headers[i]!}: ${headers[i + 1]!}\r\n`;
  return head + (chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : '\r\n');
}

/** Streams the request body; a body of unknown length goes in chunked coding. `sent` runs once it is all written. */
function sendBody(req: IncomingMessage, socket: Duplex, chunked: boolean, sent: () => void): void {
  req.on('data', (chunk: Buffer) => {
    if (chunk.length === 0) return;
    // Every piece is written; only the last write's answer says whether to wait for 'drain'.
    if (chunked) {
      socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
    }
    const ok = socket.write(chunked ? '\r\n' : chunk);
    if (!ok) {
      req.pause();
      socket.once('drain', () => req.resume());
    }
  });
  req.once('end', () => {
    if (chunked) socket.write('0\r\n\r\n');
    sent();
  });
}

/** What one exchange needs from its caller. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: string;
  readonly headers: readonly string[];
  /** Called once: `true` when a whole response was passed on. */
  readonly settle: (ok: boolean, err?: Error) => void;
}

/** Sends one request over a pooled connection and passes the response on; returns a function that aborts it. */
export function exchange(pool: HopPool, x: Exchange): () => void {
  const conn = pool.acquire();
  const { req, res } = x;
  const socket = conn.socket;
  const sink: ResponseSink = {
    head(status: number, message: string, raw: string[]) {
      if (message === '') res.writeHead(status, raw);
      else res.writeHead(status, message, raw);
    },
    body(chunk: Buffer) {
      if (!res.write(chunk)) {
        socket.pause();
        res.once('drain', () => socket.resume());
      }
    },
    end(reusable: boolean) {
      res.end();
      // A response that came before the whole request body was sent leaves the connection mid-request.
      if (reusable && bodySent) {
        // Flow control was for this response only; the next exchange reads from the start.
        socket.resume();
        pool.release(conn);
      } else socket.destroy();
      x.settle(true);
    },
    error(err: Error) {
      socket.destroy();
      x.settle(false, err);
    },
  };
  const reader = new ResponseReader(sink, req.method === 'HEAD');
  conn.sink = Object.assign(sink, { reader });
  const cl = req.headers['content-length'];
  const hasBody = cl !== undefined ? cl !== '0' : req.headers['transfer-encoding'] !== undefined;
  const chunked = hasBody && cl === undefined;
  let bodySent = !hasBody;
  socket.write(requestHead(req, x.url, x.headers, chunked), 'latin1');
  if (hasBody) sendBody(req, socket, chunked, () => (bodySent = true));
  return () => {
    if (reader.done) return;
    conn.sink = null;
    socket.destroy();
  };
}
