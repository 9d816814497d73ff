// The policy the Caddy and Traefik example protects its app with, for `authhook forward-auth --config`.
// Script paths are relative to this file.
import type { AuthhookConfig, ForwardAuthOptions } from '../../src/index.js';

export default {
  locations: [
    { path: '/', authType: 'Basic', authName: 'Example', authUserScript: './auth.ts', authGroupScript: './auth.ts', require: 'valid-user' },
    // Staff may log in; only admins may see /admin (403 for the others, so a browser does not re-prompt).
    { path: '/admin', require: 'group admins', authzSendForbiddenOnFailure: true },
    { path: '/digest', authType: 'Digest', authName: 'Example Digest', authDigestAlgorithm: ['SHA-256', 'MD5'] },
    { path: '/public', require: 'all granted' },
    { path: '/public/read-only', require: 'method GET HEAD' },
  ],
} satisfies AuthhookConfig;

/** Caddy (or Traefik) connects from loopback; only it may describe the original request. */
export const forwardAuth = {
  trustedProxies: ['127.0.0.1', '::1'],
} satisfies Omit<ForwardAuthOptions, 'engine' | 'config'>;
