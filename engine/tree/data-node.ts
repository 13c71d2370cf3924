import type { Stat, StatPersisted } from '../proto/data-records'
import type { DataNode } from './api'
import { OwnerKind, ownerKind } from './ephemeral-type'
import { ChildSet, NO_CHILDREN } from './children'
import { javaFormat010d } from './java-text'

export { NO_CHILDREN } from './children'

/**
 * A znode as the tree stores it: nothing derived (no dataLength, numChildren or path), so 100k+ nodes stay small.
 * A class rather than object literals so every node shares one hidden class.
 */
export class TreeNode implements DataNode {
  /**
   * The node's tree-digest contribution as last added to the tree's sum, kept as a signed int32 (`crc | 0`) so the
   * field stays a small integer; 0 until the tree adds the node, and for nodes the digest leaves out.
   */
  digest = 0

  constructor(
    public data: Buffer | null,
    public aclId: number,
    public stat: StatPersisted,
    public children: ChildSet = NO_CHILDREN,
  ) {}
}

/**
 * Adds a child name, giving the node its own children set first if it is still a leaf (Apache makes its HashSet on
 * the first addChild too, so the set's table history starts there).
 */
export function addChild(node: TreeNode, child: string): void {
  if (node.children === NO_CHILDREN) node.children = new ChildSet()
  node.children.add(child)
}

/** A StatPersisted for a node created by txn `zxid` at `timeMs`. One bigint serves czxid, mzxid and pzxid. */
export function createStat(zxid: bigint, timeMs: number, ephemeralOwner: bigint): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: timeMs,
    mtime: timeMs,
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner,
    pzxid: zxid,
  }
}

export function emptyStatPersisted(): StatPersisted {
  return createStat(0n, 0, 0n)
}

/**
 * The Stat a client sees (Apache's `DataNode.copyStat`): cversion shown as 2·stored − numChildren in Java int
 * arithmetic (stored counts creations; the shown value counts creations and deletions); owner 0 for
 * containers and TTL nodes.
 */
export function statOf(node: DataNode, extendedTypesEnabled: boolean): Stat {
  const stat = node.stat
  const numChildren = node.children.size
  const owner = stat.ephemeralOwner
  return {
    czxid: stat.czxid,
    mzxid: stat.mzxid,
    ctime: stat.ctime,
    mtime: stat.mtime,
    version: stat.version,
    cversion: (stat.cversion * 2 - numChildren) | 0,
    aversion: stat.aversion,
    ephemeralOwner: owner === 0n || ownerKind(owner, extendedTypesEnabled) === OwnerKind.session ? owner : 0n,
    dataLength: node.data === null ? 0 : node.data.length,
    numChildren,
    pzxid: stat.pzxid,
  }
}

/**
 * The suffix a sequential create under `parent` gets: its stored cversion before the increment, as Java's
 * `%010d` of a signed int (`0000000007`, and `-2147483648` after overflow).
 */
export function sequentialSuffix(parent: DataNode): string {
  return javaFormat010d(parent.stat.cversion)
}

export { javaFormat010d as formatSequentialSuffix } from './java-text'
