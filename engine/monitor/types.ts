/** One ensemble member to poll. */
export interface MonitoredMember {
  readonly host: string
  readonly clientPort: number
  /** AdminServer port; null: do not use the AdminServer. */
  readonly adminPort: number | null
}

/** What a member says it is (srvr's Mode, mntr's zk_server_state) or why it cannot say. */
export type MemberRole = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only' | 'not-serving' | 'unreachable'

export type HealthSource = 'mntr' | 'admin' | 'srvr'

/** One poll of one member. Null: not known this time (command not allowed, member down). */
export interface MemberHealth {
  readonly time: number
  /** `host:clientPort` */
  readonly member: string
  readonly reachable: boolean
  readonly role: MemberRole
  readonly sources: HealthSource[]
  readonly zxid: bigint | null
  readonly epoch: number | null
  readonly latencyMinMs: number | null
  readonly latencyAvgMs: number | null
  readonly latencyMaxMs: number | null
  readonly outstandingRequests: number | null
  readonly connections: number | null
  readonly znodes: number | null
  readonly watches: number | null
  readonly ephemerals: number | null
  readonly dataSizeBytes: number | null
  readonly syncedFollowers: number | null
  readonly pendingSyncs: number | null
  /** Proposals the leader made / commits this member applied, per second since the previous round (mntr). */
  readonly proposalsPerSecond: number | null
  readonly commitsPerSecond: number | null
  /**
   * Client packets (requests and pings) the member received per second since the previous round, from srvr's
   * `Received` / mntr's zk_packets_received, less the monitor's own four-letter words. Null on the first round,
   * when the counter is unknown this round (the next known one averages over the gap), and when the member
   * restarted (counter down, or mntr's uptime shorter than the gap) or `srst` reset it.
   */
  readonly requestsPerSecond: number | null
  /** Plain words for the user: a command not whitelisted, the AdminServer off, the member unreachable. */
  readonly notices: string[]
}

export type HealthAlertKind = 'leader-change' | 'quorum-lost' | 'quorum-restored' | 'member-down' | 'member-up' | 'notice'

export interface HealthAlertEvent {
  readonly time: number
  readonly kind: HealthAlertKind
  readonly member: string | null
  readonly previousLeader: string | null
  readonly leader: string | null
  readonly message: string
}
