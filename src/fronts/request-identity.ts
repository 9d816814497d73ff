/**
 * How the identity reaches the app as request properties: `auth`, `remoteUser`, `authType`
 * and `environ`.
 *
 * Express gives every request its own prototype (`Object.setPrototypeOf(req, app.request)`),
 * and V8 then takes a slow path for every property added to that request: about 2 µs a
 * property on the benchmark machine (node 20), against 20 ns on a request whose prototype
 * was never changed; as much as the rest of a Basic decision. So on such a request authhook
 * adds no property to the request itself: the identity rides on the request's own
 * `_readableState`, an object made with the request and never replaced, whose shape is
 * stable, so the write takes the fast path (about 0.13 µs in a real Express server; a WeakMap
 * keyed by the request costs 0.65 µs there). The four names are accessors over it, defined
 * once on the shared base of Express's request prototypes (the object directly above
 * `IncomingMessage.prototype`, which every app of one Express copy inherits, so sub-apps see
 * them too). A request whose prototype is `IncomingMessage.prototype` itself gets plain own
 * properties, which are cheap there. The app's `environ` (the hooks' environ plus
 * REMOTE_USER, AUTH_TYPE and AUTHENTICATE_*) is made on first read.
 * @module
 */
import { IncomingMessage } from 'node:http';
import type { Decision, Environ } from '../types.js';
import { prefixedVariables } from '../environ/build-environ.js';

/** What authhook hands to an app as `req.auth`. */
export interface RequestAuth {
  readonly user: string | null;
  readonly groups: readonly string[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly authType: 'Basic' | 'Digest' | null;
}

/** The request properties authhook sets before the app runs. */
export interface AuthhookRequestFields {
  remoteUser?: string | undefined;
  authType?: 'Basic' | 'Digest' | undefined;
  auth?: RequestAuth | undefined;
  /** The environ, with REMOTE_USER and AUTH_TYPE once known. */
  environ?: Environ | undefined;
}

/** The hooks' environ, or how to build it when the decision did not need it (made on first read then). */
export type EnvironSource = Environ | (() => Environ);

export const environFrom = (source: EnvironSource): Environ => (typeof source === 'function' ? source() : source);

type Field = keyof AuthhookRequestFields;
const FIELDS: readonly Field[] = ['auth', 'remoteUser', 'authType', 'environ'];
const IDENTITY = Symbol('authhook.identity');
type Holder = { [IDENTITY]?: Identity };
/** Identities of requests without a stream state (an object made from the prototype by hand). */
const stateless = new WeakMap<object, Holder>();

/** Where a request's identity is kept: its stream state, or else an entry of its own. */
function holderOf(req: object): Holder {
  const state = (req as { _readableState?: unknown })._readableState;
  if (typeof state === 'object' && state !== null) return state as Holder;
  let holder = stateless.get(req);
  if (holder === undefined) stateless.set(req, (holder = {}));
  return holder;
}
const ACCESSORS = Symbol('authhook.identityAccessors');

/** One request's identity; the accessors read it, and an app's own assignments land in it. */
class Identity {
  auth: RequestAuth | undefined;
  remoteUser: string | undefined;
  authType: 'Basic' | 'Digest' | undefined;
  #environ: Environ | undefined;
  readonly #decision: Decision | null;
  readonly #hookEnviron: EnvironSource | undefined;
  constructor(decision: Decision | null, hookEnviron: EnvironSource | undefined) {
    this.auth = decision === null ? undefined : authOf(decision);
    this.remoteUser = decision?.user ?? undefined;
    this.authType = decision?.authType ?? undefined;
    this.#decision = decision;
    this.#hookEnviron = hookEnviron;
    this.#environ = undefined;
  }
  get environ(): Environ | undefined {
    if (this.#environ === undefined && this.#hookEnviron !== undefined && this.#decision !== null) {
      this.#environ = appEnvironFor(this.#decision, environFrom(this.#hookEnviron));
    }
    return this.#environ;
  }
  set environ(value: Environ | undefined) {
    this.#environ = value;
  }
}

function authOf(decision: Decision): RequestAuth {
  return { user: decision.user, groups: decision.groups, attributes: decision.attributes, authType: decision.authType };
}

/** How the names are set on requests of one prototype. */
type Mode = 'accessors' | 'assign' | 'define';

// Prototype → how its requests get the names. Worked out once per prototype.
const modes = new WeakMap<object, Mode>();

function modeFor(req: object): Mode {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === IncomingMessage.prototype) return 'assign';
  if (proto === null) return 'define';
  let mode = modes.get(proto);
  if (mode === undefined) {
    mode = installAccessors(proto) ? 'accessors' : 'define';
    modes.set(proto, mode);
  }
  return mode;
}

/**
 * Defines the accessors on the base of the prototype chain, unless the chain does not reach
 * `IncomingMessage.prototype` or one of the names is already taken there (never clobbered).
 */
function installAccessors(proto: object): boolean {
  let base = proto;
  for (;;) {
    const up = Object.getPrototypeOf(base) as object | null;
    if (up === IncomingMessage.prototype) break;
    if (up === null) return false;
    base = up;
  }
  if (Object.hasOwn(base, ACCESSORS)) return true;
  if (FIELDS.some((f) => f in base)) return false;
  const descriptors: PropertyDescriptorMap = { [ACCESSORS]: { value: true } };
  for (const f of FIELDS) {
    descriptors[f] = {
      configurable: true,
      enumerable: false,
      get(this: object) {
        return holderOf(this)[IDENTITY]?.[f];
      },
      set(this: object, value: never) {
        (holderOf(this)[IDENTITY] ??= new Identity(null, undefined))[f] = value;
      },
    };
  }
  Object.defineProperties(base, descriptors);
  return true;
}

/**
 * Readies a request prototype an app will give its requests after authhook has attached the
 * identity (Express's `app.request`: Express swaps each request's prototype for it before its
 * routes run), so the accessors are on that chain too. A chain that does not reach
 * `IncomingMessage.prototype`, or already holds one of the names, is left alone.
 */
export function prepareRequestPrototype(proto: unknown): void {
  if (typeof proto === 'object' && proto !== null && proto !== IncomingMessage.prototype) installAccessors(proto);
}

/**
 * The request class of the servers authhook creates itself (the gateway, its worker and
 * daemon hosts): its prototype takes the accessors, so these requests get the identity in one
 * write and the app environ on first read, as Express requests do.
 * @example createServer({ IncomingMessage: IdentityIncomingMessage }, listener)
 */
export class IdentityIncomingMessage extends IncomingMessage {}

/** Sets `auth`, `remoteUser`, `authType` and `environ` on the request for the app. */
export function attachIdentity(req: IncomingMessage & AuthhookRequestFields, decision: Decision, environ: EnvironSource): void {
  const mode = modeFor(req);
  if (mode === 'accessors') {
    // Whatever was assigned to these names before is replaced, as plain writes would.
    holderOf(req)[IDENTITY] = new Identity(decision, environ);
    return;
  }
  const values: AuthhookRequestFields = { auth: authOf(decision), environ: appEnvironFor(decision, environFrom(environ)) };
  if (decision.user !== null) {
    values.remoteUser = decision.user;
    values.authType = decision.authType ?? undefined;
  }
  for (const f of FIELDS) {
    if (!(f in values)) continue;
    // A prototype that defines one of the names itself (a getter, say) is shadowed, not called.
    if (mode === 'assign') (req as unknown as Record<Field, unknown>)[f] = values[f];
    else Object.defineProperty(req, f, { value: values[f], writable: true, enumerable: true, configurable: true });
  }
}

/** The app's environ: the hooks' one plus REMOTE_USER, AUTH_TYPE and AUTHENTICATE_<NAME> per attribute. */
function appEnvironFor(decision: Decision, environ: Environ): Environ {
  if (decision.user === null) return environ;
  // As mod_authnz_ldap: each attribute the provider returned is AUTHENTICATE_<NAME> for the app.
  return Object.freeze({
    ...decision.variables,
    ...environ,
    REMOTE_USER: decision.user,
    AUTH_TYPE: decision.authType ?? '',
    ...prefixedVariables('AUTHENTICATE_', decision.attributes),
  });
}
