/**
 * The wait queue of a daemon process group: requests that found every process busy wait
 * here, first come first served, for at most `queue-timeout`. Unlike mod_wsgi (which
 * answers 504 only once a thread finally picks the request up), the time-out fires while
 * the request is still waiting.
 * @module
 */

interface Entry<T> {
  readonly run: (slot: T) => void;
  readonly onTimeout: () => void;
  readonly enqueuedAt: number;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

/** A FIFO of waiting requests with a per-entry time limit. */
export class WaitQueue<T> {
  #items: Entry<T>[] = [];
  #head = 0;
  #waiting = 0;
  /** Requests that ever waited, and those that timed out waiting. */
  waited = 0;
  timedOut = 0;
  maxLength = 0;

  /** How many requests are waiting now. */
  get length(): number {
    return this.#waiting;
  }

  /**
   * Queues a request: `run` gets a slot when one frees up; `onTimeout` runs instead after
   * `timeoutMs` (0: wait as long as it takes). Returns a function that withdraws it (client gone).
   */
  enqueue(run: (slot: T) => void, onTimeout: () => void, timeoutMs: number): () => void {
    const entry: Entry<T> = { run, onTimeout, enqueuedAt: Date.now(), timer: null, done: false };
    if (timeoutMs > 0) {
      entry.timer = setTimeout(() => {
        if (this.#finish(entry)) {
          this.timedOut++;
          onTimeout();
        }
      }, timeoutMs);
    }
    this.#items.push(entry);
    this.#waiting++;
    this.waited++;
    if (this.#waiting > this.maxLength) this.maxLength = this.#waiting;
    return () => {
      this.#finish(entry);
    };
  }

  #finish(entry: Entry<T>): boolean {
    if (entry.done) return false;
    entry.done = true;
    this.#waiting--;
    if (entry.timer !== null) clearTimeout(entry.timer);
    return true;
  }

  /** Hands `slot` to the oldest waiting request; false when none waits. */
  serveNext(slot: T): boolean {
    while (this.#head < this.#items.length) {
      const entry = this.#items[this.#head]!;
      this.#head++;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        // Compact now and then, so the array does not grow without end.
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (this.#finish(entry)) {
        entry.run(slot);
        return true;
      }
    }
    return false;
  }

  /** Gives up on every waiting request (their time-out answer runs now): nothing will serve them soon. */
  failAll(): void {
    const pending = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    for (const entry of pending) if (this.#finish(entry)) entry.onTimeout();
  }

  /** Milliseconds the oldest waiting request has waited (0 when none). */
  oldestWaitMs(now = Date.now()): number {
    for (let i = this.#head; i < this.#items.length; i++) if (!this.#items[i]!.done) return now - this.#items[i]!.enqueuedAt;
    return 0;
  }
}
