/**
 * Values that are ready now or later. The request path stays synchronous while every hook
 * answers synchronously: an `async` function costs a promise and a few microtask turns per
 * call, which is most of authhook's cost per request when the hooks themselves are cheap.
 * @module
 */

/** A value now, or a promise of it. Authhook's own promises are always native `Promise`s. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether the value is still to come. */
export function isPending<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}
