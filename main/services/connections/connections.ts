import { randomUUID } from 'node:crypto'
import { type ConnectOptions, ZooKeeperClient, parseConnectString } from '../../../engine/client'
import type { ConnectionView } from '../../contract/model'
import { ContractFailure, fail } from '../../rpc/errors'
import type { EventBus } from '../../rpc/event-bus'
import { hexLong } from '../znodes/convert'
import { digestAuth, tlsOptions } from './client-options'
import { testConnection } from './connection-test'
import type { ResolvedProfile } from './profile-store'
import { type SshTunnel, openSshTunnel } from './ssh-tunnel'

/** An open session and what main knows about it. */
export interface OpenConnection {
  readonly id: string
  readonly profileId: string | null
  /** The profile's name and colour follow edits of the profile (relabel); every other setting is the opened one. */
  name: string
  readonly connectString: string
  /** What sockets really dial: the connect string, or the SSH tunnel's local ports (consoles and health use it). */
  readonly effectiveConnectString: string
  readonly readOnly: boolean
  color: string | null
  readonly client: ZooKeeperClient
  /** The profile it was opened with (secrets opened): the console opens its own session with it. */
  readonly profile: ResolvedProfile
  readonly tunnel: SshTunnel | null
  readonly openedAt: number
}

const CONNECT_TIMEOUT_CAP_MS = 15_000
/**
 * Replies the app accepts: a node with 100,000+ children answers getChildren with more than the 1 MB Java clients
 * accept by default (jute.maxbuffer); the app must still list it.
 */
export const APP_MAX_FRAME_BYTES = 256 * 1024 * 1024

/**
 * The open connections (many at once, to any ensemble). Writes go through `writable()`, which refuses them on a
 * read-only connection here in main, whatever the UI shows.
 */
export class Connections {
  private readonly open = new Map<string, OpenConnection>()
  private readonly closeListeners = new Set<(connection: OpenConnection) => void>()

  constructor(
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  async connect(profile: ResolvedProfile): Promise<ConnectionView> {
    let tunnel: SshTunnel | null = null
    if (profile.ssh !== null) {
      try {
        const parsed = parseConnectString(profile.connectString)
        tunnel = await openSshTunnel(profile.ssh, parsed.hosts, parsed.chroot)
      } catch (error) {
        const report = await testConnection(profile).catch(() => null)
        throw new ContractFailure('CONNECTION_FAILED', report !== null && !report.ok ? report.message : `SSH tunnel failed: ${(error as Error).message}`, { report })
      }
    }
    const effectiveConnectString = tunnel?.connectString ?? profile.connectString
    const tls = tlsOptions(profile, tunnel === null ? undefined : parseConnectString(profile.connectString).hosts[0]?.host)
    const options: ConnectOptions = {
      sessionTimeoutMs: profile.sessionTimeoutMs,
      connectTimeoutMs: Math.min(profile.sessionTimeoutMs, CONNECT_TIMEOUT_CAP_MS),
      canBeReadOnly: profile.readOnly,
      maxFrameBytes: APP_MAX_FRAME_BYTES,
      ...(tls === undefined ? {} : { tls }),
    }
    let client: ZooKeeperClient
    try {
      client = await ZooKeeperClient.connect(effectiveConnectString, options)
      for (const credential of profile.credentials) await client.addAuth('digest', digestAuth(credential))
    } catch (error) {
      tunnel?.close()
      const report = await testConnection(profile).catch(() => null)
      const message = report !== null && !report.ok ? report.message : `could not connect to ${profile.connectString}: ${(error as Error).message}`
      throw new ContractFailure('CONNECTION_FAILED', message, { report })
    }
    const connection: OpenConnection = {
      id: randomUUID(),
      profileId: profile.id,
      name: profile.name,
      connectString: profile.connectString,
      effectiveConnectString,
      readOnly: profile.readOnly,
      color: profile.color,
      client,
      profile,
      tunnel,
      openedAt: this.now(),
    }
    this.open.set(connection.id, connection)
    client.on('state', ({ event, state }) => {
      this.bus.emit('connections.state', { connectionId: connection.id, event, state, time: this.now() })
    })
    return this.view(connection)
  }

  /** A saved profile was edited: its open connections take the new name and colour (the rest applies at the next connect). */
  relabel(profileId: string, name: string, color: string | null): void {
    for (const connection of this.open.values()) {
      if (connection.profileId !== profileId) continue
      connection.name = name
      connection.color = color
    }
  }

  get(connectionId: string): OpenConnection {
    const connection = this.open.get(connectionId)
    if (connection === undefined) throw fail.notFound('connection', connectionId)
    return connection
  }

  /** The connection, or READ_ONLY when writes are not allowed on it. */
  writable(connectionId: string): OpenConnection {
    const connection = this.get(connectionId)
    if (connection.readOnly) throw fail.readOnly(connection.id, connection.name)
    return connection
  }

  list(): ConnectionView[] {
    return [...this.open.values()].map((connection) => this.view(connection))
  }

  view(connection: OpenConnection): ConnectionView {
    const host = connection.client.connectedHost
    return {
      connectionId: connection.id,
      profileId: connection.profileId,
      name: connection.name,
      connectString: connection.connectString,
      readOnly: connection.readOnly,
      color: connection.color,
      state: connection.client.state,
      sessionId: hexLong(connection.client.sessionId),
      negotiatedTimeoutMs: connection.client.negotiatedTimeoutMs,
      server: host === undefined ? null : `${host.host}:${host.port}`,
      openedAt: connection.openedAt,
    }
  }

  onClose(listener: (connection: OpenConnection) => void): void {
    this.closeListeners.add(listener)
  }

  async close(connectionId: string): Promise<boolean> {
    const connection = this.get(connectionId)
    this.open.delete(connectionId)
    for (const listener of this.closeListeners) listener(connection)
    await connection.client.close(5000).catch(() => {})
    connection.tunnel?.close()
    return true
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.close(id)))
  }
}
