import type { ACL, Id } from '../proto/data-records'
import { OPEN_ACL_UNSAFE } from '../proto/data-records'
import { ErrorCode, KeeperError } from '../proto/errors'
import type { AuthProvider } from './api'
import { DEFAULT_AUTH_PROVIDERS } from './auth-providers'

export { DEFAULT_AUTH_PROVIDERS, digestAuthProvider, digestOf, digestOfAuth, exactMatchAuthProvider, ipAuthProvider } from './auth-providers'

export interface CheckAclOptions {
  /** The connection is a super user by some other route than a `super` auth id (checked like one). */
  superUser?: boolean
  /** `zookeeper.skipACL=yes`: every check passes. */
  skipACL?: boolean
  providers?: ReadonlyMap<string, AuthProvider>
}

/**
 * `ZooKeeperServer.checkACL` as a predicate: may a connection holding `authIds` do `perm` on a node with `acl`?
 * An empty list allows everything; any `super` id allows everything; otherwise some entry must carry the
 * permission bit and be world:anyone or match one of the connection's ids of the same scheme.
 */
export function checkACL(acl: readonly ACL[] | null | undefined, perm: number, authIds: readonly Id[], options?: CheckAclOptions): boolean {
  if (options?.skipACL === true) return true
  if (acl === null || acl === undefined || acl.length === 0) return true
  if (options?.superUser === true) return true
  for (const authId of authIds) if (authId.scheme === 'super') return true
  const providers = options?.providers ?? DEFAULT_AUTH_PROVIDERS
  for (const entry of acl) {
    if ((entry.perms & perm) === 0) continue
    const { scheme, id } = entry.id
    if (scheme === 'world' && id === 'anyone') return true
    const provider = providers.get(scheme)
    if (provider === undefined) continue
    for (const authId of authIds) {
      if (authId.scheme === scheme && provider.matches(authId.id, id)) return true
    }
  }
  return false
}

/** checkACL that throws KeeperError(NOAUTH) instead of answering false. */
export function requireACL(acl: readonly ACL[] | null | undefined, perm: number, authIds: readonly Id[], path: string, options?: CheckAclOptions): void {
  if (!checkACL(acl, perm, authIds, options)) throw new KeeperError(ErrorCode.NOAUTH, path)
}

export interface FixupAclOptions {
  /** For the error's message only. */
  path?: string
  providers?: ReadonlyMap<string, AuthProvider>
}

/**
 * `PrepRequestProcessor.fixupACL`: the ACL list a create / setACL really stores. Duplicates go; world:anyone stays;
 * each `auth:` entry becomes one entry per authenticated id the connection holds (same perms); any other scheme must
 * have a provider that finds the id valid. Throws KeeperError(INVALIDACL) for an empty list, an `auth:` entry with no
 * authenticated id to expand to, or an invalid entry.
 */
export function fixupACL(acl: readonly ACL[] | null | undefined, authIds: readonly Id[], options?: FixupAclOptions): ACL[] {
  const unique = removeDuplicates(acl ?? [])
  const invalid = () => new KeeperError(ErrorCode.INVALIDACL, options?.path)
  if (unique.length === 0) throw invalid()
  const providers = options?.providers ?? DEFAULT_AUTH_PROVIDERS
  const fixed: ACL[] = []
  for (const entry of unique) {
    const { scheme, id } = entry.id
    if (scheme === 'world' && id === 'anyone') {
      fixed.push(entry)
    } else if (scheme === 'auth') {
      let expanded = false
      for (const authId of authIds) {
        if (providers.get(authId.scheme)?.authenticated !== true) continue
        expanded = true
        fixed.push({ perms: entry.perms, id: { scheme: authId.scheme, id: authId.id } })
      }
      if (!expanded) throw invalid()
    } else {
      const provider = providers.get(scheme)
      if (provider === undefined || !provider.isValid(id)) throw invalid()
      fixed.push(entry)
    }
  }
  return fixed
}

function removeDuplicates(acl: readonly ACL[]): ACL[] {
  const seen = new Set<string>()
  const unique: ACL[] = []
  for (const entry of acl) {
    const key = aclEntryKey(entry)
    if (seen.has(key)) continue
    seen.add(key)
    unique.push(entry)
  }
  return unique
}

/** An injective text key for one ACL entry (lengths prefix the strings, so no separator can be forged). */
function aclEntryKey(entry: ACL): string {
  const { scheme, id } = entry.id
  return `${entry.perms}:${scheme.length}:${scheme}${id.length}:${id}`
}

/** An injective text key for an ACL list, order-sensitive like Java's List.equals. */
export function aclListKey(acl: readonly ACL[]): string {
  if (acl.length === 1) return aclEntryKey(acl[0]!)
  let key = ''
  for (const entry of acl) key += aclEntryKey(entry) + ';'
  return key
}

/** The id that means "no list stored": world:anyone:cdrwa. */
export const OPEN_UNSAFE_ACL_ID = -1

/**
 * Apache's `ReferenceCountedACLCache`: every distinct ACL list gets an id (1, 2, 3 … never reused), nodes store the
 * id, and a list is dropped when its last user goes. Snapshots store the id map, so ids must follow Apache's rules.
 */
export class AclCache {
  private readonly listsById = new Map<number, readonly ACL[]>()
  private readonly idsByKey = new Map<string, number>()
  private readonly usesById = new Map<number, number>()
  /** The last id handed out; ids are never reused, even after a purge. */
  private lastId = 0

  get size(): number {
    return this.listsById.size
  }

  /** The id for `acl`, allocating one if the list is new; counts one more use of it. */
  convertAcls(acl: readonly ACL[] | null): number {
    if (acl === null) return OPEN_UNSAFE_ACL_ID
    const key = aclListKey(acl)
    let id = this.idsByKey.get(key)
    if (id === undefined) {
      id = ++this.lastId
      this.listsById.set(id, acl)
      this.idsByKey.set(key, id)
    }
    this.addUsage(id)
    return id
  }

  /** The list for an id; undefined when the id is unknown (Apache throws then: a node pointing at a purged list). */
  convertLong(id: number): readonly ACL[] | undefined {
    if (id === OPEN_UNSAFE_ACL_ID) return OPEN_ACL_UNSAFE
    return this.listsById.get(id)
  }

  addUsage(id: number): void {
    if (id === OPEN_UNSAFE_ACL_ID || !this.listsById.has(id)) return
    this.usesById.set(id, (this.usesById.get(id) ?? 0) + 1)
  }

  removeUsage(id: number): void {
    if (id === OPEN_UNSAFE_ACL_ID) return
    const acl = this.listsById.get(id)
    if (acl === undefined) return
    const uses = (this.usesById.get(id) ?? 0) - 1
    if (uses > 0) {
      this.usesById.set(id, uses)
      return
    }
    this.usesById.delete(id)
    this.idsByKey.delete(aclListKey(acl))
    this.listsById.delete(id)
  }

  /** Every (id, list) pair, for the snapshot. */
  entries(): IterableIterator<[number, readonly ACL[]]> {
    return this.listsById.entries()
  }

  /** Loads one snapshot entry with no uses yet (Apache's deserialize); ids keep growing past the largest seen. */
  load(id: number, acl: readonly ACL[]): void {
    if (this.lastId < id) this.lastId = id
    this.listsById.set(id, acl)
    this.idsByKey.set(aclListKey(acl), id)
    this.usesById.set(id, 0)
  }

  /** Forgets every list (the id counter keeps going, as Apache's `clear` does). */
  clear(): void {
    this.listsById.clear()
    this.idsByKey.clear()
    this.usesById.clear()
  }

  /** Drops lists no node uses (after a snapshot load). */
  purgeUnused(): void {
    for (const [id, uses] of this.usesById) {
      if (uses > 0) continue
      const acl = this.listsById.get(id)
      if (acl !== undefined) this.idsByKey.delete(aclListKey(acl))
      this.listsById.delete(id)
      this.usesById.delete(id)
    }
  }

  usesOf(id: number): number {
    return this.usesById.get(id) ?? 0
  }
}
