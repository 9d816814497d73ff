/**
 * `Require ip` matching, as APR's apr_ipsubnet_create / apr_ipsubnet_test do it.
 * @module
 */
import { ConfigError } from '../errors.js';
import { isV4Mapped, parseIpv4, parseIpv6 } from './ip-parse.js';

const IPV4_CHARS = /^[0-9.]+$/;
const DIGITS = /^[0-9]{1,3}$/;

// Scratch for the client address; matching is synchronous, so one is enough.
const ADDRESS = new Int32Array(4);

function bad(arg: string, why: string, where: string | undefined): ConfigError {
  return new ConfigError(`Require ip: "${arg}" ${why}`, where);
}

/** Apache's legacy network form: `10.1` or `10.1.` is 10.1.0.0/16, one to four decimal octets. */
function parseIpv4Network(text: string): { sub: number; mask: number } | null {
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  if (parts.length > 4) return null;
  let sub = 0;
  let mask = 0;
  let shift = 24;
  for (const part of parts) {
    if (!/^[0-9]+$/.test(part) || Number(part) > 255) return null;
    sub |= Number(part) << shift;
    mask |= 0xff << shift;
    shift -= 8;
  }
  return { sub, mask };
}

function prefixBits(text: string, max: number): number {
  const bits = DIGITS.test(text) ? Number(text) : 0;
  // APR accepts 1..max only, so `/0` is refused (write `Require all granted` instead).
  return bits >= 1 && bits <= max ? bits : -1;
}

/** The 32-bit mask with the top `bits` bits set (clamped to 0..32), as a signed int. */
function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  return bits >= 32 ? -1 : ~0 << (32 - bits);
}

function compileV4(arg: string, addr: string, mask: string | null, where: string | undefined): [number, number] {
  if (mask === null) {
    const network = parseIpv4Network(addr);
    if (network === null) throw bad(arg, 'is not an IPv4 address or network', where);
    return [network.sub & network.mask, network.mask];
  }
  const sub = parseIpv4(addr);
  if (sub < 0) throw bad(arg, 'is not an IPv4 address', where);
  const bits = prefixBits(mask, 32);
  const dotted = bits < 0 ? parseIpv4(mask) : -1;
  if (bits < 0 && dotted < 0) {
    throw bad(arg, 'has a bad netmask (want a prefix length 1-32 or a dotted netmask)', where);
  }
  const m = bits < 0 ? dotted | 0 : wordMask(bits);
  return [sub & m, m | 0];
}

function compileV6(arg: string, addr: string, mask: string | null, where: string | undefined): number[] {
  const words = new Int32Array(4);
  if (!parseIpv6(addr, 0, addr.length, words)) throw bad(arg, 'is not an IPv6 address', where);
  if (isV4Mapped(words)) {
    throw bad(arg, 'is an IPv4-mapped IPv6 address; write it in IPv4 form (it matches mapped clients too)', where);
  }
  const bits = mask === null ? 128 : prefixBits(mask, 128);
  if (bits < 0) throw bad(arg, 'has a bad prefix length (want 1-128)', where);
  const rule = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let w = 0; w < 4; w++) {
    const m = wordMask(bits - 32 * w);
    rule[w] = words[w]! & m;
    rule[w + 4] = m;
  }
  return rule;
}

function matchV4(rules: Int32Array, addr: number): boolean {
  for (let i = 0; i < rules.length; i += 2) {
    if ((addr & rules[i + 1]!) === rules[i]) return true;
  }
  return false;
}

function matchV6(rules: Int32Array, a: Int32Array): boolean {
  for (let i = 0; i < rules.length; i += 8) {
    if (
      (a[0]! & rules[i + 4]!) === rules[i] &&
      (a[1]! & rules[i + 5]!) === rules[i + 1] &&
      (a[2]! & rules[i + 6]!) === rules[i + 2] &&
      (a[3]! & rules[i + 7]!) === rules[i + 3]
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Compiles `Require ip` arguments (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `10.1`, `::1`,
 * `2001:db8::/32`) into a predicate on a client address. An IPv4-mapped client
 * (`::ffff:127.0.0.1`) is tested against the IPv4 rules, as APR does.
 * @example compileIpMatcher(['10.0.0.0/8', '::1'])('10.1.2.3') // true
 */
export function compileIpMatcher(args: readonly string[], where?: string): (addr: string) => boolean {
  if (args.length === 0) throw new ConfigError('Require ip: needs at least one address or network', where);
  const v4: number[] = [];
  const v6: number[] = [];
  for (const arg of args) {
    const slash = arg.indexOf('/');
    const addr = slash < 0 ? arg : arg.slice(0, slash);
    const mask = slash < 0 ? null : arg.slice(slash + 1);
    if (addr.includes(':')) v6.push(...compileV6(arg, addr, mask, where));
    else if (IPV4_CHARS.test(addr)) v4.push(...compileV4(arg, addr, mask, where));
    else throw bad(arg, 'is not an IP address or network', where);
  }
  const v4Rules = Int32Array.from(v4);
  const v6Rules = Int32Array.from(v6);
  return function matchIp(addr: string): boolean {
    const v4Addr = parseIpv4(addr);
    if (v4Addr >= 0) return matchV4(v4Rules, v4Addr);
    const zone = addr.indexOf('%');
    if (!parseIpv6(addr, 0, zone < 0 ? addr.length : zone, ADDRESS)) return false;
    return isV4Mapped(ADDRESS) ? matchV4(v4Rules, ADDRESS[3]!) : matchV6(v6Rules, ADDRESS);
  };
}
