import { MajorityQuorum } from './quorum-verifier'
import { type Proposal, decodeProposalData } from './wire/proposal-data'
import { zxidHex } from './zxid'

/**
 * A configuration as the quorum machines use it (Apache's QuorumVerifier): who votes, who observes, the
 * `server.N=…` lines (each ending in a newline, as `QuorumVerifier.toString()` prints them, without the version
 * line) and the version (the zxid of the reconfig that made it; 0 for a static configuration never activated).
 */
export interface QuorumConfig {
  readonly quorum: MajorityQuorum
  readonly membershipText: string
  readonly version: bigint
}

/** The text of /zookeeper/config and of NEWLEADER / notification configs: the lines, then `version=<hex>`. */
export function configText(config: Pick<QuorumConfig, 'membershipText' | 'version'>): string {
  return `${config.membershipText}version=${zxidHex(config.version)}`
}

/**
 * Reads a configuration text (`server.N=host:q:e[:role][;client]` lines and `version=<hex>`, as a reconfig txn or
 * NEWLEADER carries it). The machines only need ids and roles; the host parses addresses. Throws on a text that
 * names no participant or an unreadable line.
 */
export function parseQuorumConfig(text: string): QuorumConfig {
  const servers = new Map<number, { line: string; observer: boolean }>()
  let version = 0n
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line.length === 0) continue
    const equals = line.indexOf('=')
    if (equals < 0) throw new Error(`config line without '=': ${line}`)
    const key = line.slice(0, equals).trim()
    const value = line.slice(equals + 1).trim()
    if (key === 'version') {
      if (!/^[0-9a-fA-F]+$/.test(value)) throw new Error(`bad config version ${value}`)
      version = BigInt.asIntN(64, BigInt(`0x${value}`))
      continue
    }
    const match = /^server\.(\d+)$/.exec(key)
    if (match === null) continue // group/weight lines: hierarchical quorums are not supported
    const id = Number(match[1])
    servers.set(id, { line: `${key}=${value}\n`, observer: roleOf(value) === 'observer' })
  }
  const ids = [...servers.keys()].sort((a, b) => a - b)
  const voters = ids.filter((id) => !servers.get(id)!.observer)
  const observers = ids.filter((id) => servers.get(id)!.observer)
  return { quorum: new MajorityQuorum(voters, observers), membershipText: ids.map((id) => servers.get(id)!.line).join(''), version }
}

/** The role field of `host:q:e[:role][;client]` (IPv6 hosts in brackets). */
function roleOf(value: string): string {
  let server = value.split(';')[0] ?? ''
  if (server.startsWith('[')) server = server.slice(server.indexOf(']') + 1)
  const fields = server.split(':')
  const role = fields.length >= 4 ? fields[fields.length - 1]! : 'participant'
  return role.trim().toLowerCase()
}

/** Does a proposal's data (TxnHeader first) hold a reconfig txn? The type int sits after clientId, cxid, zxid, time. */
export function isReconfigProposal(data: Buffer): boolean {
  return data.length >= 32 && data.readInt32BE(28) === RECONFIG_TXN_TYPE
}

/** OpCode.reconfig: the txn type of a reconfig (a SetDataTxn on /zookeeper/config). */
export const RECONFIG_TXN_TYPE = 16

/** The configuration a reconfig proposal carries (the SetDataTxn's data); null when it does not hold one. */
export function reconfigConfigOf(proposal: Proposal): QuorumConfig | null {
  const { txn } = decodeProposalData(proposal.data)
  if (txn.body.type !== RECONFIG_TXN_TYPE || txn.body.txn.data === null) return null
  return parseQuorumConfig(txn.body.txn.data.toString('utf8'))
}
