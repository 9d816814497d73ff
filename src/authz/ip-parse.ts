/**
 * Allocation-free IPv4 and IPv6 text parsers, shared by `Require ip` rules and client addresses.
 * @module
 */

const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;
const NINE = 0x39;

// Scratch for the 16-bit groups of one IPv6 address; parsing is synchronous, so one is enough.
const GROUPS = new Uint16Array(8);

/** A strict dotted quad in `s[start, end)` as an unsigned 32-bit number, or -1. */
export function parseIpv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= ZERO && c <= NINE) {
      // Leading zeros are refused, as inet_pton does, so no octet is ever read as octal.
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - ZERO);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Parses an IPv6 address in `s[start, end)` into four 32-bit words (`out`); false when it is not one. */
export function parseIpv6(s: string, start: number, end: number, out: Int32Array): boolean {
  if (end - start < 2) return false;
  let n = 0;
  let gap = -1;
  let i = start;
  if (s.charCodeAt(i) === COLON) {
    if (s.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (n === 8) return false;
    const groupStart = i;
    let value = 0;
    let digits = 0;
    for (; i < end; i++) {
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      if (++digits > 4) return false;
      value = value * 16 + h;
    }
    if (i < end && s.charCodeAt(i) === DOT) {
      if (n > 6) return false;
      const v4 = parseIpv4(s, groupStart, end);
      if (v4 < 0) return false;
      GROUPS[n++] = v4 >>> 16;
      GROUPS[n++] = v4 & 0xffff;
      break;
    }
    if (digits === 0) return false;
    GROUPS[n++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const fill = gap < 0 ? 0 : 8 - n;
  let src = 0;
  let high = 0;
  for (let k = 0; k < 8; k++) {
    const group = gap >= 0 && k >= gap && k < gap + fill ? 0 : GROUPS[src++]!;
    if ((k & 1) === 0) high = group;
    else out[k >> 1] = (high << 16) | group;
  }
  return true;
}

/** Whether the words from {@link parseIpv6} are an IPv4-mapped address (`::ffff:a.b.c.d`). */
export function isV4Mapped(words: Int32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}
