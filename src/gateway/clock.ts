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
