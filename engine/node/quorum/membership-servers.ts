import { parseServerLine } from '../config-servers'
import type { QuorumServerSpec } from '../config-types'

/** The servers of a membership or configuration text (its `server.N=…` lines; `version=` and the like are skipped). */
export function serversOf(membershipText: string): QuorumServerSpec[] {
  const servers: QuorumServerSpec[] = []
  for (const line of membershipText.split('\n')) {
    const equals = line.indexOf('=')
    if (equals < 0 || !line.startsWith('server.')) continue
    servers.push(parseServerLine({ key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim(), origin: { source: '/zookeeper/config' } }))
  }
  return servers
}

/** Parses each distinct text once: the host asks on every reconfig check and status call. */
export function cachedServersOf(): (membershipText: string) => QuorumServerSpec[] {
  let text = ''
  let servers: QuorumServerSpec[] = []
  return (membershipText) => {
    if (membershipText !== text) {
      text = membershipText
      servers = serversOf(membershipText)
    }
    return servers
  }
}
