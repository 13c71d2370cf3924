import { ErrorCode, KeeperError, type ReconfigRequest } from '../proto'
import { ConfigError } from '../node/config-error'
import type { QuorumServerSpec } from '../node/config-types'
import { parseServerLine } from '../node/config-servers'
import { membershipLine } from '../node/quorum/peer-options'

/**
 * What a leader's prep needs of its quorum to check a reconfig (Apache's `lzks.self` and `lzks.getLeader()`). Given
 * only while this member leads; standalone servers and learners have none.
 */
export interface ReconfigView {
  /** A reconfig is proposed and not committed (lastSeenQuorumVerifier is newer than quorumVerifier). */
  inProgress(): boolean
  /** The last seen configuration: its version and servers (equal to the active one when none is in progress). */
  lastSeen(): { version: bigint; servers: readonly QuorumServerSpec[] }
  /** `Leader.isQuorumSynced(qv)` for a configuration with these voters. */
  isQuorumSynced(voters: readonly number[]): boolean
  /** QuorumPeerConfig.isStandaloneEnabled(): a new configuration needs at least 2 voters then (else 1). */
  readonly standaloneEnabled: boolean
}

/** The servers of the configuration a reconfig asks for (incremental or `newMembers`), in Apache's check order. */
export function plannedServers(request: ReconfigRequest, lastSeen: readonly QuorumServerSpec[]): QuorumServerSpec[] {
  if (request.newMembers !== null) return nonIncremental(request.newMembers)
  const next = new Map<number, QuorumServerSpec>(lastSeen.map((server) => [server.id, server]))
  try {
    for (const leaving of splitTrimmed(request.leavingServers, ',')) next.delete(javaParseLong(leaving))
    for (const joiner of splitTrimmed(request.joiningServers, ',')) {
      const parts = splitTrimmed(joiner, '=')
      if (parts.length !== 2) throw new KeeperError(ErrorCode.BADARGUMENTS)
      const key = parts[0]!
      const sid = javaParseLong(key.slice(key.lastIndexOf('.') + 1))
      const server = parseServer(sid, parts[1]!)
      // "each server should have 3 ports specified": the client port is required here.
      if (server.clientPort === undefined) throw new KeeperError(ErrorCode.BADARGUMENTS)
      for (const other of next.values()) if (other.id !== server.id) checkAddressDuplicate(server, other)
      next.delete(server.id)
      next.set(server.id, server)
    }
  } catch (error) {
    if (error instanceof ConfigError) throw new KeeperError(ErrorCode.BADARGUMENTS)
    throw error
  }
  return [...next.values()]
}

/** `newMembers`: commas or newlines between `server.N=…` lines, read as a Properties file (parseDynamicConfig). */
function nonIncremental(text: string): QuorumServerSpec[] {
  const servers = new Map<number, QuorumServerSpec>()
  try {
    for (const raw of text.replaceAll(',', '\n').split('\n')) {
      const line = raw.trim()
      if (line.length === 0 || line.startsWith('#') || line.startsWith('!')) continue
      const separator = line.search(/[=:]/)
      const key = (separator < 0 ? line : line.slice(0, separator)).trim()
      const value = separator < 0 ? '' : line.slice(separator + 1).trim()
      // Hierarchical quorums (group/weight) are not supported by ZooDesk; anything else is "Unrecognised parameter".
      if (key === 'version') continue
      if (!key.startsWith('server.')) throw new KeeperError(ErrorCode.BADARGUMENTS)
      const sid = javaParseLong(key.slice('server.'.length))
      servers.set(sid, parseServer(sid, value))
    }
  } catch (error) {
    if (error instanceof ConfigError) throw new KeeperError(ErrorCode.BADARGUMENTS)
    throw error
  }
  const list = [...servers.values()]
  // parseDynamicConfig's IllegalArgumentException (not a ConfigException): Apache answers MARSHALLINGERROR.
  if (list.every((server) => server.role === 'observer') && list.length > 0) throw new Error('Observers w/o participants is an invalid configuration')
  return list
}

function parseServer(sid: number, value: string): QuorumServerSpec {
  return parseServerLine({ key: `server.${sid}`, value, origin: { source: 'reconfig' } })
}

/** QuorumServer.checkAddressDuplicate: another server already uses this quorum or election address. */
function checkAddressDuplicate(server: QuorumServerSpec, other: QuorumServerSpec): void {
  const ours = [`${server.host}:${server.quorumPort}`, `${server.host}:${server.electionPort}`]
  const theirs = [`${other.host}:${other.quorumPort}`, `${other.host}:${other.electionPort}`]
  if (ours.some((address) => theirs.includes(address))) throw new KeeperError(ErrorCode.BADARGUMENTS)
}

/** ZooKeeper's StringUtils.split: split, trim each part, drop empty ones. Null gives nothing. */
function splitTrimmed(text: string | null, separator: string): string[] {
  if (text === null) return []
  return text
    .split(separator)
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
}

/** Long.parseLong; a NumberFormatException is not a KeeperException, so Apache answers MARSHALLINGERROR. */
function javaParseLong(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`For input string: "${text}"`)
  return Number(text)
}

/** `QuorumVerifier.toString()`: the server lines by id, then `version=<hex>` (the reconfig's zxid). */
export function configTextOf(servers: readonly QuorumServerSpec[], version: bigint): string {
  const lines = [...servers].sort((a, b) => a.id - b.id).map(membershipLine).join('')
  return `${lines}version=${BigInt.asUintN(64, version).toString(16)}`
}
