/**
 * Reading an HTTP/1.1 response from a hop connection (RFC 9112 §6): the head, then a body
 * framed by Content-Length, by chunked coding, or by the connection closing. The other end
 * is authhook's own worker or daemon process, so this reader only needs to be exact, not
 * lenient; it is the lean half of the gateway's hop client.
 * @module
 */
import { HOP_BY_HOP } from './hop.js';

/** Where a response goes as it is read. */
export interface ResponseSink {
  /** The status and the headers to pass on: hop-by-hop ones (RFC 9110 §7.6.1) are left out. */
  head(status: number, message: string, rawHeaders: string[]): void;
  body(chunk: Buffer): void;
  /** The response is complete; `reusable` when the connection may carry another request. */
  end(reusable: boolean): void;
  error(err: Error): void;
}

const MAX_HEAD = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const DIGITS = /^\d{3}$/;

/** `HTTP/1.x NNN[ reason]`: the status and reason (no CR or LF in it), or `null`. */
function statusLine(line: string): { status: number; message: string } | null {
  if (!line.startsWith('HTTP/1.') || (line[7] !== '1' && line[7] !== '0') || line[8] !== ' ') return null;
  const code = line.slice(9, 12);
  if (!DIGITS.test(code)) return null;
  if (line.length === 12) return { status: Number(code), message: '' };
  if (line[12] !== ' ') return null;
  const message = line.slice(13);
  return message.includes('\r') || message.includes('\n') ? null : { status: Number(code), message };
}

type State = 'head' | 'fixed' | 'size' | 'data' | 'data-end' | 'trailer' | 'close' | 'done';

/** A response reader for one exchange at a time. */
export class ResponseReader {
  #sink: ResponseSink;
  #state: State = 'head';
  #pending: Buffer | null = null;
  #remaining = 0;
  #reusable = true;
  readonly #noBody: boolean;

  constructor(sink: ResponseSink, headRequest: boolean) {
    this.#sink = sink;
    this.#noBody = headRequest;
  }

  /** Whether the response has been read whole. */
  get done(): boolean {
    return this.#state === 'done';
  }

  /**
   * Feeds bytes as they arrive. A sink that throws (the response cannot be passed on: a header
   * Node refuses, say) ends the exchange as an error, so the caller answers 502 and nothing
   * more is passed on; the throw never reaches the socket's listener.
   */
  push(chunk: Buffer): void {
    let buf = this.#pending === null ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = null;
    try {
      while (buf.length > 0 && this.#state !== 'done') {
        const used = this.#step(buf);
        if (used < 0) {
          this.#pending = buf;
          return;
        }
        buf = buf.subarray(used);
      }
    } catch (err) {
      this.#state = 'done';
      this.#pending = null;
      this.#sink.error(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The connection ended: completes a body framed by the close, else it is cut short. */
  finish(): void {
    if (this.#state === 'close') {
      this.#state = 'done';
      this.#sink.end(false);
    } else if (this.#state !== 'done') {
      this.#state = 'done';
      this.#sink.error(Object.assign(new Error('hop connection closed mid-response'), { code: 'ECONNRESET' }));
    }
  }

  /** Consumes from `buf`; returns bytes used, or -1 when more bytes are needed. */
  #step(buf: Buffer): number {
    switch (this.#state) {
      case 'head':
        return this.#head(buf);
      case 'fixed':
      case 'data':
        return this.#data(buf);
      case 'close':
        this.#sink.body(buf);
        return buf.length;
      case 'size':
        return this.#size(buf);
      case 'data-end':
        if (buf.length < 2) return -1;
        this.#state = 'size';
        return 2;
      case 'trailer':
        return this.#trailer(buf);
      default:
        return buf.length;
    }
  }

  #head(buf: Buffer): number {
    const end = buf.indexOf(HEAD_END);
    if (end === -1) {
      if (buf.length > MAX_HEAD) this.#fail('response head too large');
      return -1;
    }
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const m = statusLine(lines[0]!);
    if (m === null) return this.#fail('malformed status line');
    const { status } = m;
    const raw: string[] = [];
    let length: number | null = null;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) return this.#fail('malformed header line');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const lower = name.toLowerCase();
      if (lower === 'content-length') length = Number(value);
      else if (lower === 'transfer-encoding') chunked = value.toLowerCase().endsWith('chunked');
      else if (lower === 'connection' && value.toLowerCase().includes('close')) this.#reusable = false;
      if (!HOP_BY_HOP.has(lower)) raw.push(name, value);
    }
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    if (status < 200) return end + 4;
    this.#sink.head(status, m.message, raw);
    if (this.#noBody || status === 204 || status === 304) this.#complete();
    else if (chunked) this.#state = 'size';
    else if (length !== null && Number.isFinite(length)) {
      this.#remaining = length;
      this.#state = 'fixed';
      if (length === 0) this.#complete();
    } else {
      this.#reusable = false;
      this.#state = 'close';
    }
    return end + 4;
  }

  #data(buf: Buffer): number {
    const n = Math.min(this.#remaining, buf.length);
    this.#sink.body(n === buf.length ? buf : buf.subarray(0, n));
    this.#remaining -= n;
    if (this.#remaining === 0) {
      if (this.#state === 'fixed') this.#complete();
      else this.#state = 'data-end';
    }
    return n;
  }

  #size(buf: Buffer): number {
    const eol = buf.indexOf(CRLF);
    if (eol === -1) return buf.length > 1024 ? this.#fail('chunk size line too long') : -1;
    const size = parseInt(buf.toString('latin1', 0, eol).split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return this.#fail('malformed chunk size');
    if (size === 0) this.#state = 'trailer';
    else {
      this.#remaining = size;
      this.#state = 'data';
    }
    return eol + 2;
  }

  #trailer(buf: Buffer): number {
    const eol = buf.indexOf(CRLF);
    if (eol === -1) return -1;
    // Trailer fields are dropped: the client's response has already been framed.
    if (eol === 0) this.#complete();
    return eol + 2;
  }

  #complete(): void {
    this.#state = 'done';
    this.#sink.end(this.#reusable);
  }

  #fail(message: string): number {
    this.#state = 'done';
    this.#sink.error(new Error(message));
    return 0;
  }
}
