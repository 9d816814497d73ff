/**
 * `authhook check-config FILE [--warn-unknown]`: compile an `authhook.conf`, load its hook
 * scripts, and print the effective policy per location (as `apachectl configtest`, but
 * saying what the file means).
 * @module
 */
import type { ParseArgsConfig } from 'node:util';
import { compileApacheConfig } from '../config/apache/index.js';
import { describeConfig, verifyHooks } from '../config/check-config.js';
import { ConfigError } from '../errors.js';
import { createConsoleLogger } from '../log.js';

/** The options `check-config` takes. */
export const CHECK_CONFIG_OPTIONS = {
  'warn-unknown': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

type CheckValues = { [K in keyof typeof CHECK_CONFIG_OPTIONS]?: boolean | undefined };

/** Runs `check-config`; resolves to the exit code (errors throw a ConfigError). */
export async function runCheckConfig(positionals: readonly string[], values: CheckValues): Promise<number> {
  if (positionals.length !== 1) throw new ConfigError('check-config needs exactly one FILE');
  const file = positionals[0]!;
  const logger = createConsoleLogger({ verbose: values.verbose === true });
  const compiled = compileApacheConfig(file, {
    logger,
    unknownDirectives: values['warn-unknown'] === true ? 'warn' : 'error',
  });
  try {
    await verifyHooks(compiled.model);
    process.stdout.write(describeConfig(compiled));
    process.stdout.write(`\n${file}: Syntax OK\n`);
    return 0;
  } finally {
    compiled.close();
  }
}
