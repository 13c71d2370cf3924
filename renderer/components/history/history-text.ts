// Small pure helpers of the History tab (kept out of the component so they are tested without a DOM).
import type { NodeHistoryView, NodeVersionView } from '../../../main/contract/model'

export function bytesOfBase64(data: string | null): Uint8Array {
  if (data === null) return new Uint8Array()
  const binary = atob(data)
  return Uint8Array.from(binary, (char) => char.charCodeAt(0))
}

/** A version's data can be written back: its data is known and the node existed then. */
export function restorable(version: NodeVersionView): boolean {
  return version.kind !== 'delete' && version.dataBytes !== null
}

/** The two versions a diff starts with: the one before the newest change and the newest (or the only one twice). */
export function defaultPair(history: NodeHistoryView): [string, string] | null {
  const withData = history.versions.filter(restorable)
  const last = withData.at(-1)
  if (last === undefined) return null
  return [(withData.at(-2) ?? last).zxid, last.zxid]
}

/** "0x1000003a1f2b0000" → "0x1000…0000": session ids are long; the full one is in the title. */
export function shortSession(sessionId: string | null): string {
  if (sessionId === null) return '—'
  return sessionId.length > 12 ? `${sessionId.slice(0, 6)}…${sessionId.slice(-4)}` : sessionId
}
