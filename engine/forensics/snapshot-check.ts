import { type JuteReader, list } from '../jute'
import { ACL, StatPersisted } from '../proto/data-records'
import { SnapshotInvalidError } from '../txn/errors'
import { snapshotCompressionOf } from '../txn/file-names'
import { type SnapshotBodyCodec, readSnapshotFile } from '../txn/snapshot'
import type { DataDirFile } from './data-dir-files'
import type { FileProblem } from './file-problem'

/**
 * Checks a snapshot the way a server loading it would (engine/txn's readSnapshotFile: header, sessions, tree, both
 * Adler-32 seals, the digest section), with a body codec that counts nodes instead of building a tree. When the file
 * is bad, the counting says how far it was readable: the offset where decoding stopped (or where the seal that does
 * not match sits), how many nodes came before, and the last node's path.
 */

export interface SnapshotReport {
  file: DataDirFile
  valid: boolean
  nodeCount: number | null
  sessionCount: number | null
  problem: FileProblem | null
}

interface BodyCount {
  nodeCount: number
}

const ACLVector = list(ACL)
const END_OF_TREE = '/'

/** A body codec that only counts, and remembers how far it got. */
function countingCodec(progress: { nodes: number; lastPath: string | null; offset: number; bodyEnd: number | null }): SnapshotBodyCodec<BodyCount> {
  return {
    serializeTree: () => {
      throw new Error('read only')
    },
    deserializeTree(r: JuteReader): BodyCount {
      progress.offset = r.offset
      for (let count = r.int(); count > 0; count--) {
        r.long()
        ACLVector.read(r)
        progress.offset = r.offset
      }
      for (let path = r.ustring(); path !== END_OF_TREE; path = r.ustring()) {
        if (path === null) throw new Error(`null path at offset ${progress.offset}`)
        r.buffer()
        r.long()
        StatPersisted.read(r)
        progress.nodes++
        progress.lastPath = path === '' ? '/' : path
        progress.offset = r.offset
      }
      progress.bodyEnd = r.offset
      return { nodeCount: progress.nodes }
    },
  }
}

export async function checkSnapshot(file: DataDirFile): Promise<SnapshotReport> {
  const progress = { nodes: 0, lastPath: null as string | null, offset: 0, bodyEnd: null as number | null }
  try {
    const loaded = await readSnapshotFile(file, countingCodec(progress))
    return { file, valid: true, nodeCount: loaded.tree.nodeCount, sessionCount: loaded.sessions.size, problem: null }
  } catch (error) {
    if (!(error instanceof SnapshotInvalidError)) throw error
    const reason = error.message.startsWith(`${file.path}: `) ? error.message.slice(file.path.length + 2) : error.message
    const where = progress.bodyEnd !== null ? progress.bodyEnd : progress.offset
    const compressed = snapshotCompressionOf(file.name) !== 'none' ? ' (offset in the decompressed stream)' : ''
    return {
      file,
      valid: false,
      nodeCount: null,
      sessionCount: null,
      problem: {
        file: file.path,
        kind: 'invalidSnapshot',
        offset: where,
        lastGoodZxid: null,
        readable: progress.nodes,
        lastGoodPath: progress.lastPath,
        message: `${reason}${progress.bodyEnd !== null ? ' — every node decoded, the seal after them does not match' : ''}${compressed}`,
      },
    }
  }
}
