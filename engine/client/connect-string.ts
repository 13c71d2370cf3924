import { invalidPathReason } from './path'

export const DEFAULT_CLIENT_PORT = 2181

export interface HostAndPort {
  readonly host: string
  readonly port: number
}

export interface ConnectString {
  readonly hosts: readonly HostAndPort[]
  /** Undefined when there is none or it is '/'. */
  readonly chroot: string | undefined
}

export class ConnectStringError extends Error {
  override name = 'ConnectStringError'
}

/**
 * Parses `h1:2181,h2:2181/app/x` as Java's ConnectStringParser does: the chroot starts at the first '/', hosts are
 * comma separated, IPv6 literals are bracketed (`[::1]:2181`), the port defaults to 2181.
 */
export function parseConnectString(connectString: string): ConnectString {
  let hostList = connectString
  let chroot: string | undefined
  const slash = connectString.indexOf('/')
  if (slash >= 0) {
    const path = connectString.substring(slash)
    hostList = connectString.substring(0, slash)
    if (path.length > 1) {
      const reason = invalidPathReason(path)
      if (reason !== undefined) throw new ConnectStringError(`invalid chroot ${JSON.stringify(path)}: ${reason}`)
      chroot = path
    }
  }
  const hosts = hostList
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map(parseHostAndPort)
  if (hosts.length === 0) throw new ConnectStringError(`no hosts in ${JSON.stringify(connectString)}`)
  return { hosts, chroot }
}

function parseHostAndPort(entry: string): HostAndPort {
  if (entry.startsWith('[')) {
    const close = entry.lastIndexOf(']')
    if (close < 0) throw new ConnectStringError(`${entry} starts with '[' but has no matching ']'`)
    const host = entry.substring(1, close)
    if (host.length === 0) throw new ConnectStringError(`${entry} has an empty IPv6 host`)
    if (close + 1 === entry.length) return { host, port: DEFAULT_CLIENT_PORT }
    if (entry[close + 1] !== ':') throw new ConnectStringError(`${entry} does not have : after ]`)
    if (close + 2 === entry.length) throw new ConnectStringError(`${entry} doesn't have a port after colon`)
    return { host, port: parsePort(entry.substring(close + 2), entry) }
  }
  const colon = entry.lastIndexOf(':')
  if (colon < 0) return { host: entry, port: DEFAULT_CLIENT_PORT }
  // A trailing ':' means the default port, as in Java.
  const port = colon < entry.length - 1 ? parsePort(entry.substring(colon + 1), entry) : DEFAULT_CLIENT_PORT
  return { host: entry.substring(0, colon), port }
}

function parsePort(text: string, entry: string): number {
  if (!/^\d+$/.test(text)) throw new ConnectStringError(`bad port in ${entry}`)
  const port = Number(text)
  if (port < 1 || port > 65535) throw new ConnectStringError(`port out of range in ${entry}`)
  return port
}
