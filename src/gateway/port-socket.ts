/**
 * A byte stream over a `MessagePort`, shaped enough like a `net.Socket` for node:http on
 * both ends: the gateway's hop client and a worker thread's server (through
 * `server.emit('connection', …)`). Flow control is credit-based, since a port has none.
 * @module
 */
import { Duplex } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';

/** Bytes sent but not yet taken by the other side's reader before writes wait (backpressure). */
const HIGH_WATER = 1024 * 1024;

type Control = { readonly t: 'end' } | { readonly t: 'ack'; readonly n: number };

/** One end of a stream carried over a MessagePort. */
export class PortSocket extends Duplex {
  readonly #port: MessagePort;
  #unacked = 0;
  #pendingWrite: (() => void) | null = null;
  #owed = 0;
  #peerEnded = false;
  #timer: NodeJS.Timeout | null = null;
  #timeoutMs = 0;
  readonly remoteAddress: string | undefined = undefined;
  readonly remotePort: number | undefined = undefined;
  readonly localPort: number | undefined = undefined;
  readonly encrypted = false;

  /**
   * @param onPeerLost Called, before this stream is destroyed, when the other side closes the
   *   port without ending the stream first: its thread may have died (a worker's ports close
   *   a little before the parent sees the worker exit).
   */
  constructor(port: MessagePort, onPeerLost?: () => void) {
    super({ allowHalfOpen: false });
    this.#port = port;
    port.on('message', (m: Uint8Array | Control) => this.#onMessage(m));
    port.on('close', () => {
      if (this.destroyed) return;
      if (!this.#peerEnded) onPeerLost?.();
      this.destroy(this.readableEnded ? undefined : Object.assign(new Error('port closed'), { code: 'ECONNRESET' }));
    });
  }

  #onMessage(m: Uint8Array | Control): void {
    this.#touch();
    if (m instanceof Uint8Array) {
      const buf = Buffer.from(m.buffer, m.byteOffset, m.byteLength);
      // Credit is returned only once the reader keeps up, so a slow app slows the sender.
      if (this.push(buf)) this.#ack(buf.length);
      else this.#owed += buf.length;
    } else if (m.t === 'end') {
      this.#peerEnded = true;
      this.push(null);
    } else if (m.t === 'ack') {
      this.#unacked -= m.n;
      if (this.#pendingWrite !== null && this.#unacked < HIGH_WATER) {
        const cb = this.#pendingWrite;
        this.#pendingWrite = null;
        cb();
      }
    }
  }

  #ack(n: number): void {
    try {
      this.#port.postMessage({ t: 'ack', n } satisfies Control);
    } catch {
      // The other side is gone; the close event ends this stream.
    }
  }

  override _read(): void {
    if (this.#owed > 0) {
      const n = this.#owed;
      this.#owed = 0;
      this.#ack(n);
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#touch();
    // A copy: the chunk may be a view into a pooled buffer that node:http reuses.
    const copy = new Uint8Array(chunk);
    try {
      this.#port.postMessage(copy, [copy.buffer]);
    } catch (err) {
      callback(err as Error);
      return;
    }
    this.#unacked += copy.byteLength;
    if (this.#unacked < HIGH_WATER) callback();
    else this.#pendingWrite = () => callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.#port.postMessage({ t: 'end' } satisfies Control);
    } catch {
      // Already closed: nothing left to tell.
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#port.close();
    callback(error);
  }

  #touch(): void {
    if (this.#timer !== null) this.#timer.refresh();
  }

  /** As `net.Socket#setTimeout`: 'timeout' after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, callback?: () => void): this {
    if (callback !== undefined) this.once('timeout', callback);
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#timeoutMs = ms;
    if (ms > 0) {
      this.#timer = setTimeout(() => this.emit('timeout'), this.#timeoutMs);
      this.#timer.unref();
    }
    return this;
  }

  /** No-op: there is no TCP under a port. */
  setNoDelay(): this {
    return this;
  }

  /** No-op: there is no TCP under a port. */
  setKeepAlive(): this {
    return this;
  }

  /** Lets the event loop exit while this stream is idle (the port stops holding it). */
  unref(): this {
    this.#port.unref();
    return this;
  }

  /** Keeps the event loop alive while this stream is open. */
  ref(): this {
    this.#port.ref();
    return this;
  }

  /** For code that logs the address: a port has none. */
  address(): Record<string, never> {
    return {};
  }
}
