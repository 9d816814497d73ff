/**
 * authhook's error classes. Every error has a stable `code`
 * (`AUTHHOOK_ERR_<AREA>_<WHAT>`); codes are never reused once retired.
 * Each code has a row in docs/errors.md.
 * @module
 */

/** Base class of every error authhook throws or reports. */
export class AuthhookError extends Error {
  static code: string = 'AUTHHOOK_ERR_GENERIC';
  code: string = 'AUTHHOOK_ERR_GENERIC';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as typeof AuthhookError).code;
  }
}

/** A configuration mistake found at start-up: names the key, file:line or directive. */
export class ConfigError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_CONFIG_INVALID' as const;
  override code = 'AUTHHOOK_ERR_CONFIG_INVALID' as const;
  /** Where the mistake is: a config key path (`locations.0.require`) or `file:line`. */
  readonly where: string | undefined;
  constructor(message: string, where?: string, options?: { cause?: unknown }) {
    super(where === undefined ? message : `${where}: ${message}`, options);
    this.where = where;
  }
}

/** A hook script could not be read, compiled or evaluated, or exports something that is not a function. */
export class HookLoadError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_HOOK_LOAD' as const;
  override code = 'AUTHHOOK_ERR_HOOK_LOAD' as const;
}

/** A hook script lacks the function the request needs (mod_wsgi WSGI0043/0046/0052/0056). */
export class HookMissingError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_HOOK_MISSING' as const;
  override code = 'AUTHHOOK_ERR_HOOK_MISSING' as const;
}

/** A hook returned a value of the wrong type (mod_wsgi WSGI0176/0177/0179/0055). */
export class HookResultError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_HOOK_RESULT' as const;
  override code = 'AUTHHOOK_ERR_HOOK_RESULT' as const;
}

/** A hook threw (or its promise rejected). The original error is the `cause`. */
export class HookThrewError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_HOOK_THREW' as const;
  override code = 'AUTHHOOK_ERR_HOOK_THREW' as const;
}

/** A hook did not settle within its time limit. */
export class HookTimeoutError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_HOOK_TIMEOUT' as const;
  override code = 'AUTHHOOK_ERR_HOOK_TIMEOUT' as const;
}

/**
 * A backend a provider depends on is unreachable (LDAP down, time-out). A hook or
 * provider throws this to ask for a 503 instead of a 500.
 */
export class ProviderUnavailableError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_PROVIDER_UNAVAILABLE' as const;
  override code = 'AUTHHOOK_ERR_PROVIDER_UNAVAILABLE' as const;
}

/** The merged policy for a location cannot be applied (AuthType without AuthName, no Require, …). */
export class PolicyError extends AuthhookError {
  static override code = 'AUTHHOOK_ERR_POLICY_INCOMPLETE' as const;
  override code = 'AUTHHOOK_ERR_POLICY_INCOMPLETE' as const;
}

/** Every concrete error class, for tests and for `instanceof`-free narrowing on `code`. */
export const ERROR_CLASSES = [
  ConfigError,
  HookLoadError,
  HookMissingError,
  HookResultError,
  HookThrewError,
  HookTimeoutError,
  ProviderUnavailableError,
  PolicyError,
] as const;

/** Union of every concrete error. Narrow it on `code`. */
export type AnyAuthhookError = InstanceType<(typeof ERROR_CLASSES)[number]>;

/** Union of every stable error code. */
export type AuthhookErrorCode = AnyAuthhookError['code'];
