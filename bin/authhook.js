#!/usr/bin/env node
// The authhook command: TypeScript sources run through tsx, which also loads users' .ts hook scripts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
