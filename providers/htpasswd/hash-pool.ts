/**
 * A small pool of worker threads for the hashes Node has no native crypt for (MD5-crypt,
 * SHA-crypt, DES crypt): a SHA-512-crypt check takes ~18 ms of CPU, which must not stall every other
 * request. Workers start on first use, are unreferenced while idle, and are shared by
 * every provider in the process.
 * @module
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Md5Magic } from './formats/md5-crypt.js';
import type { ShaCryptAlgorithm } from './formats/sha-crypt.js';

/** One checksum to compute. The password travels as UTF-8 bytes. */
export type HashJob =
  | { readonly kind: 'md5-crypt'; readonly password: Uint8Array; readonly magic: Md5Magic; readonly salt: string }
  | { readonly kind: 'des-crypt'; readonly password: Uint8Array; readonly salt: string }
  | {
      readonly kind: 'sha-crypt';
      readonly password: Uint8Array;
      readonly algorithm: ShaCryptAlgorithm;
      readonly salt: string;
      readonly rounds: number;
    };

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  readonly job: HashJob;
  readonly resolve: (checksum: string) => void;
  readonly reject: (err: Error) => void;
}

/**
 * How many slow hashes run at once, in the pool and in libuv's threads together: one core
 * (and one libuv thread, for file I/O) is left to the event loop.
 */
export const SLOW_HASH_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism() - 1));
const SIZE = SLOW_HASH_CONCURRENCY;
const slots: Slot[] = [];
const queue: Pending[] = [];
const inFlight = new Map<number, Pending & { slot: Slot }>();
let nextId = 1;

function workerUrl(): URL {
  // Same extension as this file: .ts from source (through tsx), .js once built.
  return new URL(`./hash-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

/** The worker's entry: the file itself, or, from TypeScript source, a stub that registers tsx first. */
function workerEntry(): URL {
  const url = workerUrl();
  if (!url.pathname.endsWith('.ts')) return url;
  // Node 20 applies neither an in-process loader nor the parent's --import to a worker.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const stub = `import { register } from ${tsx}; register(); await import(${JSON.stringify(url.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(stub)}`);
}

function startSlot(): Slot {
  const worker = new Worker(workerEntry());
  const slot: Slot = { worker, busy: false };
  worker.unref();
  worker.on('message', (msg: { id: number; checksum?: string; error?: string }) => finish(msg));
  worker.on('error', (err) => retire(slot, err));
  worker.on('exit', (code) => retire(slot, new Error(`hash worker exited with code ${code}`)));
  slots.push(slot);
  return slot;
}

function finish(msg: { id: number; checksum?: string; error?: string }): void {
  const p = inFlight.get(msg.id);
  if (p === undefined) return;
  inFlight.delete(msg.id);
  p.slot.busy = false;
  p.slot.worker.unref();
  if (msg.checksum !== undefined) p.resolve(msg.checksum);
  else p.reject(new Error(msg.error ?? 'hash worker failed'));
  pump();
}

function retire(slot: Slot, err: Error): void {
  const i = slots.indexOf(slot);
  if (i >= 0) slots.splice(i, 1);
  for (const [id, p] of inFlight) {
    if (p.slot !== slot) continue;
    inFlight.delete(id);
    p.reject(err);
  }
  pump();
}

function pump(): void {
  while (queue.length > 0) {
    let slot = slots.find((s) => !s.busy);
    if (slot === undefined && slots.length < SIZE) slot = startSlot();
    if (slot === undefined) return;
    const p = queue.shift()!;
    const id = nextId++;
    slot.busy = true;
    // Referenced while working, so a command line that awaits a check is not ended early.
    slot.worker.ref();
    inFlight.set(id, { ...p, slot });
    slot.worker.postMessage({ id, job: p.job });
  }
}

const waiting: (() => void)[] = [];
let running = 0;

/** Runs `work` when fewer than SLOW_HASH_CONCURRENCY slow hashes are running (bcrypt goes through here too). */
export async function limitSlowHash<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SLOW_HASH_CONCURRENCY) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Computes a checksum in the pool. */
export function computeInPool(job: HashJob): Promise<string> {
  return limitSlowHash(
    () =>
      new Promise<string>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        pump();
      }),
  );
}

/** Stops every worker (tests, and a process that wants to exit at once). */
export async function closeHashPool(): Promise<void> {
  const all = slots.splice(0);
  await Promise.all(all.map((s) => s.worker.terminate()));
}
