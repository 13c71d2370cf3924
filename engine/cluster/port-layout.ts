/**
 * Where every port of a local cluster goes. All on 127.0.0.1. For n members (ids 1..n: voters first, then
 * observers) and a base port P, with i = id − 1:
 *
 *   P + i              client port of member id. Not proxied: clients talk to members directly.
 *   P + n + i          AdminServer port of member id.
 *   P + 2n + i         quorum port member id listens on (its own server.id line in its own zoo.cfg).
 *   P + 3n + i         election port member id listens on.
 *   P + 4n + 2·k       peer link a → b, quorum: the port member a dials to reach member b's quorum port,
 *   P + 4n + 2·k + 1   peer link a → b, election: the same for b's election port,
 *                      where k = (a − 1)·(n − 1) + (index of b among a's peers, 0-based).
 *
 * Member a's zoo.cfg names its own quorum/election ports and, for each peer b, the two link ports of a → b. Each
 * link is a TCP proxy owned by the cluster process, one per ordered pair and port kind, so every byte between two
 * members passes through one: that is what lets `partition` cut real connections. Span: 4n + 2n(n − 1) = 2n(n + 1)
 * ports (3 members: 24, 5 members: 60).
 */
export const LOOPBACK = '127.0.0.1'

export type PeerPortKind = 'quorum' | 'election'

export interface MemberPorts {
  id: number
  clientPort: number
  adminPort: number
  quorumPort: number
  electionPort: number
}

export interface PeerLinkPorts {
  from: number
  to: number
  kind: PeerPortKind
  /** Where the proxy listens: the port `from` dials. */
  listenPort: number
  /** The real port of `to` behind it. */
  targetPort: number
}

export interface PortLayout {
  basePort: number
  memberCount: number
  members: MemberPorts[]
  links: PeerLinkPorts[]
  /** Every port of the layout with what it is for, in ascending order (for checks and messages). */
  all: { port: number; use: string; link: boolean }[]
}

export const HIGHEST_PORT = 65535

export function layoutSpan(memberCount: number): number {
  return 2 * memberCount * (memberCount + 1)
}

/** The proxy port through which member `from` reaches member `to`'s port of `kind`. */
export function linkPort(basePort: number, memberCount: number, from: number, to: number, kind: PeerPortKind): number {
  if (from === to) throw new RangeError(`a member has no link to itself (${from})`)
  const peerIndex = to < from ? to - 1 : to - 2
  const pairIndex = (from - 1) * (memberCount - 1) + peerIndex
  return basePort + 4 * memberCount + 2 * pairIndex + (kind === 'quorum' ? 0 : 1)
}

export function planPorts(basePort: number, memberCount: number): PortLayout {
  if (!Number.isInteger(memberCount) || memberCount < 1) throw new RangeError(`member count must be at least 1, got ${memberCount}`)
  if (!Number.isInteger(basePort) || basePort < 1) throw new RangeError(`base port must be a positive whole number, got ${basePort}`)
  const last = basePort + layoutSpan(memberCount) - 1
  if (last > HIGHEST_PORT) {
    throw new RangeError(`base port ${basePort} is too high: ${memberCount} members need ports ${basePort}-${last} (at most ${HIGHEST_PORT})`)
  }
  const n = memberCount
  const members: MemberPorts[] = []
  for (let id = 1; id <= n; id++) {
    const i = id - 1
    members.push({
      id,
      clientPort: basePort + i,
      adminPort: basePort + n + i,
      quorumPort: basePort + 2 * n + i,
      electionPort: basePort + 3 * n + i,
    })
  }
  const links: PeerLinkPorts[] = []
  for (const from of members) {
    for (const to of members) {
      if (from.id === to.id) continue
      for (const kind of ['quorum', 'election'] as const) {
        links.push({
          from: from.id,
          to: to.id,
          kind,
          listenPort: linkPort(basePort, n, from.id, to.id, kind),
          targetPort: kind === 'quorum' ? to.quorumPort : to.electionPort,
        })
      }
    }
  }
  const all = [
    ...members.flatMap((m) => [
      { port: m.clientPort, use: `client port of member ${m.id}`, link: false },
      { port: m.adminPort, use: `admin port of member ${m.id}`, link: false },
      { port: m.quorumPort, use: `quorum port of member ${m.id}`, link: false },
      { port: m.electionPort, use: `election port of member ${m.id}`, link: false },
    ]),
    ...links.map((l) => ({ port: l.listenPort, use: `${l.kind} link ${l.from}→${l.to}`, link: true })),
  ].sort((a, b) => a.port - b.port)
  return { basePort, memberCount, members, links, all }
}
