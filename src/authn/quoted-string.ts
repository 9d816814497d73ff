/**
 * Writing RFC 9110 quoted-strings for challenge parameters.
 * @module
 */

const NEEDS_ESCAPE = /[\\"]/g;

/** `value` as a quoted-string, with `\` and `"` escaped as quoted-pair (RFC 9110 §5.6.4). */
export function quote(value: string): string {
  return `"${value.replace(NEEDS_ESCAPE, '\\$&')}"`;
}
