/**
 * One member's configuration, as parsed from a standard zoo.cfg (plus Apache's Java system properties, which we
 * accept as zoo.cfg keys and environment variables). Every layer reads its settings from this one shape.
 * Units are in the names; defaults are Apache 3.8's.
 */
export interface QuorumServerSpec {
  id: number
  host: string
  quorumPort: number
  electionPort: number
  role: 'participant' | 'observer'
  /** From the `;[clientHost:]clientPort` tail, when given. */
  clientHost?: string
  clientPort?: number
}

export interface MemberConfig {
  /** Path of the zoo.cfg this came from (for `icfg`, `conf`). */
  configPath?: string
  /** The raw text of the config file (AdminServer `initial_configuration`). */
  configText?: string
  tickTimeMs: number // 3000
  initLimitTicks: number // 10 in practice; required in quorum mode
  syncLimitTicks: number // 5
  dataDir: string
  dataLogDir: string // = dataDir
  clientPort: number // 2181 if absent and no server.N tail
  clientPortAddress: string // '0.0.0.0'
  clientPortListenBacklog: number // -1
  secureClientPort?: number
  maxClientCnxns: number // 60; 0 = unlimited
  maxCnxns: number // 0 = unlimited
  minSessionTimeoutMs: number // 2 × tickTime
  maxSessionTimeoutMs: number // 20 × tickTime
  snapCount: number // 100000
  snapSizeLimitBytes: number // 4 GiB
  preAllocSizeBytes: number // 64 MiB
  forceSync: boolean // true
  globalOutstandingLimit: number // 1000
  autopurgeSnapRetainCount: number // 3 (min 3)
  autopurgePurgeIntervalHours: number // 0 = off
  fourLetterWordWhitelist: ReadonlySet<string> // {'srvr'} (+ 'isro' with read-only mode); '*' expands to all
  adminEnableServer: boolean // true
  adminServerAddress: string // '0.0.0.0'
  adminServerPort: number // 8080
  adminCommandUrl: string // '/commands'
  extendedTypesEnabled: boolean // false
  containerCheckIntervalMs: number // 60000
  containerMaxPerMinute: number // 10000
  containerMaxNeverUsedIntervalMs: number // 0
  juteMaxBufferBytes: number // 0xfffff
  readOnlyModeEnabled: boolean // false
  /** Ensemble members only: new sessions stay on their member (no createSession txn) until they need to be global. */
  localSessionsEnabled: boolean // false
  /** A local session that creates an ephemeral becomes global instead of failing with EPHEMERALONLOCALSESSION. */
  localSessionsUpgradingEnabled: boolean // false (QuorumPeerConfig's default, which QuorumPeerMain applies)
  superDigest?: string // 'super:<base64>'
  skipACL: boolean // false
  enforceQuota: boolean // false
  digestEnabled: boolean // true (TxnDigest appended to log entries)
  reconfigEnabled: boolean // false
  standaloneEnabled: boolean // true
  electionAlg: number // 3
  /** server.N lines; empty in standalone. */
  servers: QuorumServerSpec[]
  /**
   * The dynamicConfigFile the servers came from, when zoo.cfg names one (`zoo.cfg.dynamic.<version hex>`: the file
   * name carries the configuration's version, as Apache reads it).
   */
  dynamicConfigFile?: string
  /** myid from dataDir/myid (quorum mode); 0 standalone. */
  myId: number
  peerType: 'participant' | 'observer'
  /** Keys we accepted but do not act on, kept so `conf`/`sysp` can show them and the CLI can warn. */
  extraProperties: Record<string, string>
}
