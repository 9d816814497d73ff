/**
 * `authhook htpasswd`: writes, verifies and deletes htpasswd entries the way Apache's
 * `htpasswd` does (same formats, messages and exit codes), so no Apache tools are needed.
 * Passwords come from a terminal prompt or stdin (`-i`), never the command line.
 * @module
 */
import { chown, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { hashPassword, parseHash, verifyPassword, type HashFormat } from '../../providers/htpasswd/index.js';
import { readPassword } from './read-password.js';

/** The usage text of `authhook htpasswd`. */
export const HTPASSWD_USAGE = `usage:
  authhook htpasswd [-c] [-i] [-B|-m|-s|-d|-2|-5] [-C cost] [-r rounds] FILE USER
  authhook htpasswd -n [-i] [-B|-m|-s|-d|-2|-5] [-C cost] [-r rounds] USER
  authhook htpasswd -v [-i] FILE USER
  authhook htpasswd -D FILE USER
 -c create FILE · -n print the line instead · -i read the password from stdin
 -B bcrypt (default, cost 10) · -m apr1 MD5 · -s SHA-1 · -d crypt(3) DES · -2 SHA-256-crypt · -5 (or -6) SHA-512-crypt
 -v verify (exit 0, or 3 when it does not match) · -D delete
`;

const OPTIONS = {
  create: { type: 'boolean', short: 'c' },
  stdout: { type: 'boolean', short: 'n' },
  stdin: { type: 'boolean', short: 'i' },
  bcrypt: { type: 'boolean', short: 'B' },
  md5: { type: 'boolean', short: 'm' },
  sha1: { type: 'boolean', short: 's' },
  crypt: { type: 'boolean', short: 'd' },
  sha256: { type: 'boolean', short: '2' },
  sha512: { type: 'boolean', short: '5' },
  sha512alias: { type: 'boolean', short: '6' },
  cost: { type: 'string', short: 'C' },
  rounds: { type: 'string', short: 'r' },
  verify: { type: 'boolean', short: 'v' },
  delete: { type: 'boolean', short: 'D' },
  batch: { type: 'boolean', short: 'b' },
} as const;

// htpasswd.c's exit codes.
const EXIT = { ok: 0, file: 1, syntax: 2, mismatch: 3, interrupted: 4, overflow: 5, badUser: 6 } as const;

/** A failure with htpasswd's exit code and message. */
class Exit extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function formatOf(v: Values): HashFormat {
  const chosen: HashFormat[] = [];
  if (v.bcrypt) chosen.push('bcrypt');
  if (v.md5) chosen.push('apr1');
  if (v.sha1) chosen.push('sha1');
  if (v.crypt) chosen.push('crypt');
  if (v.sha256) chosen.push('sha256');
  if (v.sha512 || v.sha512alias) chosen.push('sha512');
  if (new Set(chosen).size > 1) throw new Exit(EXIT.syntax, 'only one of -B -m -s -d -2 -5 may be given');
  return chosen[0] ?? 'bcrypt';
}

function integer(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new Exit(EXIT.syntax, `${name} must be ${min} to ${max}`);
  return n;
}

function checkUser(user: string): void {
  if (user.includes(':')) throw new Exit(EXIT.badUser, "username contains illegal character ':'");
  // eslint-disable-next-line no-control-regex
  if (user === '' || /[\u0000-\u001f\u007f]/.test(user)) throw new Exit(EXIT.badUser, 'username is empty or holds control characters');
  if (Buffer.byteLength(user) > 255) throw new Exit(EXIT.overflow, 'username must be 255 bytes or fewer');
}

async function readLines(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Exit(EXIT.file, `cannot modify file ${file}; use '-c' to create it`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const userOf = (line: string): string => line.slice(0, Math.max(0, line.indexOf(':')));

/** Replaces the file in one step (a reader never sees it half-written), keeping its mode and owner. */
async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const old = await stat(file).catch(() => null);
  try {
    await writeFile(tmp, lines.map((l) => l + '\n').join(''), { mode: old === null ? 0o666 : old.mode & 0o7777, flag: 'wx' });
    if (old !== null) await chown(tmp, old.uid, old.gid).catch(() => undefined);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Exit(EXIT.file, `cannot write ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function password(v: Values, verifying: boolean): Promise<string> {
  const pw = await readPassword({ fromStdin: v.stdin === true, confirm: !verifying }).catch(() => {
    throw new Exit(EXIT.interrupted, 'interrupted');
  });
  if (pw === null) throw new Exit(EXIT.syntax, 'no terminal to ask for the password on; use -i to read it from stdin');
  if (pw === undefined) throw new Exit(EXIT.mismatch, 'password verification error');
  if (pw.includes('\u0000')) throw new Exit(EXIT.syntax, 'the password may not hold NUL');
  if (Buffer.byteLength(pw) > 255) throw new Exit(EXIT.overflow, 'password too long (>255)');
  return pw;
}

async function verify(v: Values, file: string, user: string): Promise<number> {
  const line = (await readLines(file)).find((l) => userOf(l) === user);
  if (line === undefined) throw new Exit(EXIT.badUser, `User ${user} not found`);
  const pw = await password(v, true);
  const field = line.slice(line.indexOf(':') + 1).split(':')[0]!;
  const parsed = parseHash(field);
  if (!parsed.ok || !(await verifyPassword(parsed.hash, pw))) throw new Exit(EXIT.mismatch, 'password verification failed');
  process.stderr.write(`Password for user ${user} correct.\n`);
  return EXIT.ok;
}

async function remove(file: string, user: string): Promise<number> {
  const lines = await readLines(file);
  const kept = lines.filter((l) => userOf(l) !== user);
  if (kept.length === lines.length) {
    process.stderr.write(`User ${user} not found\n`);
    return EXIT.ok;
  }
  await writeLines(file, kept);
  process.stderr.write(`Deleting password for user ${user}\n`);
  return EXIT.ok;
}

async function newLine(v: Values, user: string): Promise<string> {
  const format = formatOf(v);
  const cost = integer(v.cost, 'the bcrypt cost (-C)', 4, 17);
  const rounds = integer(v.rounds, 'the rounds (-r)', 1000, 999_999_999);
  const pw = await password(v, false);
  if (format === 'crypt' && Buffer.byteLength(pw) > 8) process.stderr.write('Warning: Password truncated to 8 characters by CRYPT algorithm.\n');
  const hash = await hashPassword(pw, format, { ...(cost === undefined ? {} : { cost }), ...(rounds === undefined ? {} : { rounds }) });
  return `${user}:${hash}`;
}

async function update(v: Values, file: string, user: string): Promise<number> {
  const lines = v.create ? [] : await readLines(file);
  const line = await newLine(v, user);
  const at = lines.findIndex((l) => userOf(l) === user);
  if (at >= 0) lines[at] = line;
  else lines.push(line);
  await writeLines(file, lines);
  process.stderr.write(`${at >= 0 ? 'Updating' : 'Adding'} password for user ${user}\n`);
  return EXIT.ok;
}

async function dispatch(v: Values, positionals: readonly string[]): Promise<number> {
  if (v.batch) throw new Exit(EXIT.syntax, 'a password on the command line (-b) can be read by other users; use -i');
  if ([v.verify, v.delete, v.stdout, v.create].filter(Boolean).length > 1) throw new Exit(EXIT.syntax, 'at most one of -c -n -v -D may be given');
  if (v.stdout) {
    if (positionals.length !== 1) throw new Exit(EXIT.syntax, 'expected USER');
    checkUser(positionals[0]!);
    process.stdout.write((await newLine(v, positionals[0]!)) + '\n');
    return EXIT.ok;
  }
  if (positionals.length !== 2) throw new Exit(EXIT.syntax, 'expected FILE USER');
  const [file, user] = positionals as [string, string];
  checkUser(user);
  if (v.verify) return verify(v, file, user);
  if (v.delete) return remove(file, user);
  return update(v, file, user);
}

/** Runs `authhook htpasswd …`; resolves to htpasswd's exit code. */
export async function runHtpasswd(args: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
    return await dispatch(values, positionals);
  } catch (err) {
    if (err instanceof Exit) {
      process.stderr.write(`htpasswd: ${err.message}\n`);
      if (err.status === EXIT.syntax) process.stderr.write(HTPASSWD_USAGE);
      return err.status;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`htpasswd: ${(err as Error).message}\n${HTPASSWD_USAGE}`);
      return EXIT.syntax;
    }
    throw err;
  }
}
