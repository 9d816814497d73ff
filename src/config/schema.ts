/**
 * The typed configuration (`defineConfig`), checked by a zod schema. Errors name the key
 * and say what is wrong; unknown keys are errors (a typo in access control must not
 * silently open a door).
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { HookModule } from '../types.js';
import type { RequireSpec } from '../authz/require-parse.js';

const requireSpec: z.ZodType<RequireSpec> = z.lazy(() =>
  z.union([
    z.string().min(1),
    z.array(requireSpec).min(1),
    z.strictObject({ all: z.array(requireSpec).min(1) }),
    z.strictObject({ any: z.array(requireSpec).min(1) }),
    z.strictObject({ none: z.array(requireSpec).min(1) }),
  ]),
) as z.ZodType<RequireSpec>;

const providerList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const algorithm = z.enum(['MD5', 'SHA-256']);

const location = z
  .strictObject({
    path: z.string().startsWith('/', 'a location path starts with "/"').optional(),
    match: z.string().min(1).optional(),
    authType: z.enum(['Basic', 'Digest', 'None']).optional(),
    authName: z.string().min(1).regex(/^[^\u0000-\u001f\u007f]*$/, 'authName may not hold control characters').optional(),
    authBasicProvider: providerList.optional(),
    authDigestProvider: providerList.optional(),
    authDigestAlgorithm: z.union([algorithm, z.array(algorithm).min(1)]).optional(),
    authDigestNonceLifetime: z.number().int().positive().optional(),
    authUserScript: z.string().min(1).optional(),
    authGroupScript: z.string().min(1).optional(),
    accessScript: z.string().min(1).nullable().optional(),
    authUserFile: z.string().min(1).optional(),
    authGroupFile: z.string().min(1).optional(),
    require: requireSpec.nullable().optional(),
    authzSendForbiddenOnFailure: z.boolean().optional(),
    passAuthorization: z.boolean().optional(),
    setEnv: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
    /** mod_setenvif's SetEnvIf: `{ attribute: 'User-Agent', match: '^Probe/', set: ['probe', 'level=2', '!other'] }`. */
    setEnvIf: z
      .array(z.strictObject({ attribute: z.string().min(1), match: z.string(), noCase: z.boolean().optional(), set: z.array(z.string().min(1)).min(1) }))
      .optional(),
    authnCache: z
      .union([
        z.boolean(),
        z.strictObject({
          ttlS: z.number().positive().max(86_400).optional(),
          max: z.number().int().positive().max(10_000_000).optional(),
          negativeTtlS: z.number().nonnegative().max(86_400).optional(),
          providers: z.array(z.string().min(1)).optional(),
        }),
      ])
      .optional(),
  })
  .refine((l) => (l.path === undefined) !== (l.match === undefined), {
    message: 'a location needs exactly one of "path" (a prefix) or "match" (a regex)',
  });

const hookModule = z.custom<HookModule>((v) => typeof v === 'object' && v !== null, 'a provider is an object with hook functions');

const configSchema = z.strictObject({
  hookTimeoutMs: z.number().int().positive().max(600_000).optional(),
  scriptReloading: z.boolean().optional(),
  nonceSecret: z.string().min(16, 'nonceSecret needs at least 16 characters').optional(),
  baseDir: z.string().optional(),
  providers: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), hookModule).optional(),
  locations: z.array(location),
});

/** One `<Location>`-like section of the typed config. */
export type LocationConfig = Omit<z.input<typeof location>, 'require'> & { require?: RequireSpec | null | undefined };
/** The typed configuration. Script and file paths are relative to `baseDir` (default: the working directory). */
export type AuthhookConfig = Omit<z.input<typeof configSchema>, 'locations'> & { locations: LocationConfig[] };

/**
 * Identity function that types a configuration.
 * @example
 * export default defineConfig({
 *   locations: [{ path: '/', authType: 'Basic', authName: 'Staff', authUserScript: './auth.ts', require: 'valid-user' }],
 * });
 */
export function defineConfig(config: AuthhookConfig): AuthhookConfig {
  return config;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(config)' : path.map(String).join('.');
}

/** Validates a typed config; throws a `ConfigError` naming the key and what is wrong. */
export function validateConfig(input: unknown): z.output<typeof configSchema> {
  const r = configSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    throw new ConfigError(`unknown key ${keys}`, keyPath(issue.path));
  }
  throw new ConfigError(issue.message, keyPath(issue.path));
}
