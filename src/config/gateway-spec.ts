/**
 * What the Apache-style reader records for the gateway: mounts (`WSGIScriptAlias`), daemon
 * process groups (`WSGIDaemonProcess`), per-location process and application groups, and
 * the hook scripts with their `application-group=`. `createGateway` (src/gateway) runs them.
 * @module
 */

/** One `WSGIScriptAlias URL path [options]`. */
export interface MountSpec {
  /** The URL prefix, normalised, without a trailing slash (except `/` itself). */
  readonly path: string;
  /** The app module, absolute. */
  readonly app: string;
  /** `process-group=`: a `WSGIDaemonProcess` name, `%{GLOBAL}` (in-process) or `%{ENV:VAR}`; `null` when not given. */
  readonly processGroup: string | null;
  /** `application-group=`: `%{GLOBAL}`, `%{SERVER}`, `%{RESOURCE}`, `%{ENV:VAR}` or a name; `null` when not given. */
  readonly applicationGroup: string | null;
  /** `pass-authorization=On`: the app sees the Authorization header (mod_wsgi hides it by default). */
  readonly passAuthorization: boolean;
  readonly where: string;
}

/** One `WSGIDaemonProcess name options…`, with its options checked. */
export interface DaemonProcessSpec {
  readonly name: string;
  /** `processes=` (default 1). */
  readonly processes: number;
  /** `threads=`: concurrent requests per process (default 15, as mod_wsgi). */
  readonly threads: number;
  /** `home=`: the working directory, absolute; `null` when not given. */
  readonly home: string | null;
  /** `node-path=` (or mod_wsgi's `python-path=` / `python-home=`): where modules resolve from, absolute, in order. */
  readonly nodePath: readonly string[];
  /** `lang=`: `LANG` for this group only. */
  readonly lang: string | null;
  /** `locale=`: `LC_ALL` for this group only. */
  readonly locale: string | null;
  /** `maximum-requests=`: recycle a process after this many requests; 0 = never. */
  readonly maximumRequests: number;
  /** Seconds; 0 = none. */
  readonly inactivityTimeoutS: number;
  readonly requestTimeoutS: number;
  readonly queueTimeoutS: number;
  /** `display-name=` as written (`%{GROUP}` is expanded when processes start). */
  readonly displayName: string | null;
  readonly user: string | null;
  readonly group: string | null;
  readonly where: string;
}

/** `WSGIProcessGroup` / `WSGIApplicationGroup` set in one location section. */
export interface LocationGroupSpec {
  readonly kind: 'prefix' | 'regex';
  /** The prefix (normalised) or the regex source, as in the section. */
  readonly path: string;
  readonly regex: RegExp | null;
  readonly processGroup: string | null;
  readonly applicationGroup: string | null;
  readonly where: string;
}

/** A hook script and the application group it runs in (`application-group=`, default `%{GLOBAL}`). */
export interface HookScriptSpec {
  readonly directive: 'WSGIAuthUserScript' | 'WSGIAuthGroupScript' | 'WSGIAccessScript';
  /** Absolute path. */
  readonly path: string;
  readonly applicationGroup: string;
  readonly where: string;
}

/** Server-level facts read from the file: `ServerName`, `Listen`. */
export interface ServerSpec {
  readonly serverName: string | null;
  /** `Listen` values as written (`8080`, `127.0.0.1:8080`, `[::1]:8080`). */
  readonly listen: readonly string[];
}
