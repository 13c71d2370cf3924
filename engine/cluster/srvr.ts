import { createConnection } from 'node:net'

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

/** Sends a four-letter word and returns what the member wrote before closing; rejects on error or timeout. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = createConnection({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`${word} to ${host}:${port}: no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('connect', () => socket.write(word))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (error) => {
      clearTimeout(timer)
      socket.destroy()
      reject(error)
    })
    socket.on('close', (hadError) => {
      clearTimeout(timer)
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'))
    })
  })
}
