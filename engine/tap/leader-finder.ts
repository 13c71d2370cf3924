import { fourLetterWord, notWhitelisted, parseSrvr } from '../monitor'
import type { SocketAddress } from '../node/net/socket-address'
import { parseMembership, serverByClientAddress, serverIdFromConf } from './membership'

/** Where the leader is: its client address (srvr said "leader"), its sid and quorum address, its last zxid. */
export interface LeaderLocation {
  /** Null when no member answered as leader and the typed quorum address is used as it is. */
  clientAddress: SocketAddress | null
  /** From `conf` or the membership's client addresses; null when a quorum address was given and nothing told the sid. */
  leaderId: number | null
  quorumAddress: SocketAddress
  zxid: bigint | null
}

export interface FindLeaderOptions {
  /** The client addresses of the connect string. */
  members: readonly SocketAddress[]
  /** /zookeeper/config as one member serves it (the app reads it with its client). */
  readConfig: () => Promise<string>
  /** Skip the membership: connect here (the user typed it). */
  quorumAddress?: SocketAddress
  /**
   * How the ensemble names a member this side dials (an SSH tunnel's local port stands for a remote host:port):
   * /zookeeper/config's client addresses are matched against it. Default: the address as dialled.
   */
  nameOf?: (member: SocketAddress) => SocketAddress
  fourLetterTimeoutMs?: number
}

export class LeaderNotFound extends Error {}

/**
 * The tap does not take part in elections: it asks every member `srvr` (whitelisted by default in Apache 3.5+) and
 * takes the one in Mode: leader; `conf` names its sid when allowed, else the client addresses of /zookeeper/config
 * do; that sid's `server.N` line gives the quorum port.
 */
export async function findLeader(options: FindLeaderOptions): Promise<LeaderLocation> {
  const timeoutMs = options.fourLetterTimeoutMs ?? 2000
  const answers = await Promise.all(
    options.members.map(async (member) => {
      try {
        return { member, figures: parseSrvr(await fourLetterWord(member.host, member.port, 'srvr', timeoutMs)) }
      } catch {
        return { member, figures: null }
      }
    }),
  )
  const leaders = answers.filter((answer) => answer.figures?.role === 'leader')
  if (leaders.length !== 1 && options.quorumAddress !== undefined) {
    // The typed address is all we have (members unreachable from here, or mid-election): try it as it is.
    return { clientAddress: null, leaderId: null, quorumAddress: options.quorumAddress, zxid: null }
  }
  if (leaders.length !== 1) {
    const seen = answers.map((answer) => `${answer.member.host}:${answer.member.port} ${answer.figures?.role ?? 'unreachable'}`).join(', ')
    throw new LeaderNotFound(leaders.length === 0 ? `no member is leading (${seen})` : `more than one member says it leads (${seen})`)
  }
  const leader = leaders[0]!
  const zxid = leader.figures?.zxid ?? null
  const leaderId = await confServerId(leader.member, timeoutMs)
  const named = options.nameOf?.(leader.member) ?? leader.member
  if (options.quorumAddress !== undefined) return { clientAddress: named, leaderId, quorumAddress: options.quorumAddress, zxid }

  const membership = parseMembership(await options.readConfig())
  if (membership.servers.length === 0) throw new LeaderNotFound('/zookeeper/config names no servers (a standalone server has no quorum port); type the quorum address')
  const server =
    leaderId === null
      ? serverByClientAddress(membership.servers, named)
      : (membership.servers.find((candidate) => candidate.id === leaderId) ?? null)
  if (server === null) {
    throw new LeaderNotFound(`cannot tell which server.N line is the leader at ${leader.member.host}:${leader.member.port}; type its quorum address`)
  }
  // Asked again after reading the config: a client opened for it adds session txns, and a claim behind the leader's
  // committed window would cost a snapshot instead of a DIFF.
  const latest = await leaderZxidNow(leader.member, timeoutMs)
  return { clientAddress: named, leaderId: server.id, quorumAddress: { host: server.host, port: server.quorumPort }, zxid: latest ?? zxid }
}

async function leaderZxidNow(member: SocketAddress, timeoutMs: number): Promise<bigint | null> {
  try {
    const figures = parseSrvr(await fourLetterWord(member.host, member.port, 'srvr', timeoutMs))
    return figures.role === 'leader' ? (figures.zxid ?? null) : null
  } catch {
    return null
  }
}

async function confServerId(member: SocketAddress, timeoutMs: number): Promise<number | null> {
  try {
    const text = await fourLetterWord(member.host, member.port, 'conf', timeoutMs)
    return notWhitelisted(text) ? null : serverIdFromConf(text)
  } catch {
    return null
  }
}
