/**
 * Line scanning shared by the htpasswd, htdigest and htgroup parsers: whitespace-trimmed
 * lines (as httpd's ap_cfg_getline), `#` comments and blank lines skipped, and the counts
 * the half-written-file check needs.
 * @module
 */

/** What a parser made of one line. */
export type LineVerdict = 'entry' | 'malformed';

/** A warning about one line, logged as `file:line` (never with the line's content). */
export interface LineWarning {
  readonly line: number;
  readonly message: string;
}

/** Counts over a whole file. */
export interface LineCounts {
  /** Lines that made an entry. */
  readonly entries: number;
  /** Lines that are broken. */
  readonly malformed: number;
  /** The last line has no newline and is broken: the look of a write cut mid-line. */
  readonly cutLastLine: boolean;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Whether a name field is usable: non-empty, no control characters (NUL included). */
export function isCleanField(s: string): boolean {
  return s !== '' && !CONTROL.test(s);
}

/** Calls `onLine` for every line that is neither blank nor a comment, with its 1-based number. */
export function scanLines(text: string, onLine: (content: string, line: number) => LineVerdict): LineCounts {
  const lines = text.split('\n');
  const terminated = text.endsWith('\n');
  if (terminated) lines.pop();
  let entries = 0;
  let malformed = 0;
  let cutLastLine = false;
  for (let i = 0; i < lines.length; i++) {
    const content = lines[i]!.replace(/^[ \t\r\f\v]+|[ \t\r\f\v]+$/g, '');
    if (content === '' || content.startsWith('#')) continue;
    if (onLine(content, i + 1) === 'entry') {
      entries++;
      continue;
    }
    malformed++;
    if (!terminated && i === lines.length - 1) cutLastLine = true;
  }
  return { entries, malformed, cutLastLine };
}
