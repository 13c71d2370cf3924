/** A TCP endpoint: a host name or IP literal (IPv6 without brackets) and a port. */
export interface SocketAddress {
  host: string
  port: number
}

/**
 * `host:port` as Apache's `NetUtils.formatInetAddr` prints it for the election port's initial message: IPv6
 * literals in brackets.
 */
export function formatSocketAddress(address: SocketAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}

/**
 * Reads `host:port` or `[v6]:port` (an address from an initial message, already checked by `readInitialMessage`).
 * Null when it is not one, or the port is outside 0..65535 (Java's InetSocketAddress refuses those).
 */
export function parseSocketAddress(text: string): SocketAddress | null {
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']')
    if (close < 0 || text[close + 1] !== ':') return null
    host = text.slice(1, close)
    portText = text.slice(close + 2)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0 || text.indexOf(':') !== colon) return null
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
  }
  if (!/^[+-]?\d+$/.test(portText)) return null
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535 || host === '') return null
  return { host, port }
}
