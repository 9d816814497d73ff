/**
 * Group membership as mod_authnz_ldap checks it: LDAP compares of the group's member
 * attributes against the user, then sub-groups (groupOfNames / groupOfUniqueNames members)
 * level by level, up to `AuthLDAPMaxSubGroupDepth` levels below the required group.
 * @module
 */
import type { Directory } from './directory.js';
import { attributeValues } from './provider.js';
import type { LdapConfig } from './settings.js';

// mod_authnz_ldap's defaults for AuthLDAPSubGroupAttribute and AuthLDAPSubGroupClass.
const SUB_GROUP_ATTRIBUTES: readonly string[] = Object.freeze(['member', 'uniqueMember']);
const GROUP_CLASS_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';

/** A DN spelled for comparison: case and spacing around separators do not count. */
export function dnKey(dn: string): string {
  return dn.trim().toLowerCase().replace(/\s*([,=+])\s*/g, '$1');
}

/** The member the group attributes are compared with. */
export interface Member {
  readonly dn: string;
  /** The name as typed, compared when the group attribute holds names (memberUid). */
  readonly typed: string;
}

async function isDirectMember(config: LdapConfig, directory: Directory, group: string, member: Member): Promise<boolean> {
  const value = config.groupAttributeIsDN ? member.dn : member.typed;
  for (const attribute of config.groupAttributes) {
    if (await directory.compare(group, attribute, value)) return true;
  }
  return false;
}

/** Members of `group` that are themselves groups. */
async function subGroups(directory: Directory, group: string): Promise<string[]> {
  const [entry] = await directory.search({ base: group, scope: 'base', filter: '(objectClass=*)', attributes: SUB_GROUP_ATTRIBUTES, sizeLimit: 1 });
  if (entry === undefined) return [];
  const out: string[] = [];
  for (const attribute of SUB_GROUP_ATTRIBUTES) {
    for (const raw of attributeValues(entry, attribute)) {
      // uniqueMember may carry an optional UID suffix: DN#'0101'B.
      const dn = raw.replace(/#'[01]*'B$/, '');
      // Sequential on purpose: a big group must not flood the pool's wait queue.
      const found = await directory.search({ base: dn, scope: 'base', filter: GROUP_CLASS_FILTER, attributes: ['1.1'], sizeLimit: 1 });
      if (found.length === 1) out.push(dn);
    }
  }
  return out;
}

/**
 * Whether `member` is in `group`, directly or through sub-groups at most
 * `maxSubGroupDepth` levels below it. Breadth-first, so each group is checked at the
 * shallowest level it occurs at; a cycle ends because a group is visited once.
 */
export async function isGroupMember(config: LdapConfig, directory: Directory, group: string, member: Member): Promise<boolean> {
  const visited = new Set([dnKey(group)]);
  let level = [group];
  for (let depth = 0; level.length > 0; depth++) {
    for (const g of level) if (await isDirectMember(config, directory, g, member)) return true;
    if (depth >= config.maxSubGroupDepth) return false;
    const next: string[] = [];
    for (const g of level) {
      for (const sub of await subGroups(directory, g)) {
        const k = dnKey(sub);
        if (visited.has(k)) continue;
        visited.add(k);
        next.push(sub);
      }
    }
    level = next;
  }
  return false;
}
