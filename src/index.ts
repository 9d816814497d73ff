/**
 * authhook: Apache + mod_wsgi style authentication and authorisation hooks for Node.
 * The public surface is this explicit list.
 * @module
 */
import './fronts/express-types.js';
export { express } from './fronts/express.js';
export type { AuthhookMiddleware, ExpressOptions, RoutePolicy } from './fronts/express.js';
export type { AuthhookRequestFields, RequestAuth } from './fronts/node-request.js';
export { HookStrategy } from './fronts/passport.js';
export type { HookStrategyFault, HookStrategyOptions, HookUser, StrategyActions } from './fronts/passport.js';
export { createAuthServer, createForwardAuthHandler } from './fronts/forward-auth.js';
export type { ForwardAuthHandler, ForwardAuthOptions, ForwardHeaderNames, IdentityHeaderNames } from './fronts/forward-auth.js';
export { defineConfig, validateConfig } from './config/schema.js';
export type { AuthhookConfig, LocationConfig } from './config/schema.js';
export { compileConfig } from './config/compile.js';
export type { CompiledConfig, CompileOptions } from './config/compile.js';
export { compileApacheConfig } from './config/apache/index.js';
export type { ApacheCompiled, ApacheCompileOptions } from './config/apache/index.js';
export type { DaemonProcessSpec, HookScriptSpec, LocationGroupSpec, MountSpec, ServerSpec } from './config/gateway-spec.js';
export { createEngine } from './engine/decide.js';
export type { Engine, EngineInput, EngineOptions } from './engine/decide.js';
export { buildEnviron, readAuthorization } from './environ/build-environ.js';
export type { EnvironOptions, RequestLike } from './environ/build-environ.js';
export { normalizePath } from './environ/normalize-path.js';
export { createGateway } from './gateway/gateway.js';
export type { Gateway, GatewayOptions } from './gateway/gateway.js';
export type { GatewayStatus } from './gateway/status.js';
export type { FetchContext, FetchHandler } from './gateway/fetch-adapter.js';
export { createConsoleLogger, SILENT_LOGGER } from './log.js';
export { VERSION } from './version.js';
export {
  AuthhookError,
  ConfigError,
  HookLoadError,
  HookMissingError,
  HookResultError,
  HookThrewError,
  HookTimeoutError,
  PolicyError,
  ProviderUnavailableError,
} from './errors.js';
export type { AnyAuthhookError, AuthhookErrorCode } from './errors.js';
export type {
  AccessResult,
  AuthnResult,
  AuthType,
  CheckPasswordReturn,
  Decision,
  DecisionHeaders,
  Environ,
  GroupsResult,
  HookGrant,
  HookModule,
  HookName,
  Logger,
  RealmHashResult,
} from './types.js';
