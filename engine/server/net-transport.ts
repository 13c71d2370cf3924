import type { Socket } from 'node:net'
import type { ConnectionTransport } from './connection'

/**
 * Frames at least this large are not held for the turn's writev: batching saves little on them (the copy costs
 * more than the system call), and sending at once lets the peer start reading while the rest is prepared.
 */
const UNCORKED_FRAME_BYTES = 8 * 1024

/** How long a closing socket may take to flush its last replies. */
const CLOSE_GRACE_MS = 5000

/**
 * Binds one accepted socket to the core's transport contract. Small writes made during one turn of the event loop
 * are corked and leave in one writev, so a burst of pipelined replies costs one system call, not one per reply.
 */
export class SocketTransport implements ConnectionTransport {
  readonly remoteAddress: string
  readonly remotePort: number
  private corked = false
  private closed = false

  constructor(private readonly socket: Socket) {
    this.remoteAddress = javaHostAddress(socket.remoteAddress ?? '')
    this.remotePort = socket.remotePort ?? 0
  }

  write(bytes: Buffer): void {
    if (this.closed) return
    if (bytes.length >= UNCORKED_FRAME_BYTES) {
      // Behind whatever small replies are waiting, so the order holds.
      this.uncork()
      this.socket.write(bytes)
      return
    }
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      process.nextTick(() => this.uncork())
    }
    this.socket.write(bytes)
  }

  private uncork(): void {
    if (!this.corked) return
    this.corked = false
    this.socket.uncork()
  }

  end(): void {
    if (this.closed) return
    this.closed = true
    this.socket.pause()
    // Flush what is queued, send FIN, then let go of the socket even if the peer keeps its side open; a peer
    // that never reads does not get to hold the socket for longer than the grace period.
    this.socket.end(() => this.socket.destroy())
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref()
  }

  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }

  setReading(enabled: boolean): void {
    if (this.closed) return
    if (enabled) this.socket.resume()
    else this.socket.pause()
  }

  get pendingWriteBytes(): number {
    return this.socket.writableLength
  }
}

/**
 * The address as Java's `InetAddress.getHostAddress()` prints it: IPv4-mapped IPv6 becomes plain IPv4 (Java hands
 * out an Inet4Address for those); other IPv6 addresses are written out in full, lowercase, without `::`.
 */
export function javaHostAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped?.[1] !== undefined) return mapped[1]
  if (!address.includes(':')) return address
  const [withoutScope = '', scope] = address.split('%')
  const [head = '', tail] = withoutScope.split('::')
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':')
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups]
  const text = groups.map((group) => parseInt(group, 16).toString(16)).join(':')
  return scope === undefined ? text : `${text}%${scope}`
}
