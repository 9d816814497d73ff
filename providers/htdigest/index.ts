/**
 * The `file` provider for Digest (`AuthUserFile` holding an htdigest file): `get_realm_hash`
 * from `user:realm:HA1` lines, HA1 = MD5(user:realm:password) as `htdigest` writes it.
 * The file has no SHA-256 hashes, so a SHA-256 request gets `null` and the chain goes on.
 * @example
 * const file = htdigestProvider('/etc/authhook/htdigest');
 * await file.get_realm_hash(environ, 'alice', 'Staff'); // '3b1f…' | null
 * @module
 */
import { randomBytes } from 'node:crypto';
import { SILENT_LOGGER } from '../../src/log.js';
import type { Environ, HookModule } from '../../src/types.js';
import { watchOptions, type FileProvider, type FileProviderOptions } from '../htpasswd/index.js';
import { isCleanField, scanLines, type LineWarning } from '../shared/lines.js';
import { watchParsedFile, type ParsedText } from '../shared/watched-file.js';

/** `user\0realm` → the HA1 in lower-case hex, or `null` when the line's hash is broken (the user is refused). */
export type HtdigestTable = ReadonlyMap<string, string | null>;

/** The htdigest provider. */
export interface HtdigestProvider extends HookModule, FileProvider {
  get_realm_hash(environ: Environ, user: string, realm: string): string | null;
}

const HA1 = /^[0-9a-fA-F]{32}$/;

/** Parses htdigest text: the first line for a user and realm wins. */
export function parseHtdigest(text: string): ParsedText<HtdigestTable> {
  const table = new Map<string, string | null>();
  const warnings: LineWarning[] = [];
  const counts = scanLines(text, (content, line) => {
    const parts = content.split(':');
    const [user = '', realm = '', hash = ''] = parts;
    if (parts.length < 3 || !isCleanField(user) || !isCleanField(realm)) {
      warnings.push({ line, message: 'malformed line skipped (expected user:realm:hash)' });
      return 'malformed';
    }
    const key = `${user}\u0000${realm}`;
    if (table.has(key)) {
      warnings.push({ line, message: 'duplicate user and realm; the first line wins' });
      return 'entry';
    }
    const ok = HA1.test(hash);
    table.set(key, ok ? hash.toLowerCase() : null);
    if (ok) return 'entry';
    warnings.push({ line, message: 'the hash is not 32 hex digits; the user is refused' });
    return 'malformed';
  });
  return { ...counts, table, warnings };
}

/** Creates the htdigest provider; the file is read now (a ConfigError if it cannot be). */
export function htdigestProvider(path: string, options: FileProviderOptions = {}): HtdigestProvider {
  const logger = options.logger ?? SILENT_LOGGER;
  const file = watchParsedFile({ path, kind: 'htdigest', parse: parseHtdigest, logger, ...watchOptions(options) });
  return Object.freeze({
    path: file.path,
    get generation() {
      return file.generation;
    },
    get_realm_hash(environ: Environ, user: string, realm: string): string | null {
      const algorithm = environ['authhook.digest_algorithm'] ?? 'MD5';
      if (algorithm !== 'MD5') return null;
      const hash = file.table.get(`${user}\u0000${realm}`);
      if (hash === undefined) return null;
      if (hash !== null) return hash;
      logger.warn('htdigest: the user\'s hash is not usable; refused', { file: file.path, user, realm });
      // As httpd compares against the broken value: a hash no response can match, so the chain stops with 401.
      return randomBytes(16).toString('hex');
    },
    refresh: () => file.check(),
    close: () => file.close(),
  });
}
