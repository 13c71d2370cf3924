// Znode facts the UI derives from the contract's data: kinds from ephemeralOwner, sequence suffixes, paths.
import type { NodeKind, ZnodeStat } from '../../main/contract/model'
import { zkPathProblem } from '../../main/contract/zk-path'

/** Long.MIN_VALUE, the owner Apache stores for containers. */
const CONTAINER_OWNER = '0x8000000000000000'

/** What a node is, read from its owner the way Apache's EphemeralType does (extended types assumed on). */
export function kindOfOwner(ephemeralOwner: string): NodeKind {
  const owner = ephemeralOwner.toLowerCase()
  if (owner === '0x0' || /^0x0+$/.test(owner)) return 'persistent'
  if (owner === CONTAINER_OWNER) return 'container'
  // TTL: top byte 0xFF, the next two bytes (extended feature bits) zero, the TTL in the low 40 bits.
  if (owner.length === 18 && owner.startsWith('0xff0000')) return 'ttl'
  return 'ephemeral'
}

export function kindOfStat(stat: ZnodeStat | undefined): NodeKind | null {
  return stat === undefined ? null : kindOfOwner(stat.ephemeralOwner)
}

/** The TTL in ms a TTL node's owner carries. */
export function ttlOfOwner(ephemeralOwner: string): number | null {
  if (kindOfOwner(ephemeralOwner) !== 'ttl') return null
  return Number.parseInt(ephemeralOwner.slice(8), 16)
}

/** ZooKeeper appends a 10-digit counter to sequential nodes' names. */
export function isSequentialName(name: string): boolean {
  return /\d{10}$/.test(name)
}

/** The icon a tree row shows: the stored kind, plus "sequential" read from the name. */
export type NodeIconKind = 'persistent' | 'persistent-sequential' | 'ephemeral' | 'ephemeral-sequential' | 'container' | 'ttl' | 'ttl-sequential' | 'unknown'

/** `kind`: what is known of the node beyond its stat (containers and TTL nodes read as persistent). */
export function iconKind(name: string, stat: ZnodeStat | undefined, known: NodeKind | null = kindOfStat(stat)): NodeIconKind {
  const kind = known
  if (kind === null) return 'unknown'
  const sequential = isSequentialName(name)
  switch (kind) {
    case 'persistent':
      return sequential ? 'persistent-sequential' : 'persistent'
    case 'ephemeral':
      return sequential ? 'ephemeral-sequential' : 'ephemeral'
    case 'ttl':
      return sequential ? 'ttl-sequential' : 'ttl'
    case 'container':
      return 'container'
  }
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1)
}

/** Ancestors from '/' down to the path itself. */
export function ancestry(path: string): string[] {
  if (path === '/') return ['/']
  const out = ['/']
  let at = 0
  for (;;) {
    at = path.indexOf('/', at + 1)
    if (at === -1) break
    out.push(path.slice(0, at))
  }
  out.push(path)
  return out
}

/**
 * Why a path is not a valid znode path (Apache's PathUtils.validatePath), or null. `sequential`: the name may end
 * with '/', the server appends the counter (as Apache allows).
 */
export function pathProblem(path: string, sequential = false): string | null {
  // A sequential create may end with '/': the server appends the counter, so the rules apply to that name.
  return zkPathProblem(sequential && path.length > 1 && path.endsWith('/') ? `${path}1` : path)
}

/** A name typed relative to `base` ("a/b"), or an absolute path ("/x/y"), as an absolute path. */
export function resolvePath(base: string, input: string): string {
  if (input.startsWith('/')) return input
  return input === '' ? base : base === '/' ? `/${input}` : `${base}/${input}`
}
