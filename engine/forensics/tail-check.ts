import { open } from 'node:fs/promises'
import { ENTRY_FRAMING_BYTES } from '../txn/txn-log-format'
import type { FileProblem } from './file-problem'

/**
 * What lies after the last txn the log reader accepted. Apache's reader (and ours) stops quietly at a zero length
 * (preallocated padding), at a torn last entry, or at a length that makes no sense; only the padding is a clean end.
 * A forensic look says which of the others it was, and where.
 */

const LOOK_BYTES = 4096

export async function inspectLogTail(file: string, validEndOffset: number, sizeBytes: number, lastGoodZxid: bigint | null, readable: number): Promise<FileProblem | null> {
  if (validEndOffset >= sizeBytes) return null
  const handle = await open(file, 'r')
  try {
    const buf = Buffer.alloc(Math.min(LOOK_BYTES, sizeBytes - validEndOffset))
    const { bytesRead } = await handle.read(buf, 0, buf.length, validEndOffset)
    const head = buf.subarray(0, bytesRead)
    if (head.every((byte) => byte === 0)) return null
    const base = { file, offset: validEndOffset, lastGoodZxid, readable }
    if (head.length >= 12) {
      const length = head.readInt32BE(8)
      const needed = length + ENTRY_FRAMING_BYTES
      if (length > 0 && validEndOffset + needed > sizeBytes) {
        return {
          ...base,
          kind: 'truncated',
          message: `the file ends inside a txn at offset ${validEndOffset}: it needs ${needed} bytes, ${sizeBytes - validEndOffset} are there`,
        }
      }
      return { ...base, kind: 'unreadable', message: `${sizeBytes - validEndOffset} bytes at offset ${validEndOffset} are not a readable txn (length field ${length})` }
    }
    return { ...base, kind: 'truncated', message: `the file ends inside a txn header at offset ${validEndOffset} (${head.length} bytes)` }
  } finally {
    await handle.close()
  }
}
