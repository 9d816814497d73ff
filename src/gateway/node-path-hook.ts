/**
 * `NODE_PATH` for ES modules too: Node's ESM resolver ignores it, so a daemon process with
 * `node-path=` registers this resolve hook. A bare specifier that does not resolve from the
 * importing file is tried from each module path entry, as `require` would.
 * @module
 */
import { register } from 'node:module';

// The hook runs on the loader thread, so it is registered from source (a data: URL) rather
// than from a file that would itself need the TypeScript loader there.
const HOOK_SOURCE = `
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
let paths = [];
export function initialize(data) { paths = data.paths; }
const isBare = (s) => !/^(?:[./]|[A-Za-z][A-Za-z0-9+.-]*:)/.test(s);
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const dir of paths) {
      try { return await next(specifier, { ...context, parentURL: pathToFileURL(dir + '/').href }); } catch {}
      try { return { url: pathToFileURL(createRequire(dir + '/').resolve(specifier)).href, shortCircuit: true }; } catch {}
    }
    throw err;
  }
}
`;

/** Makes bare `import`s fall back to the module path entries, in order. */
export function registerModulePath(paths: readonly string[]): void {
  if (paths.length === 0) return;
  register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`, { data: { paths: [...paths] } });
}
