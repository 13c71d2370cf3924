import { type Socket, connect as connectTcp } from 'node:net'
import { type ConnectionOptions, connect as connectTls } from 'node:tls'
import type { HostAndPort } from './connect-string'

/**
 * Opens the byte stream to one server: plain TCP, or TLS to a secure client port. `onOpen` fires once the stream can
 * carry the ConnectRequest (after the TLS handshake for TLS).
 */
export function openTransport(host: HostAndPort, tls: ConnectionOptions | undefined, onOpen: () => void): Socket {
  if (tls === undefined) {
    const socket = connectTcp({ host: host.host, port: host.port })
    socket.setNoDelay(true)
    socket.once('connect', onOpen)
    return socket
  }
  // servername drives SNI and the certificate host check; an IP literal is not a valid SNI name.
  const socket = connectTls({ host: host.host, port: host.port, ...tls })
  socket.setNoDelay(true)
  socket.once('secureConnect', onOpen)
  return socket
}

/** Asks a server the `isro` four-letter word; true when it answers `rw` (serving writes) within 1 s. */
export function isReadWriteServer(host: HostAndPort): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = ''
    const probe = connectTcp({ host: host.host, port: host.port }, () => probe.end('isro'))
    probe.setTimeout(1000, () => probe.destroy())
    probe.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
    probe.on('error', () => probe.destroy())
    probe.on('close', () => resolve(answer.startsWith('rw')))
  })
}
