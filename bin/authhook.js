#!/usr/bin/env node
// The authhook command. Runs the compiled build (dist/, made by `npm run build`) when there
// is one, so no TypeScript transpiler loads at start-up; otherwise the sources through tsx.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/src/cli/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
