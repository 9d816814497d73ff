/**
 * Path normalisation before policy look-up, so that no spelling of a URL reaches a
 * protected location unprotected (DESIGN: "Paths are normalised before policy look-up").
 * @module
 */

const HEX = /^[0-9A-Fa-f]{2}$/;
const CLEAN = /^(?:\/[A-Za-z0-9\-_~!$&'()*+,;=:@]+)*\/?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function percentDecode(path: string): string | undefined {
  if (!path.includes('%')) return path;
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x25) {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Already-decoded non-ASCII text (a Node front may hand it over): keep it as UTF-8.
      for (const b of Buffer.from(String.fromCodePoint(path.codePointAt(i)!), 'utf8')) bytes.push(b);
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  const buf = Uint8Array.from(bytes);
  try {
    return UTF8.decode(buf);
  } catch {
    return Buffer.from(buf).toString('latin1');
  }
}

const ENCODED_DOT_SEGMENT = /^(?:\.|%2[eE]){1,2}$/;

/** The path part of a target (before `?` or `#`). */
function pathPart(target: string): string {
  const q = target.indexOf('?');
  const h = target.indexOf('#');
  const cut = q === -1 ? h : h === -1 ? q : Math.min(q, h);
  return cut === -1 ? target : target.slice(0, cut);
}

/**
 * What a target's percent-encoding would hide from a reader that does not decode it before
 * routing (Express, an app behind nginx or Caddy): an encoded slash (`%2F`), an encoded NUL
 * (`%00`, which ends a C string), or a segment that decodes to `.` or `..` (`%2e%2e`). The
 * policy is matched on the decoded, resolved path, so such a target could be checked as one
 * path and served as another. `null` for the rest.
 * @example hiddenStructure('/admin/%2e%2e%2fpublic') // 'encoded-slash'
 */
export function hiddenStructure(target: string): 'encoded-slash' | 'encoded-nul' | 'encoded-dot-segment' | null {
  if (!target.includes('%')) return null;
  const path = pathPart(target);
  if (/%2[fF]/.test(path)) return 'encoded-slash';
  if (path.includes('%00')) return 'encoded-nul';
  for (const seg of path.split('/')) if (seg.includes('%') && ENCODED_DOT_SEGMENT.test(seg)) return 'encoded-dot-segment';
  return null;
}

/**
 * What a raw target's path holds that an app reading the target as sent could route otherwise
 * than the normalised path the policy is matched on:
 * - `backslash`: WHATWG URL parsers (`fetch`, `new URL`) read `\` as `/`, so `/public/..\admin`
 *   is `/admin` to them; refused on every front (browsers never send one raw).
 * - `dot-segment`: a raw `.` or `..` segment. Express, and nginx or Caddy in front of an app,
 *   pass `/admin/../public` on as it is, and the app's router takes it as under `/admin`;
 *   refused where the app routes the target as sent (the gateway hands its apps the resolved path).
 * `null` for the rest.
 * @example rawStructure('/admin/../public') // 'dot-segment'
 */
export function rawStructure(target: string): 'backslash' | 'dot-segment' | null {
  const hasBackslash = target.includes('\\');
  const hasDot = target.includes('/.');
  if (!hasBackslash && !hasDot) return null;
  const path = pathPart(target);
  if (hasBackslash && path.includes('\\')) return 'backslash';
  if (!hasDot) return null;
  for (const seg of path.split('/')) if (seg === '.' || seg === '..') return 'dot-segment';
  return null;
}

/**
 * Normalises a request target for matching: drops query and fragment, takes the path of an
 * absolute-form target, percent-decodes once, collapses repeated slashes and resolves `.`
 * and `..` segments (RFC 3986 §5.2.4). Returns `undefined` for a target that cannot be a
 * path: bad percent-encoding, an encoded or raw NUL or other control character, or `..`
 * climbing above the root (Apache answers 400 to these too, but 404 to an encoded NUL, which
 * the engine catches first: see `hiddenStructure`).
 * @example normalizePath('//admin/./x/../%61pi?q=1') // '/admin/api'
 */
export function normalizePath(target: string): string | undefined {
  let path = pathPart(target);
  // The common case: nothing to decode, collapse or resolve, and no control characters.
  if (CLEAN.test(path)) return path;
  if (!path.startsWith('/')) {
    const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*(\/.*)?$/.exec(path);
    if (m === null) return undefined;
    path = m[1] ?? '/';
  }
  const decoded = percentDecode(path);
  // eslint-disable-next-line no-control-regex
  if (decoded === undefined || /[\u0000-\u001f\u007f]/.test(decoded)) return undefined;
  const segments = decoded.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '') {
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  }
  const joined = '/' + out.join('/');
  return joined.replace(/\/{2,}/g, '/');
}
