// Builds policy models directly (no files), for engine tests.
import { parseRequireSpec, type RequireSpec } from '../../src/authz/require-parse.js';
import { staticSource } from '../../src/hooks/load-script.js';
import type { AuthhookModel, LocationSection, PolicyDirectives } from '../../src/config/model.js';
import type { AuthType, HookModule } from '../../src/types.js';

export interface TestLocation {
  path?: string;
  authType?: AuthType | null;
  authName?: string;
  user?: HookModule;
  group?: HookModule;
  access?: HookModule;
  providers?: string[];
  require?: RequireSpec | null;
  forbiddenOnFailure?: boolean;
  digestAlgorithms?: ('MD5' | 'SHA-256')[];
  setEnv?: Record<string, string>;
}

export function model(
  locations: TestLocation[],
  options: { hookTimeoutMs?: number; providers?: Record<string, HookModule> } = {},
): AuthhookModel {
  const sections: LocationSection[] = locations.map((l, i) => {
    const d: Record<string, unknown> = {};
    if (l.authType !== undefined) d.authType = l.authType;
    if (l.authName !== undefined) d.authName = l.authName;
    if (l.user !== undefined) d.authUserScript = staticSource(`user-script-${i}`, l.user);
    if (l.group !== undefined) d.authGroupScript = staticSource(`group-script-${i}`, l.group);
    if (l.access !== undefined) d.accessScript = staticSource(`access-script-${i}`, l.access);
    if (l.providers !== undefined) {
      d.basicProviders = l.providers;
      d.digestProviders = l.providers;
    } else if (l.user !== undefined) {
      d.basicProviders = ['wsgi'];
      d.digestProviders = ['wsgi'];
    }
    if (l.require !== undefined) d.require = l.require === null ? null : parseRequireSpec(l.require);
    if (l.forbiddenOnFailure !== undefined) d.forbiddenOnFailure = l.forbiddenOnFailure;
    if (l.digestAlgorithms !== undefined) d.digestAlgorithms = l.digestAlgorithms;
    if (l.setEnv !== undefined) d.setEnv = l.setEnv;
    return { kind: 'prefix', path: l.path ?? '/', regex: null, directives: d as PolicyDirectives, where: `test.${i}` };
  });
  const providers: Record<string, ReturnType<typeof staticSource>> = {};
  for (const [k, v] of Object.entries(options.providers ?? {})) providers[k] = staticSource(k, v);
  return {
    global: { hookTimeoutMs: options.hookTimeoutMs ?? 1000, scriptReloading: false, nonceSecret: Buffer.from('test-secret-test-secret') },
    sections,
    providers,
    providerFactories: {},
  };
}
