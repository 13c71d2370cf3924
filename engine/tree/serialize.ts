import { JuteDecodeError, type JuteReader, type JuteWriter } from '../jute'
import type { ACL, StatPersisted } from '../proto/data-records'
import type { TreeOptions } from './api'
import { TreeNode } from './data-node'
import { DataTree } from './data-tree'

/**
 * The tree part of an Apache snapshot (`DataTree.serialize`), byte for byte:
 *
 *   int n; repeat n { long aclId; vector<ACL> acls }                      the ACL cache
 *   repeat { ustring path; buffer data; long aclId; StatPersisted stat }  nodes, pre-order, root under ""
 *   ustring "/"                                                           end of nodes
 *
 * The file header, the sessions before it and the checksum seal after it belong to the storage layer.
 */

/** Nodes written between yields of `serializeTreeSteps`, so a large tree does not block the event loop for long. */
export const NODES_PER_STEP = 4096

/** Writes the whole tree at once. */
export function serializeTree(tree: DataTree, w: JuteWriter): void {
  const steps = serializeTreeSteps(tree, w, Number.POSITIVE_INFINITY)
  while (!steps.next().done);
}

/**
 * Writes the tree in steps: the caller may apply txns between steps (drain `w`, let the loop turn). Like Apache's
 * fuzzy snapshot, each node is written as it is when visited and nodes deleted meanwhile are skipped; replaying
 * the log from the zxid the snapshot started at repairs the difference.
 */
export function* serializeTreeSteps(tree: DataTree, w: JuteWriter, nodesPerStep = NODES_PER_STEP): Generator<void, void, void> {
  writeAclCache(tree, w)
  const pending: string[] = ['']
  let written = 0
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    // Looked up when visited, as Apache does: a node deleted while the walk was paused is skipped.
    const node = tree.getNode(path)
    if (node === undefined) continue
    writeNode(w, path, node.data, node.aclId, node.stat)
    if (node.children.size > 0) {
      // Apache writes children in its HashSet's order, and a restore rebuilds each set by adding them in file
      // order: the same order gives the same sets after a restart. Reversed onto the stack for a pre-order walk.
      const children = node.children.javaOrder()
      for (let i = children.length - 1; i >= 0; i--) pending.push(path + '/' + children[i])
    }
    if (++written >= nodesPerStep) {
      written = 0
      yield
    }
  }
  w.ustring('/')
}

function writeAclCache(tree: DataTree, w: JuteWriter): void {
  const entries = [...tree.aclEntries()]
  w.int(entries.length)
  for (const [id, acl] of entries) {
    w.long(BigInt(id))
    w.int(acl.length)
    for (const entry of acl) {
      w.int(entry.perms)
      w.ustring(entry.id.scheme)
      w.ustring(entry.id.id)
    }
  }
}

function writeNode(w: JuteWriter, path: string, data: Buffer | null, aclId: number, stat: StatPersisted): void {
  w.ustring(path)
  w.buffer(data)
  w.long(BigInt(aclId))
  w.long(stat.czxid)
  w.long(stat.mzxid)
  w.longNumber(stat.ctime)
  w.longNumber(stat.mtime)
  w.int(stat.version)
  w.int(stat.cversion)
  w.int(stat.aversion)
  w.long(stat.ephemeralOwner)
  w.long(stat.pzxid)
}

/**
 * Reads a tree written by `serializeTree` or by Apache, rebuilding what the snapshot does not store: children sets,
 * session ephemerals, containers, TTL nodes, quota stats, the `/` alias, and drops unused ACL lists.
 * Throws JuteDecodeError on malformed input (short data, a node whose parent was not seen before it).
 */
export function deserializeTree(r: JuteReader, options?: TreeOptions): DataTree {
  const tree = new DataTree(options)
  tree.beginLoad()
  const aclCount = r.int()
  if (aclCount < 0) throw new JuteDecodeError(`ACL cache size ${aclCount} out of range`)
  for (let i = 0; i < aclCount; i++) {
    const id = Number(r.long())
    tree.loadAcl(id, readAclList(r))
  }
  // Apache writes pre-order, so a node's parent is on the stack of the nodes above it; the map is the fallback.
  const ancestorPaths: string[] = []
  const ancestors: TreeNode[] = []
  for (;;) {
    const path = r.ustring()
    if (path === null) throw new JuteDecodeError('null node path in snapshot')
    if (path === '/') break
    const data = r.buffer()
    const aclId = Number(r.long())
    const node = new TreeNode(data, aclId, readStatPersisted(r))
    const lastSlash = path.lastIndexOf('/')
    if (lastSlash < 0) {
      tree.loadNode(path, node, undefined, '')
    } else {
      while (ancestors.length > 0 && !isParentPath(ancestorPaths[ancestorPaths.length - 1]!, path, lastSlash)) {
        ancestorPaths.pop()
        ancestors.pop()
      }
      const parent = ancestors[ancestors.length - 1] ?? tree.getNode(path.slice(0, lastSlash))
      if (parent === undefined) throw new JuteDecodeError(`Invalid Datatree, unable to find parent of path ${path}`)
      tree.loadNode(path, node, parent as TreeNode, path.slice(lastSlash + 1))
    }
    ancestorPaths.push(path)
    ancestors.push(node)
  }
  if (!tree.finishLoad()) throw new JuteDecodeError('snapshot has no root node')
  return tree
}

function isParentPath(candidate: string, path: string, lastSlash: number): boolean {
  return candidate.length === lastSlash && path.startsWith(candidate)
}

function readAclList(r: JuteReader): ACL[] {
  const count = r.vectorLength()
  if (count < 0) throw new JuteDecodeError('Incorrect format of snapshot: missing acls')
  const acl: ACL[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const perms = r.int()
    const scheme = r.ustring() ?? ''
    const id = r.ustring() ?? ''
    acl[i] = { perms, id: { scheme, id } }
  }
  return acl
}

const ZERO = 0n

/** Reads a StatPersisted, letting equal zxids share one bigint (czxid = mzxid = pzxid for most nodes). */
function readStatPersisted(r: JuteReader): StatPersisted {
  const czxid = r.long()
  const mzxidRead = r.long()
  const ctime = r.longNumber()
  const mtime = r.longNumber()
  const version = r.int()
  const cversion = r.int()
  const aversion = r.int()
  const ownerRead = r.long()
  const pzxidRead = r.long()
  const mzxid = mzxidRead === czxid ? czxid : mzxidRead
  return {
    czxid,
    mzxid,
    ctime,
    mtime,
    version,
    cversion,
    aversion,
    ephemeralOwner: ownerRead === 0n ? ZERO : ownerRead,
    pzxid: pzxidRead === czxid ? czxid : pzxidRead === mzxid ? mzxid : pzxidRead,
  }
}
