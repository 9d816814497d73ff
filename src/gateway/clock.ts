/**
 * The gateway's clock for queue time (mod_wsgi 3.4's `mod_wsgi.queue_start`): integer
 * microseconds since the epoch, as a decimal string (16 digits until the year 2286).
 * @module
 */
import { performance } from 'node:perf_hooks';

/** How often the monotonic clock is re-anchored to the wall clock (so NTP steps are followed). */
const RESYNC_MS = 1000;
let anchoredAt = -Infinity;
let offsetMs = 0;

/**
 * Now, in µs since the epoch: the monotonic clock (one cheap call per request) anchored to
 * the wall clock once a second, at the start of a millisecond, so it never runs ahead of it.
 */
export function nowMicros(): number {
  const p = performance.now();
  if (p - anchoredAt > RESYNC_MS) {
    anchoredAt = p;
    offsetMs = Date.now() - p;
  }
  return Math.floor((offsetMs + p) * 1000);
}

const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let lastSecond = -1;
let lastSecondText = '';

/**
 * `String(us)` for a stamp from `nowMicros`, at half the cost: a 16-digit number is past V8's
 * small-integer fast path, so its digits would be worked out afresh on every request. The
 * seconds are converted once a second and the six digits below them come from a table.
 */
export function microsText(us: number): string {
  if (!Number.isSafeInteger(us) || us < 1e6) return String(us);
  const second = Math.floor(us / 1e6);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = String(second);
  }
  const below = us - second * 1e6;
  const ms = Math.floor(below / 1000);
  return lastSecondText + PAD3[ms]! + PAD3[below - ms * 1000]!;
}
