/**
 * Where the worker-thread and child-process entry modules are, and how to start them: from
 * `dist/` they are plain JavaScript; from the sources they go through tsx.
 * @module
 */
import { fileURLToPath } from 'node:url';

/** Whether this module runs from the TypeScript sources (through tsx) rather than `dist/`. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

const EXT = FROM_SOURCES ? '.ts' : '.js';

/** The file URL of a sibling entry module (`worker-host`, `daemon-child`). */
export function entryUrl(name: 'worker-host' | 'daemon-child'): URL {
  return new URL(`./${name}${EXT}`, import.meta.url);
}

/** The entry's path, for `child_process.fork`. */
export function entryPath(name: 'worker-host' | 'daemon-child'): string {
  return fileURLToPath(entryUrl(name));
}

/** `execArgv` for a child process: tsx's loader when running from the sources, else nothing. */
export function childExecArgv(): string[] {
  return FROM_SOURCES ? ['--import', import.meta.resolve('tsx')] : [];
}

/**
 * What `new Worker(…)` is given. A worker does not honour `--import` in Node 20, so from the
 * sources a small bootstrap registers tsx first and then imports the TypeScript entry.
 */
export function workerSpecifier(name: 'worker-host'): URL {
  const entry = entryUrl(name);
  if (!FROM_SOURCES) return entry;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
