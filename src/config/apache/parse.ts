/**
 * Parsing an Apache-style config into a tree of directives and sections. Includes,
 * `Define`/`UnDefine`, `${VAR}` and the conditional sections (`<IfModule>`, `<IfDefine>`,
 * `<IfVersion>`) are resolved here, so the tree holds only what applies.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { enterFile, includeFiles } from './include.js';
import { logicalLines, splitDirective, splitWords, substituteVariables, type Variables } from './lex.js';
import { conditionHolds, isConditional } from './conditions.js';

/** One directive line, with its words and its raw argument text (Require reads the raw text). */
export interface DirectiveNode {
  readonly kind: 'directive';
  readonly name: string;
  readonly args: readonly string[];
  readonly raw: string;
  readonly where: string;
}

/** One `<Name args>` … `</Name>` section. */
export interface SectionNode {
  readonly kind: 'section';
  readonly name: string;
  readonly args: readonly string[];
  readonly raw: string;
  readonly where: string;
  readonly children: readonly ConfigNode[];
}

/** A node of the parsed tree. */
export type ConfigNode = DirectiveNode | SectionNode;

/** Options of `parseApacheFile`. */
export interface ParseOptions {
  /** Environment that `${VAR}` falls back to (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The tree and every file that went into it. */
export interface ParsedConfig {
  readonly nodes: readonly ConfigNode[];
  readonly files: readonly string[];
  readonly baseDir: string;
  /** How a file is named in `where` (relative to the main file's directory). */
  readonly shown: (abs: string) => string;
}

interface Frame {
  readonly tag: string;
  readonly where: string;
  readonly file: string;
  readonly mode: 'node' | 'transparent' | 'skip';
  readonly children: ConfigNode[];
}

interface ParseState {
  readonly baseDir: string;
  readonly vars: Variables;
  readonly stack: Frame[];
  readonly top: ConfigNode[];
  readonly files: string[];
  readonly shown: (abs: string) => string;
  /** The include chain (real paths) of the file being read. */
  chain: readonly string[];
}

const DEFINE_NAME = /^[^\s:${}]+$/;

function target(state: ParseState): ConfigNode[] {
  for (let i = state.stack.length - 1; i >= 0; i--) {
    const f = state.stack[i]!;
    if (f.mode === 'node') return f.children;
  }
  return state.top;
}

function skipping(state: ParseState): boolean {
  return state.stack.some((f) => f.mode === 'skip');
}

function closeSection(state: ParseState, text: string, file: string, where: string): void {
  const m = /^<\/\s*([^\s>]+)\s*>$/.exec(text);
  if (m === null) throw new ConfigError(`malformed closing tag ${text}`, where);
  const name = m[1]!;
  const open = state.stack.at(-1);
  if (open === undefined || open.file !== file) throw new ConfigError(`</${name}> without matching <${name}> section`, where);
  if (open.tag.toLowerCase() !== name.toLowerCase()) throw new ConfigError(`Expected </${open.tag}> but saw </${name}>`, where);
  state.stack.pop();
}

function openSection(state: ParseState, text: string, file: string, where: string): void {
  const inner = /^<\s*([^\s>]+)/.exec(text)?.[1] ?? '';
  if (!text.endsWith('>')) throw new ConfigError(`<${inner}> directive missing closing '>'`, where);
  const { name, rest } = splitDirective(text.slice(1, -1).trim());
  if (skipping(state)) {
    state.stack.push({ tag: name, where, file, mode: 'skip', children: [] });
    return;
  }
  const args = splitWords(rest, where, `<${name}>`);
  if (isConditional(name)) {
    const mode = conditionHolds(name, args, state.vars, where) ? 'transparent' : 'skip';
    state.stack.push({ tag: name, where, file, mode, children: [] });
    return;
  }
  const children: ConfigNode[] = [];
  target(state).push(Object.freeze({ kind: 'section', name, args: Object.freeze(args), raw: rest, where, children }));
  state.stack.push({ tag: name, where, file, mode: 'node', children });
}

function define(state: ParseState, name: string, args: readonly string[], where: string): void {
  const undefine = name.toLowerCase() === 'undefine';
  const max = undefine ? 1 : 2;
  if (args.length < 1 || args.length > max) throw new ConfigError(`${name}: takes ${undefine ? 'one argument, a name' : 'a name and an optional value'}`, where);
  const key = args[0]!;
  if (!DEFINE_NAME.test(key)) throw new ConfigError(`${name}: "${key}" is not a usable variable name`, where);
  if (undefine) state.vars.defined.delete(key);
  else state.vars.defined.set(key, args[1] ?? null);
}

function directive(state: ParseState, text: string, where: string): void {
  const { name, rest } = splitDirective(text);
  const args = splitWords(rest, where, name);
  const lower = name.toLowerCase();
  if (lower === 'include' || lower === 'includeoptional') {
    if (args.length !== 1) throw new ConfigError(`${name}: takes one argument, a file, directory or wildcard pattern`, where);
    for (const file of includeFiles(args[0]!, state.baseDir, lower === 'includeoptional', where, name)) readInto(state, file, where);
    return;
  }
  if (lower === 'define' || lower === 'undefine') return define(state, name, args, where);
  target(state).push(Object.freeze({ kind: 'directive', name, args: Object.freeze(args), raw: rest, where }));
}

function processLine(state: ParseState, text: string, file: string, where: string): void {
  const closing = text.startsWith('</');
  if (skipping(state) && !closing && !text.startsWith('<')) return;
  if (closing) return closeSection(state, text, file, where);
  const line = skipping(state) ? text : substituteVariables(text, state.vars, where);
  if (line.startsWith('<')) return openSection(state, line, file, where);
  directive(state, line, where);
}

function readInto(state: ParseState, file: string, from: string | undefined): void {
  const outer = state.chain;
  state.chain = enterFile(outer, file, from ?? state.shown(file), state.shown);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}`, from, { cause: err });
  }
  state.files.push(file);
  const depth = state.stack.length;
  for (const { line, text } of logicalLines(source)) processLine(state, text, file, `${state.shown(file)}:${line}`);
  if (state.stack.length > depth) {
    const open = state.stack.at(-1)!;
    throw new ConfigError(`<${open.tag}> was not closed`, open.where);
  }
  state.chain = outer;
}

/** Reads `file` (and what it includes) into a tree; every error is a ConfigError at `file:line`. */
export function parseApacheFile(file: string, baseDir: string, shown: (abs: string) => string, options: ParseOptions = {}): ParsedConfig {
  const vars: Variables = { defined: new Map(), env: options.env ?? process.env };
  const state: ParseState = { baseDir, vars, stack: [], top: [], files: [], shown, chain: [] };
  readInto(state, file, undefined);
  return { nodes: state.top, files: state.files, baseDir, shown };
}
