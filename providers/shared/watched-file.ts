/**
 * A parsed file kept current: re-read when it changes (a directory watch, plus a stat check
 * every few seconds for file systems whose watch misses events), and never replaced by a
 * version that looks half-written.
 *
 * "Looks half-written", compared with the last good version: the file is now empty (0
 * bytes) while the good one had entries; its last line has no newline and is broken; at
 * least half of its lines are broken; or it shrank to under half its size *and* under half
 * its entries. Such a version is adopted only once it has stayed byte-for-byte the same for
 * `settleMs` (default 2 s): a writer in the middle of a rewrite finishes long before, while
 * a deliberate edit still takes effect. Until then the last good version keeps serving and
 * the file is read again every `retryMs` (default 100 ms). A file that cannot be read at
 * start is a ConfigError; later, the last good version keeps serving and the error is logged.
 * @module
 */
import { readFileSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { describeError } from '../../src/log.js';
import type { Logger } from '../../src/types.js';
import type { LineCounts, LineWarning } from './lines.js';

/** What a parser returns: the table plus the counts and per-line warnings. */
export interface ParsedText<T> extends LineCounts {
  readonly table: T;
  readonly warnings: readonly LineWarning[];
}

/** Options of `watchParsedFile`. */
export interface WatchedFileOptions<T> {
  readonly path: string;
  /** `htpasswd`, `htdigest`, `htgroup`: for messages. */
  readonly kind: string;
  readonly parse: (text: string) => ParsedText<T>;
  readonly logger: Logger;
  /** How often to stat the file, besides watching it; 0 turns the timer off. Default 2000. */
  readonly statIntervalMs?: number;
  readonly retryMs?: number;
  readonly settleMs?: number;
  /** Watch the directory for changes. Default true. */
  readonly watch?: boolean;
  readonly now?: () => number;
}

/** The current table of a watched file. */
export interface WatchedFile<T> {
  readonly path: string;
  readonly table: T;
  /** Goes up by one each time a changed version is adopted. */
  readonly generation: number;
  /** Reads the file now if it changed; resolves once that is done. */
  check(): Promise<void>;
  close(): void;
}

interface Good<T> {
  readonly parsed: ParsedText<T>;
  readonly text: string;
  readonly size: number;
}

const DECODER = new TextDecoder('utf-8');
const stampOf = (s: Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}`;

/** Why a new version looks half-written compared with the good one, or `null`. */
export function halfWrittenReason<T>(next: ParsedText<T>, size: number, good: Good<T>): string | null {
  if (size === 0 && good.parsed.entries > 0) return 'empty';
  if (next.cutLastLine) return 'cut-line';
  if (next.malformed > 0 && next.malformed >= next.entries) return 'mostly-malformed';
  if (size * 2 < good.size && next.entries * 2 < good.parsed.entries) return 'shrank';
  return null;
}

/** Reads and parses the file now (a ConfigError if it cannot be read), then keeps it current. */
export function watchParsedFile<T>(options: WatchedFileOptions<T>): WatchedFile<T> {
  return new ParsedFileWatch(options);
}

class ParsedFileWatch<T> implements WatchedFile<T> {
  readonly path: string;
  readonly #o: WatchedFileOptions<T>;
  readonly #now: () => number;
  #good: Good<T>;
  #seen: string;
  #generation = 0;
  #pending: { text: string; since: number } | null = null;
  #failure: string | null = null;
  #running: Promise<void> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #debounce: NodeJS.Timeout | null = null;
  #watcher: FSWatcher | null = null;
  #interval: NodeJS.Timeout | null = null;

  constructor(options: WatchedFileOptions<T>) {
    this.path = resolve(options.path);
    this.#o = options;
    this.#now = options.now ?? Date.now;
    try {
      const buf = readFileSync(this.path);
      this.#seen = stampOf(statSync(this.path));
      const text = DECODER.decode(buf);
      this.#good = { parsed: options.parse(text), text, size: buf.length };
    } catch (err) {
      throw new ConfigError(`cannot read the ${options.kind} file`, this.path, { cause: err });
    }
    this.#logWarnings(this.#good.parsed);
    if (this.#good.parsed.entries === 0) options.logger.warn(`${options.kind}: the file has no entries`, { file: this.path });
    if (options.watch ?? true) this.#startWatching();
    const every = options.statIntervalMs ?? 2000;
    if (every > 0) {
      this.#interval = setInterval(() => void this.check(), every);
      this.#interval.unref();
    }
  }

  get table(): T {
    return this.#good.parsed.table;
  }

  get generation(): number {
    return this.#generation;
  }

  async check(): Promise<void> {
    while (this.#running !== null) await this.#running;
    this.#running = this.#examine();
    try {
      await this.#running;
    } finally {
      this.#running = null;
    }
  }

  close(): void {
    this.#watcher?.close();
    for (const t of [this.#interval, this.#retry, this.#debounce]) if (t !== null) clearTimeout(t);
  }

  async #examine(): Promise<void> {
    let buf: Buffer;
    let stamp: string;
    try {
      stamp = stampOf(await stat(this.path));
      if (this.#pending === null && this.#failure === null && stamp === this.#seen) return;
      buf = await readFile(this.path);
    } catch (err) {
      return this.#failed(err);
    }
    if (this.#failure !== null) this.#o.logger.info(`${this.#o.kind}: the file is readable again`, { file: this.path });
    this.#failure = null;
    const text = DECODER.decode(buf);
    if (text === this.#good.text) {
      this.#seen = stamp;
      this.#pending = null;
      return;
    }
    const parsed = this.#o.parse(text);
    if (!this.#settled(parsed, text, buf.length)) return;
    this.#pending = null;
    this.#seen = stamp;
    this.#good = { parsed, text, size: buf.length };
    this.#generation++;
    this.#logWarnings(parsed);
    this.#o.logger.info(`${this.#o.kind}: file reloaded`, { file: this.path, entries: parsed.entries, generation: this.#generation });
  }

  /** Whether a new version may replace the good one now (see the module comment). */
  #settled(parsed: ParsedText<T>, text: string, size: number): boolean {
    const reason = halfWrittenReason(parsed, size, this.#good);
    if (reason === null) return true;
    const t = this.#now();
    const { kind } = this.#o;
    if (this.#pending === null || this.#pending.text !== text) {
      this.#pending = { text, since: t };
      this.#o.logger.warn(`${kind}: the file looks half-written (${reason}); the last good version keeps serving`, { file: this.path });
    }
    if (t - this.#pending.since >= (this.#o.settleMs ?? 2000)) {
      this.#o.logger.warn(`${kind}: the file stayed the same; adopting it`, { file: this.path, reason });
      return true;
    }
    this.#scheduleRetry(this.#o.retryMs ?? 100);
    return false;
  }

  #failed(err: unknown): void {
    const what = describeError(err);
    const key = String(what.error);
    if (this.#failure !== key) {
      this.#o.logger.error(`${this.#o.kind}: cannot read the file; the last good version keeps serving`, { file: this.path, ...what });
    }
    this.#failure = key;
    this.#scheduleRetry(Math.max(this.#o.retryMs ?? 100, 1000));
  }

  #scheduleRetry(ms: number): void {
    if (this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void this.check();
    }, ms);
    this.#retry.unref();
  }

  #startWatching(): void {
    const base = basename(this.path);
    try {
      // The directory: editors and `htpasswd` replace or rewrite the file, which may end a file watch.
      this.#watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
        if ((name !== null && name !== base) || this.#debounce !== null) return;
        this.#debounce = setTimeout(() => {
          this.#debounce = null;
          void this.check();
        }, 30);
        this.#debounce.unref();
      });
      this.#watcher.on('error', () => undefined);
    } catch (err) {
      this.#o.logger.warn(`${this.#o.kind}: cannot watch the file; changes are found by the stat check`, { file: this.path, ...describeError(err) });
    }
  }

  #logWarnings(parsed: ParsedText<unknown>): void {
    for (const w of parsed.warnings) this.#o.logger.warn(`${this.#o.kind}: ${w.message}`, { file: `${this.path}:${w.line}` });
  }
}
