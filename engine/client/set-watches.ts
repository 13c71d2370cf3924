import type { JuteWriter } from '../jute'
import { OpCode, SetWatches, SetWatches2 } from '../proto'
import type { WatchLists } from './watch-manager'

/** Java's SET_WATCHES_MAX_LENGTH: path characters per SetWatches batch. */
export const SET_WATCHES_MAX_LENGTH = 128 * 1024

export interface SetWatchesBatch {
  /** setWatches (101), or setWatches2 (105) when the batch carries persistent watches. */
  readonly opCode: number
  readonly write: (w: JuteWriter) => void
}

/**
 * Splits the watches to re-register after a reconnect into batches as Java's primeConnection does: paths are taken
 * from the data, exist, child, persistent and persistent-recursive lists in that order while the batch holds fewer
 * than 128 Ki characters (so the last path may take it a little past that). `relativeZxid` is the client's
 * lastZxidSeen, from which the server decides which catch-up events to send.
 */
export function setWatchesBatches(lists: WatchLists, relativeZxid: bigint): SetWatchesBatch[] {
  const order = [lists.data, lists.exist, lists.child, lists.persistent, lists.persistentRecursive]
  const batches: SetWatchesBatch[] = []
  let listIndex = 0
  let itemIndex = 0
  while (listIndex < order.length) {
    const batch: [string[], string[], string[], string[], string[]] = [[], [], [], [], []]
    let batchLength = 0
    while (batchLength < SET_WATCHES_MAX_LENGTH && listIndex < order.length) {
      const list = order[listIndex]!
      if (itemIndex >= list.length) {
        listIndex++
        itemIndex = 0
        continue
      }
      const path = list[itemIndex++]!
      batch[listIndex]!.push(path)
      batchLength += path.length
    }
    const [data, exist, child, persistent, recursive] = batch
    if (data.length + exist.length + child.length + persistent.length + recursive.length === 0) break
    if (persistent.length + recursive.length > 0) {
      batches.push({
        opCode: OpCode.setWatches2,
        write: (w) =>
          SetWatches2.write(w, {
            relativeZxid,
            dataWatches: data,
            existWatches: exist,
            childWatches: child,
            persistentWatches: persistent,
            persistentRecursiveWatches: recursive,
          }),
      })
    } else {
      // Servers older than 3.6 know only opcode 101: use it whenever no persistent watch is in the batch.
      batches.push({
        opCode: OpCode.setWatches,
        write: (w) => SetWatches.write(w, { relativeZxid, dataWatches: data, existWatches: exist, childWatches: child }),
      })
    }
  }
  return batches
}
