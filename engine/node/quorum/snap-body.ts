import { JuteReader, JuteWriter } from '../../jute'
import type { DataTree } from '../../tree/data-tree'
import { deserializeTree, serializeTree } from '../../tree/serialize'
import type { TreeOptions } from '../../tree/api'

/** What a SNAP carries: the leader's database (`ZKDatabase.serializeSnapshot`). */
export interface SnapContent {
  tree: DataTree
  sessions: Map<bigint, number>
}

/** Apache's LearnerHandler ends the snapshot with this string, and the learner checks it. */
const SIGNATURE = 'BenWasHere'

/**
 * The bytes that follow a SNAP packet: the session table (count, then id and timeout each), the tree (ACL cache,
 * nodes, "/" end marker), then the signature. No file header and no checksum: the stream is TCP's.
 */
export function encodeSnapBody(tree: DataTree, sessions: ReadonlyMap<bigint, number>): Buffer {
  const w = new JuteWriter(1 << 16)
  w.int(sessions.size)
  for (const [sessionId, timeoutMs] of sessions) {
    w.long(sessionId)
    w.int(timeoutMs)
  }
  serializeTree(tree, w)
  w.ustring(SIGNATURE)
  return w.toBuffer()
}

/**
 * Parses the body of a SNAP (what `encodeSnapBody` wrote before the signature, which the connection has already
 * checked and removed). Throws on anything that does not decode or leaves bytes over.
 */
export function parseSnapBody(body: Buffer, options?: TreeOptions): SnapContent {
  const r = new JuteReader(body)
  const sessions = new Map<bigint, number>()
  for (let count = r.int(); count > 0; count--) {
    const sessionId = r.long()
    sessions.set(sessionId, r.int())
  }
  const tree = deserializeTree(r, options)
  // The signature may still be attached (it was checked already); anything else after the body is not ours.
  if (!r.atEnd() && r.ustring() !== SIGNATURE) throw new Error('unexpected bytes after the snapshot body')
  if (!r.atEnd()) throw new Error(`${r.remaining} bytes after the snapshot body`)
  return { tree, sessions }
}
