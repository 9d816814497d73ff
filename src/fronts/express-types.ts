/**
 * Adds authhook's request fields to Express's Request type.
 * @module
 */
import type {} from 'express-serve-static-core';
import type { RequestAuth } from './node-request.js';
import type { Environ } from '../types.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated user (REMOTE_USER), set by authhook. */
    remoteUser?: string | undefined;
    /** `Basic` or `Digest` (AUTH_TYPE), set by authhook. */
    authType?: 'Basic' | 'Digest' | undefined;
    /** User, groups and attributes from the hooks, set by authhook. */
    auth?: RequestAuth | undefined;
    /** The environ the hooks saw, plus REMOTE_USER, AUTH_TYPE and AUTHENTICATE_* once a user is known. */
    environ?: Environ | undefined;
  }
}
export {};
