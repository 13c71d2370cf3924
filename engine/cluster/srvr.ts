import { fourLetterWord as sendFourLetterWord } from '../monitor/four-letter'

/** A member's role as `srvr` reports it (`Mode:`); `read-only` when cut off with readonlymode.enabled. */
export type MemberMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only'

export interface SrvrReport {
  /** The member answers client requests (leader, follower, observer or standalone). */
  serving: boolean
  mode: MemberMode | null
  zxid: bigint | null
}

const MODES: readonly string[] = ['leader', 'follower', 'observer', 'standalone', 'read-only'] satisfies MemberMode[]

/**
 * Parses `srvr` output. A member that is up but not serving (no quorum, still electing or syncing) answers
 * "This ZooKeeper instance is not currently serving requests".
 */
export function parseSrvr(text: string): SrvrReport {
  const mode = /^Mode: (\S+)$/m.exec(text)?.[1]
  const zxidHex = /^Zxid: 0x([0-9a-fA-F]+)$/m.exec(text)?.[1]
  const knownMode = mode !== undefined && MODES.includes(mode) ? (mode as MemberMode) : null
  return {
    serving: knownMode !== null && knownMode !== 'read-only',
    mode: knownMode,
    zxid: zxidHex === undefined ? null : BigInt(`0x${zxidHex}`),
  }
}

/** A four-letter word to a member (1 s to answer unless told otherwise). */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return sendFourLetterWord(host, port, word, timeoutMs)
}
