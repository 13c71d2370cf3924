/**
 * Messages between a local cluster (the parent process) and its ZooDesk members, over the member's IPC channel.
 * Plain JSON-able objects, so they travel over Node's child_process IPC and Electron's utilityProcess alike.
 */

/**
 * - `ok`: the disk behaves normally.
 * - `slow`: every write and fsync of the txn log and snapshots takes `delayMs` longer.
 * - `fail`: writes and fsyncs fail (a member must stop serving rather than serve unsaved data).
 */
export type DiskMode = 'ok' | 'slow' | 'fail'

export interface DiskFaultMessage {
  type: 'disk'
  mode: DiskMode
  /** Extra latency per write/fsync for `slow`; 0 otherwise. */
  delayMs: number
}

export type ClusterToMemberMessage = DiskFaultMessage

const DISK_MODES: readonly string[] = ['ok', 'slow', 'fail'] satisfies DiskMode[]

/** Checks a message that arrived over IPC; undefined when it is not one we know (it is then ignored). */
export function parseClusterMessage(value: unknown): ClusterToMemberMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const candidate = value as Record<string, unknown>
  if (candidate['type'] !== 'disk') return undefined
  const mode = candidate['mode']
  const delayMs = candidate['delayMs']
  if (typeof mode !== 'string' || !DISK_MODES.includes(mode)) return undefined
  if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) return undefined
  return { type: 'disk', mode: mode as DiskMode, delayMs }
}
