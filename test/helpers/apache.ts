// Helpers for authhook.conf tests: a temp directory holding the conf and the files it names,
// and a stand-in for the `file` provider that reads plain `user:password` / htgroup files.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { compileApacheConfig, type ApacheCompileOptions, type ApacheCompiled } from '../../src/config/apache/index.js';
import { staticSource } from '../../src/hooks/load-script.js';
import type { ProviderFactories } from '../../src/config/model.js';
import type { ConfigError } from '../../src/errors.js';
import { tempDir } from './index.js';

const FIXTURE = readFileSync(new URL('../fixtures/mod-wsgi-auth.ts', import.meta.url), 'utf8');

/** The hook script every conf dir gets as `auth.ts` (mod_wsgi's test users: spy, citizen, witness; password "secret"). */
export const AUTH_SCRIPT = FIXTURE;

/** Writes `authhook.conf` and the other files into a fresh temp dir (ESM, with `auth.ts`); returns the conf path. */
export function writeConf(conf: string, files: Record<string, string> = {}): string {
  const dir = tempDir('authhook-conf-');
  const all: Record<string, string> = { 'package.json': '{"type":"module"}\n', 'auth.ts': AUTH_SCRIPT, ...files, 'authhook.conf': conf };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, 'authhook.conf');
}

/** Compiles a conf written with `writeConf`. */
export function compileText(conf: string, options: ApacheCompileOptions & { files?: Record<string, string> } = {}): ApacheCompiled {
  const { files, ...rest } = options;
  return compileApacheConfig(writeConf(conf, files), { env: {}, ...rest });
}

/** Asserts the conf does not compile and returns the ConfigError. */
export function configError(conf: string, options: ApacheCompileOptions & { files?: Record<string, string> } = {}): ConfigError {
  let caught: unknown;
  try {
    compileText(conf, options).close();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, 'expected the config to be refused');
  assert.equal((caught as ConfigError).code, 'AUTHHOOK_ERR_CONFIG_INVALID', (caught as Error).message);
  return caught as ConfigError;
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/**
 * A stand-in for the htpasswd/htdigest/htgroup providers: `user:password` lines in clear
 * (tests only), and `group: user user` lines.
 */
export const PLAIN_FILE_PROVIDERS: ProviderFactories = Object.freeze({
  userFile(path: string, scheme: 'Basic' | 'Digest') {
    const users = new Map(lines(path).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)] as const));
    return staticSource(`file:${path}:${scheme}`, {
      check_password: (_e, user, password) => (users.has(user) ? users.get(user) === password : null),
      get_realm_hash(environ, user, realm) {
        const p = users.get(user);
        if (p === undefined) return null;
        const alg = environ['authhook.digest_algorithm'] === 'SHA-256' ? 'sha256' : 'md5';
        return createHash(alg).update(`${user}:${realm}:${p}`).digest('hex');
      },
    });
  },
  groupFile(path: string) {
    const groups = lines(path).map((l) => {
      const [name = '', members = ''] = l.split(':');
      return { name: name.trim(), members: members.trim().split(/\s+/) };
    });
    return staticSource(`groupfile:${path}`, {
      groups_for_user: (_e, user) => groups.filter((g) => g.members.includes(user)).map((g) => g.name),
    });
  },
});
