/**
 * Traditional crypt(3) DES (`htpasswd -d`), through unix-crypt-td-js. ~4 ms of CPU in
 * JavaScript, so it runs in the hash pool too.
 * @module
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The package ships no types; this is its one function (password bytes, two salt characters).
const unixCrypt = require('unix-crypt-td-js') as (password: number[], salt: string) => string;

/** The 13-character crypt(3) DES hash of the password's bytes (only the first 8 count, 7 bits each). */
export function desCrypt(password: Uint8Array, salt: string): string {
  return unixCrypt([...password], salt);
}
