/**
 * Lexing of an Apache-style config file: logical lines (comments, `\` continuations),
 * words (quoting as httpd's `ap_getword_conf`, but strict), and `${VAR}` substitution.
 * @module
 */
import { tokenizeRequireArgs } from '../../authz/require-parse.js';
import { ConfigError } from '../../errors.js';

/** One logical line: continuations joined, with the number of the physical line it starts on. */
export interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\n';

/**
 * Splits a file into logical lines as httpd's `ap_cfg_getline`: trailing white space is
 * dropped, a line ending in `\` continues on the next one (the backslash removed, nothing
 * inserted), and blank lines and lines whose first character is `#` are skipped.
 */
export function logicalLines(source: string): LogicalLine[] {
  const physical = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const out: LogicalLine[] = [];
  let pending = '';
  let start = 0;
  physical.forEach((raw, i) => {
    if (pending === '') start = i + 1;
    const text = raw.replace(/[ \t\v\f\r]+$/, '');
    if (text.endsWith('\\')) {
      pending += text.slice(0, -1);
      return;
    }
    const joined = (pending + text).trim();
    pending = '';
    if (joined !== '' && !joined.startsWith('#')) out.push({ line: start, text: joined });
  });
  const rest = pending.trim();
  if (rest !== '' && !rest.startsWith('#')) out.push({ line: start, text: rest });
  return out;
}

/** Index just past the quoted word that starts at `from` (a quote), or -1 when it never closes. */
function quotedEnd(text: string, from: number): number {
  const quote = text[from];
  for (let i = from + 1; i < text.length; i++) {
    if (text[i] === '\\' && (text[i + 1] === quote || text[i + 1] === '\\')) i++;
    else if (text[i] === quote) return i + 1;
  }
  return -1;
}

/** Throws unless every quoted word closes and is followed by white space or the end. */
export function checkQuotes(text: string, where: string, directive: string): void {
  let i = 0;
  while (i < text.length) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) return;
    if (text[i] === '"' || text[i] === "'") {
      const end = quotedEnd(text, i);
      if (end === -1) throw new ConfigError(`${directive}: unterminated quoted argument ${text.slice(i)}`, where);
      if (end < text.length && !isSpace(text[end])) {
        throw new ConfigError(`${directive}: text right after a closing quote: ${text.slice(i)}`, where);
      }
      i = end;
    } else {
      while (i < text.length && !isSpace(text[i])) i++;
    }
  }
}

/**
 * Splits directive arguments into words: white space separates, `"…"` or `'…'` quote, and
 * `\\` or `\<quote>` escape inside quotes. An unterminated quote is an error (httpd runs it
 * to the end of the line, which hides typos).
 * @example splitWords('"My Realm" x', 'authhook.conf:3', 'AuthName') // ['My Realm', 'x']
 */
export function splitWords(text: string, where: string, directive: string): string[] {
  checkQuotes(text, where, directive);
  return tokenizeRequireArgs(text);
}

/** Splits a line into its directive name and the raw argument text. */
export function splitDirective(text: string): { name: string; rest: string } {
  const m = /^(\S+)\s*(.*)$/s.exec(text);
  return m === null ? { name: text, rest: '' } : { name: m[1]!, rest: m[2]! };
}

/** Where `${NAME}` takes its value: `Define`d names first, then the environment (as httpd). */
export interface Variables {
  /** `null`: defined without a value (only `<IfDefine>` sees it). */
  readonly defined: Map<string, string | null>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Replaces every `${NAME}`; an undefined name is an error (httpd only warns and keeps the text). */
export function substituteVariables(text: string, vars: Variables, where: string): string {
  if (!text.includes('${')) return text;
  return text.replace(/\$\{([^}]*)\}|\$\{.*$/gs, (m: string, name: string | undefined) => {
    if (name === undefined) throw new ConfigError(`unterminated variable reference ${m}`, where);
    const value = vars.defined.has(name) ? vars.defined.get(name) : vars.env[name];
    if (value === null) throw new ConfigError(`\${${name}}: "${name}" is defined without a value`, where);
    if (value === undefined) {
      throw new ConfigError(`\${${name}}: variable "${name}" is not defined (Define it, or set it in the environment)`, where);
    }
    return value;
  });
}
