/**
 * A bounded pool of connections with exclusive leases: at most `size` open, callers past
 * that wait in order, and a wait longer than `waitMs` fails instead of queueing forever.
 * @module
 */

/** What the pool needs to know about the things it holds. */
export interface PoolOptions<T> {
  readonly size: number;
  readonly waitMs: number;
  create(): Promise<T>;
  /** Whether an idle item may be handed out again (still connected, not idle too long). */
  usable(item: T): boolean;
  destroy(item: T): void;
  /** Whether an error thrown by a lease leaves the item fit for reuse. */
  keepAfter(err: unknown): boolean;
  /** The error for a wait that ran out (or a closed pool). */
  busy(): Error;
}

interface Waiter<T> {
  /** `null`: a slot is free (already counted down), so the waiter creates an item. */
  resolve(item: T | null): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

/** A bounded pool; nothing is opened until the first `use`. */
export class Pool<T> {
  readonly #o: PoolOptions<T>;
  readonly #idle: T[] = [];
  readonly #waiters: Waiter<T>[] = [];
  #open = 0;
  #closed = false;

  constructor(options: PoolOptions<T>) {
    this.#o = options;
  }

  /** Counts, for tests and status pages. */
  get stats(): { readonly open: number; readonly idle: number; readonly waiting: number } {
    return { open: this.#open, idle: this.#idle.length, waiting: this.#waiters.length };
  }

  /** Runs `fn` with an item held exclusively for it. */
  async use<R>(fn: (item: T) => Promise<R>): Promise<R> {
    if (this.#closed) throw this.#o.busy();
    const item = await this.#acquire();
    let healthy = true;
    try {
      return await fn(item);
    } catch (err) {
      healthy = this.#o.keepAfter(err);
      throw err;
    } finally {
      this.#release(item, healthy);
    }
  }

  /** Destroys idle items now and busy ones when they come back; waiters are refused. */
  close(): void {
    this.#closed = true;
    for (const item of this.#idle.splice(0)) this.#drop(item);
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.#o.busy());
    }
  }

  async #acquire(): Promise<T> {
    const item = this.#takeIdle() ?? (this.#open < this.#o.size ? null : await this.#wait());
    if (item !== null) return item;
    this.#open++;
    try {
      return await this.#o.create();
    } catch (err) {
      this.#open--;
      this.#handBack(null);
      throw err;
    }
  }

  #takeIdle(): T | undefined {
    for (let item = this.#idle.pop(); item !== undefined; item = this.#idle.pop()) {
      if (this.#o.usable(item)) return item;
      this.#drop(item);
    }
    return undefined;
  }

  #wait(): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const w: Waiter<T> = { resolve, reject, timer: undefined };
      w.timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        reject(this.#o.busy());
      }, this.#o.waitMs);
      this.#waiters.push(w);
    });
  }

  #handBack(item: T | null): void {
    const w = this.#waiters.shift();
    if (w === undefined) {
      if (item !== null) this.#idle.push(item);
      return;
    }
    clearTimeout(w.timer);
    if (item !== null && !this.#o.usable(item)) {
      this.#drop(item);
      item = null;
    }
    w.resolve(item);
  }

  #release(item: T, healthy: boolean): void {
    if (this.#closed || !healthy) {
      this.#drop(item);
      if (!this.#closed) this.#handBack(null);
      return;
    }
    this.#handBack(item);
  }

  #drop(item: T): void {
    this.#open--;
    this.#o.destroy(item);
  }
}

/** Creates a pool. */
export function createPool<T>(options: PoolOptions<T>): Pool<T> {
  return new Pool(options);
}
