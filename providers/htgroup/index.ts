/**
 * The group file provider (`AuthGroupFile`, mod_authz_groupfile): `groups_for_user` from
 * `group: user1 user2` lines. A group named on several lines gathers every member.
 * @example
 * const groups = htgroupProvider('/etc/authhook/htgroup');
 * groups.groups_for_user(environ, 'alice'); // ['staff', 'admins']
 * @module
 */
import { SILENT_LOGGER } from '../../src/log.js';
import type { Environ, HookModule } from '../../src/types.js';
import { watchOptions, type FileProvider, type FileProviderOptions } from '../htpasswd/index.js';
import { isCleanField, scanLines, type LineWarning } from '../shared/lines.js';
import { watchParsedFile, type ParsedText } from '../shared/watched-file.js';

/** user → the groups naming them, in file order. */
export type HtgroupTable = ReadonlyMap<string, readonly string[]>;

/** The htgroup provider. */
export interface HtgroupProvider extends HookModule, FileProvider {
  groups_for_user(environ: Environ, user: string): readonly string[];
}

const NO_GROUPS: readonly string[] = Object.freeze([]);

/** Parses htgroup text. */
export function parseHtgroup(text: string): ParsedText<HtgroupTable> {
  const table = new Map<string, string[]>();
  const warnings: LineWarning[] = [];
  const counts = scanLines(text, (content, line) => {
    const colon = content.indexOf(':');
    const group = colon < 0 ? '' : content.slice(0, colon).trim();
    if (!isCleanField(group) || /\s/.test(group)) {
      warnings.push({ line, message: 'malformed line skipped (expected group: user1 user2 …)' });
      return 'malformed';
    }
    for (const user of content.slice(colon + 1).split(/\s+/)) {
      if (!isCleanField(user)) continue;
      const groups = table.get(user);
      if (groups === undefined) table.set(user, [group]);
      else if (!groups.includes(group)) groups.push(group);
    }
    return 'entry';
  });
  for (const [user, groups] of table) table.set(user, Object.freeze(groups) as string[]);
  return { ...counts, table, warnings };
}

/** Creates the htgroup provider; the file is read now (a ConfigError if it cannot be). */
export function htgroupProvider(path: string, options: FileProviderOptions = {}): HtgroupProvider {
  const logger = options.logger ?? SILENT_LOGGER;
  const file = watchParsedFile({ path, kind: 'htgroup', parse: parseHtgroup, logger, ...watchOptions(options) });
  return Object.freeze({
    path: file.path,
    get generation() {
      return file.generation;
    },
    groups_for_user: (_environ: Environ, user: string) => file.table.get(user) ?? NO_GROUPS,
    refresh: () => file.check(),
    close: () => file.close(),
  });
}
