import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../src/index.js';

test('the public surface is exactly the listed exports', () => {
  assert.deepEqual(Object.keys(api).sort(), [
    'AuthhookError',
    'ConfigError',
    'HookLoadError',
    'HookMissingError',
    'HookResultError',
    'HookStrategy',
    'HookThrewError',
    'HookTimeoutError',
    'PolicyError',
    'ProviderUnavailableError',
    'SILENT_LOGGER',
    'VERSION',
    'buildEnviron',
    'compileApacheConfig',
    'compileConfig',
    'createAuthServer',
    'createConsoleLogger',
    'createEngine',
    'createForwardAuthHandler',
    'createGateway',
    'defineConfig',
    'express',
    'normalizePath',
    'readAuthorization',
    'validateConfig',
  ]);
});
