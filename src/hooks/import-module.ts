/**
 * Importing a user module (hook script or app) written in TypeScript or JavaScript. tsx is
 * loaded on first use only, so commands that never import a `.ts` file start fast; each call
 * gets a fresh module graph, which is what makes reloading a changed script possible.
 * @module
 */
import { pathToFileURL } from 'node:url';

type TsImport = (specifier: string, parent: string) => Promise<unknown>;
let tsImport: TsImport | null = null;

/** Imports `absPath` afresh and returns its namespace. */
export async function importModule(absPath: string): Promise<Record<string, unknown>> {
  if (tsImport === null) tsImport = ((await import('tsx/esm/api')) as { tsImport: TsImport }).tsImport;
  return (await tsImport(pathToFileURL(absPath).href, import.meta.url)) as Record<string, unknown>;
}
