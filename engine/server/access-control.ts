import type { ACL, Id } from '../proto'
import { fixupACL, requireACL } from '../tree/acl'
import type { AuthProvider } from '../tree/api'

/**
 * The two ACL decisions the pipeline asks for. The rules themselves (schemes, super, ip masks, digest) live in
 * engine/tree/acl.ts; this seam carries the server's settings (skipACL, the registered providers) to them.
 */
export interface AccessControl {
  /** Throws KeeperError(NOAUTH) unless `authIds` grant `perm` under `acl` (`ZooKeeperServer.checkACL`). */
  check(acl: readonly ACL[], perm: number, authIds: readonly Id[]): void
  /** Validates and expands an ACL list for create/setACL; throws KeeperError(INVALIDACL) (`fixupACL`). */
  fixup(acl: readonly ACL[], authIds: readonly Id[]): ACL[]
}

export function treeAccessControl(options: { skipACL: boolean; providers?: ReadonlyMap<string, AuthProvider> }): AccessControl {
  const checkOptions = { skipACL: options.skipACL, ...(options.providers === undefined ? {} : { providers: options.providers }) }
  const fixupOptions = options.providers === undefined ? {} : { providers: options.providers }
  return {
    check: (acl, perm, authIds) => requireACL(acl, perm, authIds, '', checkOptions),
    fixup: (acl, authIds) => (isOpenAcl(acl) ? [acl[0]!] : fixupACL(acl, authIds, fixupOptions)),
  }
}

/** The list nearly every create carries (world:anyone, any perms): valid and duplicate-free as it stands. */
function isOpenAcl(acl: readonly ACL[]): boolean {
  if (acl.length !== 1) return false
  const { id } = acl[0]!
  return id.scheme === 'world' && id.id === 'anyone'
}
