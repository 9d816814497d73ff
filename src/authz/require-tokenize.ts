/**
 * Splitting and quoting Require arguments the way Apache's `ap_getword_conf` reads them.
 * @module
 */

function isSpace(c: number): boolean {
  // apr_isspace in the C locale: space, \t, \n, \v, \f, \r.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function readQuoted(text: string, from: number, quote: string): [string, number] {
  let word = '';
  let i = from;
  while (i < text.length && text[i] !== quote) {
    const next = text[i + 1];
    if (text[i] === '\\' && (next === quote || next === '\\')) {
      word += next;
      i += 2;
    } else {
      word += text[i];
      i++;
    }
  }
  // An unterminated quote runs to the end of the line, as in Apache.
  return [word, i < text.length ? i + 1 : i];
}

function readBare(text: string, from: number): [string, number] {
  let word = '';
  let i = from;
  while (i < text.length && !isSpace(text.charCodeAt(i))) {
    if (text[i] === '\\' && text[i + 1] === '\\') {
      word += '\\';
      i += 2;
    } else {
      word += text[i];
      i++;
    }
  }
  return [word, i];
}

/**
 * Splits a Require line into words as `ap_getword_conf`: whitespace separates, a word that
 * starts with `"` or `'` runs to the matching quote, and `\\` or `\<quote>` escape inside it.
 * @example tokenizeRequireArgs('wsgi-group "secret agents" staff') // ['wsgi-group', 'secret agents', 'staff']
 */
export function tokenizeRequireArgs(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return words;
    const quote = text[i]!;
    const [word, next] = quote === '"' || quote === "'" ? readQuoted(text, i + 1, quote) : readBare(text, i);
    words.push(word);
    i = next;
  }
}

/** Writes one word so that {@link tokenizeRequireArgs} reads it back unchanged. */
export function quoteRequireArg(word: string): string {
  if (word !== '' && !/[\s"'\\]/.test(word)) return word;
  return `"${word.replace(/[\\"]/g, '\\$&')}"`;
}
