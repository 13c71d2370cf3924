import type { ConnectionOptions } from 'node:tls'
import type { ACL, EventTypeValue, KeeperStateValue, Stat } from '../proto'
import type { ReconnectPacing } from './host-provider'

/** Java's `ZooKeeper.States`. */
export type ClientState = 'CONNECTING' | 'CONNECTED' | 'CONNECTEDREADONLY' | 'CLOSED' | 'AUTH_FAILED'

/** Names of `Watcher.Event.KeeperState` values a session event can carry (§4.9). */
export type SessionEventName =
  | 'SyncConnected'
  | 'Disconnected'
  | 'Expired'
  | 'AuthFailed'
  | 'ConnectedReadOnly'
  | 'Closed'

/** What `client.on('state', …)` receives: the event and the client state it left us in. */
export interface SessionEvent {
  readonly event: SessionEventName
  readonly state: ClientState
}

/** `WatchedEvent`: `path` is null for session events (type None), a client path (chroot stripped) otherwise. */
export interface WatchedEvent {
  readonly type: EventTypeValue
  readonly state: KeeperStateValue
  readonly path: string | null
}

/** A watcher is a function; the same function registered twice on one path and kind is one watcher (Java's Set). */
export type Watcher = (event: WatchedEvent) => void

/** `true` means the client's default watcher (Java's `watch=true`). */
export type WatchArgument = boolean | Watcher | undefined

export interface ClientOptions {
  /** Requested session timeout; the server clamps it to [2, 20] × tickTime. Default 30,000 ms. */
  readonly sessionTimeoutMs?: number
  /** Accept a read-only server (sends readOnly=true in the ConnectRequest). Default false. */
  readonly canBeReadOnly?: boolean
  /** Resume an existing session (Java's `ZooKeeper(connectString, timeout, watcher, sessionId, passwd)`). */
  readonly sessionId?: bigint
  readonly sessionPassword?: Buffer
  /** Receives every session event and the events of `watch=true` registrations. */
  readonly defaultWatcher?: Watcher
  /** TLS to a secure client port (node:tls options: ca, cert, key, servername, …). Plain TCP when absent. */
  readonly tls?: ConnectionOptions
  /** Requests sent and not yet answered; more calls wait for a free slot (backpressure). Default 1000. */
  readonly maxOutstandingRequests?: number
  /** Requests held while not connected; beyond this a call fails at once with CONNECTIONLOSS. Default 10,000. */
  readonly maxQueuedRequests?: number
  /** Largest incoming frame accepted (Java: jute.maxbuffer, 0xfffff). */
  readonly maxFrameBytes?: number
  /** Reconnect delays; Apache's by default (random 0–999 ms per attempt, 1 s after a full cycle). */
  readonly reconnectPacing?: ReconnectPacing
  /** For tests: shuffle and jitter source. */
  readonly random?: () => number
}

export interface CreateOptions {
  /** Default PERSISTENT (0). */
  readonly mode?: number
  /** Default OPEN_ACL_UNSAFE. */
  readonly acl?: readonly ACL[]
  /** Required for the TTL modes (5, 6), forbidden otherwise. */
  readonly ttlMs?: number | bigint
}

export interface CreateResult {
  readonly path: string
  readonly stat: Stat
}

export interface DataResult {
  readonly data: Buffer | null
  readonly stat: Stat
}

export interface ChildrenResult {
  readonly children: string[]
  readonly stat: Stat
}

export interface AclResult {
  readonly acl: ACL[]
  readonly stat: Stat
}

export interface ReconfigOptions {
  /** Incremental: `server.N=host:quorumPort:electionPort;clientPort` entries, comma separated. */
  readonly joining?: string
  /** Incremental: server ids, comma separated. */
  readonly leaving?: string
  /** Non-incremental: the complete new membership. */
  readonly newMembers?: string
  /** Expected current config version (-1: any). */
  readonly fromConfig?: bigint
}
