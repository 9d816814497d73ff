/**
 * One pass over a sub-request's raw headers: the forwarded headers (from a trusted proxy
 * only), the Host header, the credentials, and the headers the environ is built from — a
 * client's identity headers removed (STYLE point 9), forwarded ones too unless a trusted proxy
 * sent them.
 * @module
 */
import { isIdentityHeader } from '../environ/strip-identity.js';
import type { ResolvedForwardAuth } from './forward-auth-options.js';

/** What the pass found. */
export interface ScannedHeaders {
  /** Values of the forwarded headers this server reads, by lower-case name, in arrival order. */
  readonly forwarded: ReadonlyMap<string, readonly string[]>;
  /** The first Host header, if any. */
  readonly host: string | undefined;
  /** An untrusted peer sent forwarded headers (they are left out). */
  readonly ignoredForwarded: boolean;
  /** One of them named the original URI (which the sub-request then cannot stand in for). */
  readonly ignoredUri: boolean;
  readonly authorization: string | undefined;
  readonly authorizationCount: number;
  /** The headers for the environ (name, value, name, value…). */
  readonly environ: string[];
  /** Where the Host value is in `environ` (-1: none), so it can become the original host. */
  readonly hostIndex: number;
}

const NOTHING: ReadonlyMap<string, readonly string[]> = new Map();
const MAX_NAMES = 2048;

/** What a header name is to this server, worked out once per name. */
type Kind = 'identity' | 'read' | 'forwarded' | 'host' | 'authorization' | 'other';

/** Names no peer but a trusted proxy may send, whatever the configured lists say. */
function isForwardedName(l: string): boolean {
  return l.startsWith('x-forwarded-') || l.startsWith('x-original-') || l === 'x-real-ip' || l === 'forwarded';
}

function kindOf(l: string, o: ResolvedForwardAuth): Kind {
  if (isIdentityHeader(l) || o.identityNames.has(l)) return 'identity';
  if (o.forwarded.has(l)) return 'read';
  if (isForwardedName(l)) return 'forwarded';
  if (l === 'host') return 'host';
  return l === 'authorization' ? 'authorization' : 'other';
}

/** A scanner for one server's options: one pass over a sub-request's raw headers. */
export type HeaderScanner = (raw: readonly string[], trusted: boolean) => ScannedHeaders;

/** Creates the scanner. Header names repeat request after request, so each is classified once (bounded, as hostile names are endless). */
export function createHeaderScanner(o: ResolvedForwardAuth): HeaderScanner {
  const uriNames = new Set<string>([...o.names.uri, 'x-original-uri', 'x-original-url', 'x-forwarded-uri']);
  const kinds = new Map<string, { readonly kind: Kind; readonly lower: string }>();
  const classify = (name: string): { readonly kind: Kind; readonly lower: string } => {
    let k = kinds.get(name);
    if (k === undefined) {
      const lower = name.toLowerCase();
      k = { kind: kindOf(lower, o), lower };
      if (kinds.size < MAX_NAMES) kinds.set(name, k);
    }
    return k;
  };
  return function scanHeaders(raw: readonly string[], trusted: boolean): ScannedHeaders {
    let forwarded: Map<string, string[]> | null = null;
    let host: string | undefined;
    let hostIndex = -1;
    let ignoredForwarded = false;
    let ignoredUri = false;
    let authorization: string | undefined;
    let authorizationCount = 0;
    const environ: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      const { kind, lower } = classify(name);
      if (kind === 'identity') continue;
      if ((kind === 'read' || kind === 'forwarded') && !trusted) {
        ignoredForwarded = true;
        if (uriNames.has(lower)) ignoredUri = true;
        continue;
      }
      if (kind === 'read') {
        forwarded ??= new Map();
        const list = forwarded.get(lower);
        if (list === undefined) forwarded.set(lower, [value]);
        else list.push(value);
      } else if (kind === 'host' && host === undefined) {
        host = value;
        hostIndex = environ.length + 1;
      } else if (kind === 'authorization') {
        authorizationCount++;
        authorization ??= value;
      }
      environ.push(name, value);
    }
    return { forwarded: forwarded ?? NOTHING, host, ignoredForwarded, ignoredUri, authorization, authorizationCount, environ, hostIndex };
  };
}
