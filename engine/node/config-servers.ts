import type { QuorumServerSpec } from './config-types'
import { configError } from './config-error'
import type { Setting } from './config-values'

/**
 * `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`, as
 * QuorumPeer.QuorumServer reads it (IPv6 hosts in brackets). Several `|`-separated addresses per server need
 * Apache's multiAddress feature, which ZooDesk does not have.
 */
const FORMAT_HINT =
  'expected host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort], e.g. server.1=zk1:2888:3888;2181'

/** Java's String.split: trailing empty strings are dropped (`"a:b:".split(":")` is `[a, b]`). */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator)
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  return parts
}

/** ConfigUtils.getHostAndPort: `[v6]:a:b` or `host:a:b`, split on colons. */
function splitHostAndPorts(text: string, setting: Setting): string[] {
  if (!text.startsWith('[')) return javaSplit(text, ':')
  const close = text.indexOf(']')
  if (close < 0) throw configError(setting.origin, setting.key, `${text} starts with '[' but has no matching ']'`)
  if (close + 1 === text.length) return [text.slice(1, close)]
  if (text[close + 1] !== ':' || close + 2 === text.length) {
    throw configError(setting.origin, setting.key, `${text} has no port after the host`)
  }
  return [text.slice(1, close), ...javaSplit(text.slice(close + 2), ':')]
}

function parsePortText(text: string, what: string, setting: Setting): number {
  if (!/^\d+$/.test(text)) throw configError(setting.origin, setting.key, `${what} ${JSON.stringify(text)} is not a port number; ${FORMAT_HINT}`)
  const port = Number(text)
  if (port > 65535) throw configError(setting.origin, setting.key, `${what} ${port} is out of range (0..65535)`)
  return port
}

/** The N of `server.N`; Apache parses it as a long, we keep ids to one byte since ids are a session id's top byte. */
export function parseServerId(setting: Setting): number {
  const idText = setting.key.slice('server.'.length)
  if (!/^\d+$/.test(idText)) {
    throw configError(setting.origin, setting.key, `the server id ${JSON.stringify(idText)} is not a number`)
  }
  const id = Number(idText)
  if (id > 255) throw configError(setting.origin, setting.key, `server id ${id} is out of range (0..255)`)
  return id
}

export function parseServerLine(setting: Setting): QuorumServerSpec {
  const id = parseServerId(setting)
  const parts = javaSplit(setting.value, ';').map((part) => part.trim())
  if (parts.length > 2) throw configError(setting.origin, setting.key, `too many ';' parts; ${FORMAT_HINT}`)
  const serverPart = parts[0] ?? ''
  if (serverPart.includes('|')) {
    throw configError(setting.origin, setting.key, 'several addresses per server (multiAddress) are not supported by ZooDesk')
  }
  const serverFields = splitHostAndPorts(serverPart, setting)
  if (serverFields.length < 3 || serverFields.length > 4) {
    throw configError(setting.origin, setting.key, `${JSON.stringify(setting.value)}: ${FORMAT_HINT}`)
  }
  const host = serverFields[0] ?? ''
  if (host === '') throw configError(setting.origin, setting.key, `the host is empty; ${FORMAT_HINT}`)
  const quorumPort = parsePortText(serverFields[1] ?? '', 'quorum port', setting)
  const electionPort = parsePortText(serverFields[2] ?? '', 'election port', setting)
  if (quorumPort === electionPort) {
    throw configError(setting.origin, setting.key, `the quorum port and the election port must be different (both ${quorumPort})`)
  }
  const spec: QuorumServerSpec = { id, host, quorumPort, electionPort, role: 'participant' }
  const roleText = serverFields[3]?.trim().toLowerCase()
  if (roleText !== undefined) {
    if (roleText !== 'participant' && roleText !== 'observer') {
      throw configError(setting.origin, setting.key, `unknown role ${JSON.stringify(serverFields[3])}: use participant or observer`)
    }
    spec.role = roleText
  }
  const clientPart = parts[1]
  if (clientPart !== undefined) {
    const clientFields = splitHostAndPorts(clientPart, setting)
    if (clientFields.length > 2) throw configError(setting.origin, setting.key, `client address ${JSON.stringify(clientPart)}: ${FORMAT_HINT}`)
    spec.clientHost = clientFields.length === 2 ? (clientFields[0] ?? '') : '0.0.0.0'
    spec.clientPort = parsePortText(clientFields[clientFields.length - 1] ?? '', 'client port', setting)
  }
  return spec
}
