/**
 * `Include` / `IncludeOptional`: paths relative to the main file's directory, shell
 * wildcards (`*`, `?`, `[…]`) in any path segment, directories read whole, matches in
 * alphabetical order (as httpd), and cycles refused.
 * @module
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { ConfigError } from '../../errors.js';

/** httpd's limit on nested includes, which also bounds a cycle through symlinked directories. */
export const MAX_INCLUDE_DEPTH = 128;

const WILDCARD = /[*?[]/;

/** Compiles one fnmatch-style segment; a leading dot is only matched by a literal dot. */
function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(segment.startsWith('.') ? `^${re}$` : `^(?!\\.)${re}$`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Expands a pattern to the paths it names, sorted; no wildcard → the path itself if it exists. */
function expandPattern(abs: string): string[] {
  const parts = abs.split(sep);
  let current = [parts[0] === '' ? sep : parts[0]!];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    if (!WILDCARD.test(part)) {
      current = current.map((dir) => join(dir, part)).filter(exists);
      continue;
    }
    const re = segmentRegex(part);
    current = current.flatMap((dir) => (isDirectory(dir) ? readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => join(dir, n)) : []));
  }
  return current;
}

/** A directory stands for the files in it and its sub-directories (as httpd), in order; dot files are skipped. */
function filesOf(path: string, depth = 0): string[] {
  if (!isDirectory(path)) return [path];
  if (depth >= MAX_INCLUDE_DEPTH) return [];
  return readdirSync(path)
    .filter((n) => !n.startsWith('.'))
    .sort()
    .flatMap((n) => filesOf(join(path, n), depth + 1));
}

/** The files an `Include` names; `optional` (IncludeOptional) makes no match silent. */
export function includeFiles(pattern: string, baseDir: string, optional: boolean, where: string, directive: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  const matched = expandPattern(abs);
  if (matched.length === 0) {
    if (optional) return [];
    const what = WILDCARD.test(pattern) ? 'no file matches the wildcard pattern' : 'file not found';
    throw new ConfigError(`${directive}: ${what}: ${abs}`, where);
  }
  return matched.flatMap((p) => filesOf(p));
}

/** Tracks the include chain: a file already on it is a cycle. */
export function enterFile(chain: readonly string[], file: string, where: string, shown: (p: string) => string): string[] {
  let real: string;
  try {
    real = realpathSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}`, where, { cause: err });
  }
  if (chain.includes(real)) {
    const cycle = [...chain.slice(chain.indexOf(real)), real].map(shown).join(' → ');
    throw new ConfigError(`Include: include cycle: ${cycle}`, where);
  }
  if (chain.length >= MAX_INCLUDE_DEPTH) throw new ConfigError(`Include: more than ${MAX_INCLUDE_DEPTH} nested includes`, where);
  return [...chain, real];
}
