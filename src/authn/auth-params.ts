/**
 * The auth-param list of RFC 9110 §11.2 (formerly RFC 7235 §2.1), parsed strictly.
 * @module
 */

/** One parameter value, and whether it was sent as a quoted-string. */
export interface AuthParamValue {
  readonly value: string;
  readonly quoted: boolean;
}

// Sticky, so each match starts exactly where the scanner is.
const OWS = /[ \t]*/y;
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
// qdtext and quoted-pair (RFC 9110 §5.6.4); they start with different characters, so no backtracking.
const QUOTED = /"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*)"/y;
const QUOTED_PAIR = /\\([\s\S])/g;

function sticky(re: RegExp, input: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(input);
}

function skipOws(input: string, at: number): number {
  sticky(OWS, input, at);
  return OWS.lastIndex;
}

/** Reads `token BWS "=" BWS ( token / quoted-string )` at `at`; `undefined` when it is not one. */
function readParam(input: string, at: number): { name: string; value: AuthParamValue; end: number } | undefined {
  const name = sticky(TOKEN, input, at);
  if (name === null) return undefined;
  let pos = skipOws(input, TOKEN.lastIndex);
  if (input[pos] !== '=') return undefined;
  pos = skipOws(input, pos + 1);
  const token = sticky(TOKEN, input, pos);
  if (token !== null) return { name: name[0], value: { value: token[0], quoted: false }, end: TOKEN.lastIndex };
  const quoted = sticky(QUOTED, input, pos);
  if (quoted === null) return undefined;
  const value = (quoted[1] ?? '').replace(QUOTED_PAIR, '$1');
  return { name: name[0], value: { value, quoted: true }, end: QUOTED.lastIndex };
}

/**
 * Parses a comma-separated auth-param list into lower-cased names and values, or `undefined`
 * when the grammar is broken or a name appears twice (case-insensitively). Empty list elements
 * are skipped, as RFC 9110 §5.6.1 asks of recipients.
 */
export function parseAuthParams(input: string): Map<string, AuthParamValue> | undefined {
  const params = new Map<string, AuthParamValue>();
  let pos = 0;
  let needComma = false;
  for (;;) {
    pos = skipOws(input, pos);
    if (pos === input.length) return params;
    if (input[pos] === ',') {
      pos += 1;
      needComma = false;
      continue;
    }
    if (needComma) return undefined;
    const param = readParam(input, pos);
    if (param === undefined) return undefined;
    const name = param.name.toLowerCase();
    if (params.has(name)) return undefined;
    params.set(name, param.value);
    pos = param.end;
    needComma = true;
  }
}
