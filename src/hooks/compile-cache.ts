/**
 * Importing a hook script from a process that starts per check (`authhook external`): a
 * TypeScript script is compiled once with esbuild into a cache directory, and later runs
 * import the cached `.mjs` directly, so no transpiler loads on the warm path (SPEC §7).
 * @module
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HookLoadError } from '../errors.js';
import { VERSION } from '../version.js';

/** Options of `compileHookScript`. */
export interface CompileCacheOptions {
  /** Cache directory; else `$XDG_CACHE_HOME/authhook`, `$HOME/.cache/authhook`, then `<tmp>/authhook-cache-<uid>`. */
  readonly cacheDir?: string | undefined;
}

/** Where the runnable form of a script is, and how it got there (for logs and the start-up benchmark). */
export interface CompiledScript {
  readonly url: string;
  /** `direct` (plain JavaScript), `warm` (cache hit), `cold` (compiled now), `uncached` (no usable cache directory). */
  readonly via: 'direct' | 'warm' | 'cold' | 'uncached';
}

/** A local file the script imports, with what it looked like when the output was built. */
interface InputStamp {
  readonly path: string;
  readonly mtimeMs: number;
  readonly size: number;
  readonly hash: string;
}

// Bumped when the shape of the compiled output changes, so old entries are never reused.
const CACHE_FORMAT = '1';
const DIRECT = new Set(['.js', '.mjs', '.cjs']);
const PRUNE_AFTER_MS = 60_000;

/**
 * A 64-bit digest of the bytes (two FNV-1a style lanes) and their length, for change
 * detection only: the cache directory is private, so nobody can plant a colliding entry.
 * node:crypto costs about 10 ms to load, which is most of a warm check's budget.
 */
export function contentHash(data: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0') + data.length.toString(16);
}

/** The cache key's digest of several strings. */
const keyOf = (parts: readonly (string | number)[]): string => contentHash(Buffer.from(parts.join('\0'), 'utf8'));

/**
 * Whether `dir` can be trusted to hold code we will run: a real directory (not a symlink),
 * owned by us and writable by nobody else. A shared `/tmp` needs this check.
 */
function isPrivateDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    const uid = process.getuid?.();
    return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function ensurePrivateDir(dir: string): boolean {
  if (isPrivateDir(dir)) return true;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return false;
  }
  return isPrivateDir(dir);
}

/** The first usable cache directory, or `null` when none is (the script is then compiled in memory). */
export function resolveCacheDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates: string[] = [];
  if (explicit !== undefined) candidates.push(resolve(explicit));
  else {
    if (env.XDG_CACHE_HOME) candidates.push(join(env.XDG_CACHE_HOME, 'authhook'));
    if (env.HOME) candidates.push(join(env.HOME, '.cache', 'authhook'));
    // mod_authnz_external gives the program a fresh environment with no HOME.
    candidates.push(join(tmpdir(), `authhook-cache-${process.getuid?.() ?? 'user'}`));
  }
  for (const dir of candidates) if (ensurePrivateDir(dir)) return dir;
  return null;
}

function stampOf(path: string): InputStamp {
  const st = statSync(path);
  return { path, mtimeMs: st.mtimeMs, size: st.size, hash: contentHash(readFileSync(path)) };
}

/** Whether every input still looks as it did when the output was built. */
function inputsUnchanged(inputs: readonly InputStamp[]): boolean {
  for (const input of inputs) {
    try {
      const st = statSync(input.path);
      if (st.mtimeMs !== input.mtimeMs || st.size !== input.size) return false;
      if (contentHash(readFileSync(input.path)) !== input.hash) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The imported files' stamps, when the manifest is of this format and for this very script. */
function readManifest(path: string, entry: InputStamp): InputStamp[] | null {
  try {
    const m = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; script?: unknown; hash?: unknown; inputs?: unknown };
    const mine = m.format === CACHE_FORMAT && m.script === entry.path && m.hash === entry.hash;
    return mine && Array.isArray(m.inputs) ? (m.inputs as InputStamp[]) : null;
  } catch {
    return null;
  }
}

/** Removes the entries earlier versions of this script left (cold path only, so the directory does not grow per edit). */
function pruneOlder(dir: string, script: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name === `${keep}.json`) continue;
    try {
      // A check started a moment ago may still be importing that version.
      if (Date.now() - statSync(join(dir, name)).mtimeMs < PRUNE_AFTER_MS) continue;
      const m = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { script?: unknown };
      if (m.script !== script) continue;
      const base = name.slice(0, -'.json'.length);
      rmSync(join(dir, `${base}.mjs`), { force: true });
      rmSync(join(dir, name), { force: true });
    } catch {
      // Another check is writing or removing it: leave it.
    }
  }
}

/** Writes through a temporary name and a rename, so a concurrent check never reads half a file. */
function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Imports a module URL (from `compileHookScript`), as a HookLoadError naming the script when it fails. */
export async function importHookUrl(url: string, label: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new HookLoadError(`${label}: hook script failed to load`, { cause: err });
  }
}

/**
 * The runnable form of a hook script: plain JavaScript as it is; TypeScript compiled through
 * the cache. The cache entry is keyed by the absolute path, mtime, size and content hash of
 * the script; the files it imports are checked against the stamps kept beside the output.
 */
export async function compileHookScript(path: string, options: CompileCacheOptions = {}): Promise<CompiledScript> {
  const abs = resolve(path);
  if (DIRECT.has(extname(abs))) return { url: pathToFileURL(abs).href, via: 'direct' };
  let entry: InputStamp;
  try {
    entry = stampOf(abs);
  } catch (err) {
    throw new HookLoadError(`${abs}: cannot read hook script`, { cause: err });
  }
  const dir = resolveCacheDir(options.cacheDir);
  if (dir === null) {
    const { code } = await compileScript(abs);
    return { url: 'data:text/javascript;base64,' + Buffer.from(code).toString('base64'), via: 'uncached' };
  }
  const key = keyOf([CACHE_FORMAT, VERSION, abs, entry.mtimeMs, entry.size, entry.hash]);
  const output = join(dir, `${key}.mjs`);
  const manifest = join(dir, `${key}.json`);
  const inputs = readManifest(manifest, entry);
  if (inputs !== null && inputsUnchanged(inputs)) return { url: pathToFileURL(output).href, via: 'warm' };
  const { code, files } = await compileScript(abs);
  const stamps = files.filter((f) => f !== abs).map(stampOf);
  try {
    writeAtomic(output, code);
    writeAtomic(manifest, JSON.stringify({ format: CACHE_FORMAT, script: abs, hash: entry.hash, inputs: stamps }));
    pruneOlder(dir, abs, key);
  } catch (err) {
    throw new HookLoadError(`${abs}: cannot write the compiled script to ${dir}`, { cause: err });
  }
  return { url: pathToFileURL(output).href, via: 'cold' };
}

/** Compiles (bundles) the script; the cold path only, so esbuild is imported here. */
async function compileScript(abs: string): Promise<{ code: string; files: string[] }> {
  try {
    return await bundle(abs);
  } catch (err) {
    throw new HookLoadError(`${abs}: hook script does not compile`, { cause: err });
  }
}

type Esbuild = typeof import('esbuild');
const LOADERS: Readonly<Record<string, 'ts' | 'tsx' | 'js' | 'jsx'>> = {
  '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx',
};
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;

/**
 * Bundles the script with the local files it imports. Packages stay outside the bundle,
 * imported by absolute URL from where they resolve for the script, so they load as Node
 * would load them; `import.meta.url` keeps naming each source file, not the cache file.
 */
async function bundle(abs: string): Promise<{ code: string; files: string[] }> {
  const esbuild: Esbuild = await import('esbuild');
  const { isBuiltin } = await import('node:module');
  const result = await esbuild.build({
    entryPoints: [abs],
    absWorkingDir: dirname(abs),
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'authhook-packages',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === 'inner' || args.kind === 'entry-point') return undefined;
            if (isBuiltin(args.path)) return { path: args.path, external: true };
            const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
            if (r.errors.length > 0) return { errors: r.errors };
            // A path alias that lands on a local source file is bundled like a relative import.
            if (!IN_NODE_MODULES.test(r.path)) return { path: r.path };
            return { path: pathToFileURL(r.path).href, external: true };
          });
          build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => loadWithOwnMeta(esbuild, args.path));
        },
      },
    ],
  });
  const code = result.outputFiles[0]!.text;
  const files = Object.keys(result.metafile.inputs).map((p) => resolve(dirname(abs), p));
  // esbuild's shim for a local CommonJS file's require() needs a require to call.
  const shim = code.includes('Dynamic require of')
    ? `import { createRequire as __authhookCreateRequire } from 'node:module';\nglobalThis.require ??= __authhookCreateRequire(${JSON.stringify(pathToFileURL(abs).href)});\n`
    : '';
  return { code: `// authhook: compiled from ${abs.replace(/[\r\n]/g, ' ')}\n${shim}${code}`, files };
}

/** Replaces `import.meta.url`/`dirname`/`filename` with the source file's own, before bundling. */
async function loadWithOwnMeta(esbuild: Esbuild, path: string): Promise<{ contents: string; loader: 'js' } | undefined> {
  if (IN_NODE_MODULES.test(path)) return undefined;
  const source = readFileSync(path, 'utf8');
  if (!source.includes('import.meta')) return undefined;
  const loader = LOADERS[extname(path)] ?? 'js';
  const r = await esbuild.transform(source, {
    loader,
    sourcefile: path,
    define: {
      'import.meta.url': JSON.stringify(pathToFileURL(path).href),
      'import.meta.dirname': JSON.stringify(dirname(path)),
      'import.meta.filename': JSON.stringify(path),
    },
  });
  return { contents: r.code, loader: 'js' };
}
