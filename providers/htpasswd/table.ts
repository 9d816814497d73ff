/**
 * Parsing an htpasswd file into a user table, as mod_authn_file reads it: `user:hash`
 * lines (a further `:field` is ignored), the first line for a user wins. A line whose hash
 * is broken or of no known format still names its user, who is then refused, never passed
 * on to the next provider.
 * @module
 */
import { isCleanField, scanLines, type LineWarning } from '../shared/lines.js';
import type { ParsedText } from '../shared/watched-file.js';
import { costClass, dummyLike, isSlowHash, parseHash, type HashProblem, type ParsedHash } from './formats/detect.js';

/** One user's line: the recognised hash, or why it is refused. */
export interface HtpasswdEntry {
  readonly hash: ParsedHash | null;
  readonly problem: HashProblem | null;
  /** 1-based line number, for log lines. */
  readonly line: number;
}

/** A parsed htpasswd file. */
export interface HtpasswdTable {
  readonly users: ReadonlyMap<string, HtpasswdEntry>;
  /** A hash of the file's most common kind and cost, checked for unknown users. */
  readonly dummy: ParsedHash | null;
  /** Whether any entry is a slow hash (bcrypt, MD5-crypt, SHA-crypt). */
  readonly slow: boolean;
}

const PROBLEM_TEXT: Readonly<Record<HashProblem, string>> = {
  malformed: 'the hash is malformed; the user is refused',
  'unknown-format': 'the hash has no known format (plain text is not accepted here); the user is refused',
};

/** The dummy for unknown users: the most common kind and cost, the slower on a tie. */
function pickDummy(users: ReadonlyMap<string, HtpasswdEntry>): ParsedHash | null {
  const counts = new Map<string, { n: number; hash: ParsedHash }>();
  for (const e of users.values()) {
    if (e.hash === null) continue;
    const k = costClass(e.hash);
    const c = counts.get(k);
    if (c === undefined) counts.set(k, { n: 1, hash: e.hash });
    else c.n++;
  }
  let best: { n: number; hash: ParsedHash } | null = null;
  for (const c of counts.values()) {
    if (best === null || c.n > best.n || (c.n === best.n && isSlowHash(c.hash) && !isSlowHash(best.hash))) best = c;
  }
  return best === null ? null : dummyLike(best.hash);
}

/** Parses htpasswd text. `allowPlaintext` is httpd-on-Windows behaviour (see `parseHash`). */
export function parseHtpasswd(text: string, allowPlaintext = false): ParsedText<HtpasswdTable> {
  const users = new Map<string, HtpasswdEntry>();
  const warnings: LineWarning[] = [];
  let slow = false;
  const counts = scanLines(text, (content, line) => {
    const colon = content.indexOf(':');
    const user = colon < 0 ? '' : content.slice(0, colon);
    if (!isCleanField(user)) {
      warnings.push({ line, message: 'malformed line skipped (expected user:hash)' });
      return 'malformed';
    }
    if (users.has(user)) {
      warnings.push({ line, message: 'duplicate user; the first line wins' });
      return 'entry';
    }
    const rest = content.slice(colon + 1);
    const end = rest.indexOf(':');
    const r = parseHash(end < 0 ? rest : rest.slice(0, end), allowPlaintext);
    if (!r.ok) {
      users.set(user, { hash: null, problem: r.problem, line });
      warnings.push({ line, message: PROBLEM_TEXT[r.problem] });
      return r.problem === 'malformed' ? 'malformed' : 'entry';
    }
    if (isSlowHash(r.hash)) slow = true;
    users.set(user, { hash: r.hash, problem: null, line });
    return 'entry';
  });
  const table: HtpasswdTable = { users, dummy: pickDummy(users), slow };
  return { ...counts, table, warnings };
}
