/**
 * Turning credential bytes into strings, and the character checks shared by Basic and Digest.
 * @module
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const HIGH_BYTE = /[\u0080-\u00ff]/;
const WIDE = /[^\u0000-\u00ff]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The bytes as UTF-8, or as ISO-8859-1 when they are not valid UTF-8 (as mod_wsgi 5). */
export function decodeUtf8OrLatin1(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    // Buffer's latin1 is ISO-8859-1; TextDecoder('latin1') would be windows-1252.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

/**
 * Re-reads a header string that Node decoded one byte per character: UTF-8 when its bytes are
 * UTF-8, otherwise unchanged (Latin-1).
 */
export function redecodeHeaderText(value: string): string {
  // A character above U+00FF did not come from header bytes, so there is nothing to re-read.
  if (!HIGH_BYTE.test(value) || WIDE.test(value)) return value;
  return decodeUtf8OrLatin1(Buffer.from(value, 'latin1'));
}

/** Whether `value` holds a C0 control character or DEL. */
export function hasControl(value: string): boolean {
  return CONTROL.test(value);
}
