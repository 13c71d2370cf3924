import { type JuteReader, type JuteWriter, list } from '../jute'
import { ACL, StatPersisted } from '../proto/data-records'
import type { SnapshotBodyCodec } from './snapshot'

/**
 * The tree part of a snapshot as plain records, without building a DataTree: the ACL cache and the nodes in file
 * order. Re-encoding gives the same bytes. For inspection tools (like Apache's SnapshotFormatter), for tests, and for
 * crafting data directories.
 */

export interface RawSnapshotNode {
  /** "" for the root, then "/a", "/a/b"… in the file's (depth-first pre-) order. */
  path: string
  data: Buffer | null
  /** Key into `acls`; -1 = no list (world:anyone:cdrwa). */
  aclId: number
  stat: StatPersisted
}

export interface RawTreeBody {
  acls: Map<number, ACL[]>
  nodes: RawSnapshotNode[]
}

const ACLVector = list(ACL)
const END_OF_TREE = '/'

export const rawTreeBodyCodec: SnapshotBodyCodec<RawTreeBody> = {
  serializeTree(tree: RawTreeBody, w: JuteWriter): void {
    w.int(tree.acls.size)
    for (const [aclId, acls] of tree.acls) {
      w.longNumber(aclId)
      ACLVector.write(w, acls)
    }
    for (const node of tree.nodes) {
      w.ustring(node.path)
      w.buffer(node.data)
      w.longNumber(node.aclId)
      StatPersisted.write(w, node.stat)
    }
    w.ustring(END_OF_TREE)
  },

  deserializeTree(r: JuteReader): RawTreeBody {
    const acls = new Map<number, ACL[]>()
    for (let count = r.int(); count > 0; count--) {
      const aclId = r.longNumber()
      acls.set(aclId, ACLVector.read(r))
    }
    const nodes: RawSnapshotNode[] = []
    for (let path = r.ustring(); path !== END_OF_TREE; path = r.ustring()) {
      if (path === null) throw new Error('null path in snapshot')
      nodes.push({ path, data: r.buffer(), aclId: r.longNumber(), stat: StatPersisted.read(r) })
    }
    return { acls, nodes }
  },
}
