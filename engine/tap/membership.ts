import { parseServerLine } from '../node/config-servers'
import type { QuorumServerSpec } from '../node/config-types'

/** The `server.N=…` lines of /zookeeper/config (QuorumVerifier.toString), and the lines that could not be read. */
export interface Membership {
  servers: QuorumServerSpec[]
  /** Lines that look like server lines but do not parse (e.g. multi-address or ids above 255): skipped, not fatal. */
  skipped: string[]
}

export function parseMembership(text: string): Membership {
  const servers: QuorumServerSpec[] = []
  const skipped: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const equals = line.indexOf('=')
    if (!line.startsWith('server.') || equals < 0) continue
    try {
      servers.push(parseServerLine({ key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim(), origin: { source: '/zookeeper/config' } }))
    } catch {
      skipped.push(line)
    }
  }
  return { servers, skipped }
}

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])

/**
 * The server line of the member that answers on `client` (a host:port of the connect string), by its client
 * address: the exact host and port, else the port with a wildcard client host on the same quorum host, else the
 * only line with that client port. Null when nothing decides it (then the leader's sid must come from `conf`).
 */
export function serverByClientAddress(servers: readonly QuorumServerSpec[], client: { host: string; port: number }): QuorumServerSpec | null {
  const withPort = servers.filter((server) => server.clientPort === client.port)
  const exact = withPort.find((server) => server.clientHost === client.host)
  if (exact !== undefined) return exact
  const wildcard = withPort.find((server) => (server.clientHost === undefined || WILDCARDS.has(server.clientHost)) && server.host === client.host)
  if (wildcard !== undefined) return wildcard
  return withPort.length === 1 ? withPort[0]! : null
}

/** `serverId=N` of a `conf` answer (both Apache and ZooDesk print it), or null. */
export function serverIdFromConf(text: string): number | null {
  const match = /^serverId=(\d+)\s*$/m.exec(text)
  return match === null ? null : Number(match[1])
}
