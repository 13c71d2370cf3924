// The data the contract carries. Everything here is plain JSON (both transports carry it unchanged): longs (zxids,
// session ids, ephemeral owners) are strings, znode data is base64. No imports: the renderer reads these types too.

/** A 64-bit value as `0x…` hex (zxids, session ids, ephemeral owners), as zkCli prints them. */
export type HexLong = string
/** Bytes as standard base64; `null` where ZooKeeper has a null buffer. */
export type Base64 = string

export type CreateModeName =
  | 'PERSISTENT'
  | 'PERSISTENT_SEQUENTIAL'
  | 'EPHEMERAL'
  | 'EPHEMERAL_SEQUENTIAL'
  | 'CONTAINER'
  | 'PERSISTENT_WITH_TTL'
  | 'PERSISTENT_SEQUENTIAL_WITH_TTL'

/** What a znode is, read back from its ephemeralOwner. */
export type NodeKind = 'persistent' | 'ephemeral' | 'container' | 'ttl'

export interface ZnodeStat {
  czxid: HexLong
  mzxid: HexLong
  pzxid: HexLong
  /** Wall-clock ms since the epoch. */
  ctime: number
  mtime: number
  version: number
  cversion: number
  aversion: number
  ephemeralOwner: HexLong
  dataLength: number
  numChildren: number
}

export interface AclEntry {
  /** Bit set of READ 1, WRITE 2, CREATE 4, DELETE 8, ADMIN 16. */
  perms: number
  scheme: string
  id: string
}

export interface ChildEntry {
  name: string
  /**
   * Absent when the page was asked without stats, the child vanished between the listing and its stat, or its ACL
   * does not let this session read it (exists needs READ, as on Apache 3.8: see `unreadable`).
   */
  stat?: ZnodeStat
  /** Set when the child's stat was refused with NOAUTH: it is listed, but this session cannot read it. */
  unreadable?: true
}

export interface ChildrenPage {
  path: string
  /** Children in total (sorted by name); pages index into this order. */
  total: number
  offset: number
  children: ChildEntry[]
  /** The parent's cversion the listing was taken at; a page at another cversion means the list changed. */
  cversion: number
  /** Opaque; pass back to get the next page of the same listing. */
  cursor: string
}

export interface DataView {
  path: string
  data: Base64 | null
  stat: ZnodeStat
  kind: NodeKind
}

// ---------------------------------------------------------------------------------------------------------------
// Connections

export interface DigestCredentialView {
  scheme: 'digest'
  user: string
  hasPassword: boolean
}

export interface TlsView {
  /** PEM text of the CA bundle; null: the system's CAs. */
  caPem: string | null
  certPem: string | null
  hasKey: boolean
  hasPassphrase: boolean
  /** Check the server's name against its certificate. */
  verifyHostname: boolean
}

export interface SshTunnelView {
  host: string
  port: number
  user: string
  auth: 'password' | 'key'
  hasPassword: boolean
  hasPrivateKey: boolean
}

/** A saved connection profile as the renderer sees it: secrets are never sent, only whether they are set. */
export interface ProfileView {
  id: string
  name: string
  /** `host:port[,host:port…][/chroot]` */
  connectString: string
  sessionTimeoutMs: number
  readOnly: boolean
  /** A CSS colour the UI tags the connection with. */
  color: string | null
  credentials: DigestCredentialView[]
  tls: TlsView | null
  ssh: SshTunnelView | null
  createdAt: number
  updatedAt: number
}

export type ClientStateName = 'CONNECTING' | 'CONNECTED' | 'CONNECTEDREADONLY' | 'CLOSED' | 'AUTH_FAILED'

export interface ConnectionView {
  connectionId: string
  profileId: string | null
  name: string
  connectString: string
  readOnly: boolean
  color: string | null
  state: ClientStateName
  sessionId: HexLong
  negotiatedTimeoutMs: number
  /** `host:port` of the server the session is on now. */
  server: string | null
  openedAt: number
}

export type ConnectionTestStep = 'dns' | 'tcp' | 'tls' | 'ssh' | 'handshake' | 'auth'

export interface ConnectionTestStepResult {
  step: ConnectionTestStep
  ok: boolean
  durationMs: number
  /** Plain words: what was tried and what happened. */
  detail: string
}

export interface ConnectionTestReport {
  ok: boolean
  steps: ConnectionTestStepResult[]
  /** The first step that failed, if any. */
  failedStep: ConnectionTestStep | null
  message: string
}

// ---------------------------------------------------------------------------------------------------------------
// Watches

export type UserWatchKind = 'data' | 'exists' | 'children' | 'persistent' | 'persistentRecursive'
/** Every kind of watch an event may come from; `tree-*` are the ones the UI sets to stay live. */
export type WatchKindName = UserWatchKind | 'tree-data' | 'tree-children'

export type EventTypeName =
  | 'None'
  | 'NodeCreated'
  | 'NodeDeleted'
  | 'NodeDataChanged'
  | 'NodeChildrenChanged'
  | 'DataWatchRemoved'
  | 'ChildWatchRemoved'
  | 'PersistentWatchRemoved'

export interface WatchView {
  watchId: string
  connectionId: string
  path: string
  kind: UserWatchKind
  /** One-shot watches end after their first event. */
  active: boolean
  createdAt: number
  eventCount: number
}

// ---------------------------------------------------------------------------------------------------------------
// Recursive operations

export type TreeOperationKind = 'delete' | 'copy' | 'move' | 'export' | 'import' | 'search' | 'forensics' | 'diff'
export type TreeOperationPhase = 'scanning' | 'reading' | 'writing' | 'deleting' | 'done' | 'cancelled' | 'failed'
export type ExportFormat = 'json' | 'zip'

export interface TreeOperationResult {
  operationId: string
  /** Nodes read, created, updated, deleted, skipped (ephemerals not restored). */
  read: number
  created: number
  updated: number
  deleted: number
  skipped: number
}

export interface ExportResult extends TreeOperationResult {
  format: ExportFormat
  /** JSON text, or the zip as base64. */
  content: string
  fileName: string
}

/** One node in an export (JSON format; the zip keeps the same list in manifest.json, data in files). */
export interface ExportedNode {
  /** Relative to the export root: '' is the root itself, 'a/b' a descendant. */
  path: string
  kind: NodeKind
  /** For kind 'ttl'. */
  ttlMs?: number
  data: Base64 | null
  acl: AclEntry[]
  /** As read, for information: czxid/mzxid/ctime/mtime/versions cannot be restored. */
  stat: ZnodeStat
}

export interface ExportDocument {
  format: 'zoodesk-export'
  version: 1
  root: string
  exportedAt: number
  nodes: ExportedNode[]
}

// ---------------------------------------------------------------------------------------------------------------
// Subtree search (znodes.search)

export type SearchMatchKind = 'name' | 'path' | 'data'

export interface SearchMatch {
  path: string
  stat: ZnodeStat
}

export interface SearchResult {
  operationId: string
  root: string
  /** Sorted by path; at most the call's limit. */
  matches: SearchMatch[]
  /** Nodes read. */
  visited: number
  /** The limit was reached before the walk ended: there may be more matches. */
  truncated: boolean
}

// ---------------------------------------------------------------------------------------------------------------
// Session info (znodes.sessionInfo): who holds a session, from the members' `cons` four-letter word

/** One member's client connection that carries the session, as `cons` lists it. */
export interface SessionConnection {
  /** The member, as the connection's connect string names it (`host:port`, not an SSH tunnel's local port). */
  server: string
  /** The client's `ip:port` as the member sees it. */
  clientAddress: string
  queued: number | null
  received: number | null
  sent: number | null
  /** Apache's abbreviation of the last operation (CREA, GETD, PING, …). */
  lastOperation: string | null
  /** When the connection was established, wall-clock ms. */
  establishedAt: number | null
  timeoutMs: number | null
  lastCxid: HexLong | null
  lastZxid: HexLong | null
  lastLatencyMs: number | null
  minLatencyMs: number | null
  avgLatencyMs: number | null
  maxLatencyMs: number | null
}

/** What one member answered: it lists the session, it does not, `cons` is not whitelisted, or it did not answer. */
export type SessionMemberStatus = 'found' | 'not-found' | 'not-allowed' | 'not-serving' | 'unreachable'

/**
 * Why the client address is not known: no member allows `cons`; some members could not be asked (not allowed,
 * down) and the others do not list it; every member answered and none lists it (the session is between
 * connections, or on a member the connect string does not name); no member answered at all.
 */
export type SessionLookupProblem = 'cons-not-allowed' | 'incomplete' | 'not-connected' | 'unreachable'

export interface SessionInfo {
  sessionId: HexLong
  found: boolean
  /** The member the session is connected to, and the client's address there (the newest connection if several). */
  server: string | null
  clientAddress: string | null
  connection: SessionConnection | null
  /** Every connection of the session the members listed (more than one only while a client moves). */
  connections: SessionConnection[]
  members: { server: string; status: SessionMemberStatus }[]
  /** Null when found. */
  problem: SessionLookupProblem | null
  /** Plain words (English) for logs and API users; the UI words it from `problem`. */
  message: string
}

// ---------------------------------------------------------------------------------------------------------------
// multi

export type MultiOp =
  | { op: 'create'; path: string; data: Base64 | null; mode: CreateModeName; acl?: AclEntry[]; ttlMs?: number }
  | { op: 'delete'; path: string; version: number }
  | { op: 'setData'; path: string; data: Base64 | null; version: number }
  | { op: 'check'; path: string; version: number }

export type MultiOpResult =
  | { op: 'create'; path: string }
  | { op: 'delete' }
  | { op: 'setData'; stat: ZnodeStat }
  | { op: 'check' }
  | { op: 'error'; code: string }

// ---------------------------------------------------------------------------------------------------------------
// Health

export type MemberRole = 'leader' | 'follower' | 'observer' | 'standalone' | 'read-only' | 'not-serving' | 'unreachable'
export type HealthSource = 'mntr' | 'admin' | 'srvr'

export interface MemberAddress {
  host: string
  clientPort: number
  /** AdminServer port; null: not known or not used. */
  adminPort: number | null
}

export interface MemberSample {
  time: number
  member: string
  reachable: boolean
  role: MemberRole
  /** Where the figures came from this time. */
  sources: HealthSource[]
  zxid: HexLong | null
  epoch: number | null
  latencyMinMs: number | null
  latencyAvgMs: number | null
  latencyMaxMs: number | null
  outstandingRequests: number | null
  connections: number | null
  znodes: number | null
  watches: number | null
  ephemerals: number | null
  dataSizeBytes: number | null
  syncedFollowers: number | null
  pendingSyncs: number | null
  /** From mntr's counters between two rounds: proposals the leader made, commits this member applied. */
  proposalsPerSecond: number | null
  commitsPerSecond: number | null
  /**
   * Client packets (requests and pings) per second since the previous round, from srvr `Received` / mntr
   * zk_packets_received, less the monitor's own four-letter words; null when unknown or the counter went down.
   */
  requestsPerSecond: number | null
  /** Plain-words notes for the user: a command not whitelisted, the AdminServer off, an unreachable member. */
  notices: string[]
}

export interface HealthSnapshot {
  monitorId: string
  members: MemberAddress[]
  latest: MemberSample[]
  leader: string | null
  hasQuorum: boolean
}

export type HealthAlertKind = 'leader-change' | 'quorum-lost' | 'quorum-restored' | 'member-down' | 'member-up' | 'notice'

export interface HealthAlert {
  monitorId: string
  time: number
  kind: HealthAlertKind
  member: string | null
  previousLeader: string | null
  leader: string | null
  message: string
}

// ---------------------------------------------------------------------------------------------------------------
// Clusters

export type ClusterMemberState = 'stopped' | 'starting' | 'running' | 'killed' | 'exited'

export interface ClusterMemberView {
  id: number
  role: 'voter' | 'observer'
  state: ClusterMemberState
  pid: number | null
  clientPort: number
  adminPort: number | null
  kind: 'zoodesk' | 'apache'
  /** The disk fault set with setDisk. */
  disk: { mode: 'ok' | 'slow' | 'fail'; delayMs: number }
  /** Exit code or signal of the last exit, when it is not running. */
  lastExit: string | null
}

export interface ClusterView {
  clusterId: string
  name: string
  /** 'zoodesk', 'apache', or 'mixed' (members' own kinds are in `members`). */
  kind: 'zoodesk' | 'apache' | 'mixed'
  /** Dynamic reconfiguration allowed (zoo.cfg reconfigEnabled=true). */
  reconfigEnabled: boolean
  connectString: string
  dataDir: string
  tickTimeMs: number
  voters: number
  observers: number
  members: ClusterMemberView[]
  /** Groups of member ids that can talk to each other; null when healed. */
  partition: number[][] | null
  running: boolean
  isDefault: boolean
}

/** A member's role in ZAB. */
export type ZabStateName = 'LOOKING' | 'FOLLOWING' | 'LEADING' | 'OBSERVING'

/** An election vote: proposed leader sid (-1: none), its last zxid (`0x…`) and epoch, in the voter's round. */
export interface ZabVoteView {
  leader: number
  zxid: string
  epoch: number
  round: number
}

/**
 * One thing ZAB did in one member (engine/node/quorum/zab-event.ts), plus `member`: its process started or ended.
 * `txns` counts proposals and commits over a window (about 250 ms), never one event per transaction; Apache members
 * send none (their rates come from the health monitor's mntr samples).
 */
export type ZabEventView =
  | { type: 'state'; state: ZabStateName; leader: number | null }
  | { type: 'vote'; vote: ZabVoteView }
  | { type: 'notification'; from: number; state: ZabStateName; vote: ZabVoteView }
  | { type: 'elected'; state: ZabStateName; leader: number; electionMs: number | null }
  | { type: 'established'; epoch: number | null }
  | { type: 'synced'; leader: number | null; epoch: number | null; sync: 'diff' | 'trunc' | 'snap' | null }
  | { type: 'txns'; proposals: number; commits: number; firstZxid: string | null; lastZxid: string | null; windowMs: number }
  | { type: 'member'; running: boolean; detail: string | null }

export interface ClusterZabEvent {
  clusterId: string
  memberId: number
  /** Wall-clock ms (the member's clock for ZAB events). */
  time: number
  event: ZabEventView
}

// ---------------------------------------------------------------------------------------------------------------
// Audit

export interface AuditEntry {
  seq: number
  time: number
  connectionId: string | null
  connectionName: string | null
  operation: string
  path: string | null
  oldVersion: number | null
  newVersion: number | null
  /** Free text: a count, a mode, the console line. */
  detail: string | null
}

// ---------------------------------------------------------------------------------------------------------------
// Console

export interface ConsoleOutput {
  stream: 'out' | 'err'
  text: string
}

// ---------------------------------------------------------------------------------------------------------------
// Data-dir forensics (forensics.*): a ZooKeeper dataDir opened offline

/** Where reading a file stopped and what was readable before (logs: txns; snapshots: nodes). */
export interface ForensicProblem {
  file: string
  kind: 'corrupt' | 'truncated' | 'unreadable' | 'invalidSnapshot'
  /** Byte offset in the file where reading stopped; null when unknown. */
  offset: number | null
  /** The last txn read whole before the problem. */
  lastGoodZxid: HexLong | null
  readable: number
  /** Snapshots: the last node read whole. */
  lastGoodPath: string | null
  message: string
}

export interface ForensicSnapshotFile {
  name: string
  path: string
  zxid: HexLong
  sizeBytes: number
  valid: boolean
  nodeCount: number | null
  sessionCount: number | null
  problem: ForensicProblem | null
}

export interface ForensicLogFile {
  name: string
  path: string
  /** The zxid in the file's name (its first txn's, as written). */
  zxid: HexLong
  sizeBytes: number
  txnCount: number
  firstZxid: HexLong | null
  lastZxid: HexLong | null
  firstTime: number | null
  lastTime: number | null
  problem: ForensicProblem | null
}

export interface ForensicDataDirView {
  dataDirId: string
  path: string
  snapDir: string
  logDir: string
  /** Oldest first. */
  snapshots: ForensicSnapshotFile[]
  logs: ForensicLogFile[]
  txnCount: number
  firstZxid: HexLong | null
  lastZxid: HexLong | null
  firstTime: number | null
  lastTime: number | null
  /** Indexing the logs: wall time, the index's memory, the bytes read. */
  indexMs: number
  indexBytes: number
  logBytes: number
  problems: ForensicProblem[]
}

export type ForensicTreeTarget = { kind: 'snapshot'; zxid: HexLong } | { kind: 'zxid'; zxid: HexLong }

export interface ForensicTreeView {
  dataDirId: string
  target: ForensicTreeTarget
  snapshotFile: string | null
  snapshotZxid: HexLong | null
  txnsReplayed: number
  /** The zxid the tree is at: the target, unless the logs end or fail before it. */
  reachedZxid: HexLong
  nodeCount: number
  sessions: { sessionId: HexLong; timeoutMs: number }[]
  problems: ForensicProblem[]
}

export interface ForensicChild {
  name: string
  path: string
  kind: NodeKind
  stat: ZnodeStat
}

export interface ForensicChildrenPage {
  path: string
  total: number
  offset: number
  children: ForensicChild[]
}

export interface ForensicNode {
  path: string
  kind: NodeKind
  ttlMs: number | null
  data: Base64 | null
  acl: AclEntry[]
  stat: ZnodeStat
}

/** Txn types by name, as the log's TxnHeader says (OpCode names). */
export type ForensicTxnType =
  | 'create'
  | 'create2'
  | 'createContainer'
  | 'createTTL'
  | 'delete'
  | 'deleteContainer'
  | 'setData'
  | 'reconfig'
  | 'setACL'
  | 'check'
  | 'multi'
  | 'createSession'
  | 'closeSession'
  | 'error'

export interface ForensicTxnRow {
  /** Position in the whole log (all files, oldest first). */
  row: number
  zxid: HexLong
  time: number
  type: string
  sessionId: HexLong
  paths: string[]
  fileName: string
}

/** Txns matching a filter over time (for a chart) and by type. */
export interface ForensicTxnRate {
  /** Txns matching the filter. */
  total: number
  /** Start of the first bucket, ms since the epoch; null when nothing matches. */
  fromTime: number | null
  /** Length of each bucket (a round 1 s, 2 s, 5 s … 1 day). */
  bucketMs: number
  /** Txns in each bucket, oldest first. */
  counts: number[]
  /** Txns by type, most first. */
  byType: { type: ForensicTxnType; count: number }[]
}

export interface ForensicTxnPage {
  /** Txns matching the filter. */
  total: number
  offset: number
  rows: ForensicTxnRow[]
}

/** A decoded txn record (or one op of a multi): the fields its type has. */
export interface ForensicTxnBody {
  type: string
  path?: string
  data?: Base64 | null
  acl?: AclEntry[]
  version?: number
  ephemeral?: boolean
  parentCVersion?: number
  ttlMs?: number
  timeoutMs?: number
  err?: string
  paths2Delete?: string[]
  ops?: ForensicTxnBody[]
}

export interface ForensicTxnDetail extends ForensicTxnRow {
  cxid: number
  filePath: string
  offset: number
  digest: { version: number; treeDigest: HexLong } | null
  body: ForensicTxnBody
}

export interface ForensicExport {
  content: string
  fileName: string
  count: number
}

// ---------------------------------------------------------------------------------------------------------------
// Observer tap

/** One committed txn as the tap streams it (engine/tap): zxid and session as `0x…`. */
export interface TapTxnView {
  zxid: string
  /** create, create2, setData, delete, createSession, closeSession, multi, error, setACL, createContainer, createTTL, … */
  type: string
  sessionId: string
  cxid: number
  /** The leader's clock when it prepared the txn (ms since the epoch). */
  time: number
  /** Paths it touches (a multi's sub-txns; the ephemerals a closeSession removes). */
  paths: string[]
  dataBytes: number
  /** A multi's sub-txn types. */
  subTypes: string[]
  errorCode: number | null
}

export type TapPhaseName = 'finding-leader' | 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'stopped'

/** Committed txns the tap could not stream (zxids after `afterZxid`, before `beforeZxid`); count null across epochs. */
export interface TapGapView {
  afterZxid: string
  beforeZxid: string
  count: number | null
  reason: string
}

export interface TapView {
  tapId: string
  /** What it is attached to: the connection's name or the connect string. */
  target: string
  connectionId: string | null
  phase: TapPhaseName
  /** The sid the tap announces (far above any member's). */
  serverId: string
  leaderId: number | null
  leaderQuorumAddress: string | null
  leaderClientAddress: string | null
  epoch: number | null
  lastZxid: string | null
  syncMode: 'DIFF' | 'TRUNC' | 'SNAP' | null
  snapshotBytes: number | null
  txnCount: number
  connections: number
  leaderChanges: number
  gaps: TapGapView[]
  lastError: string | null
  attachedAt: number
  liveSince: number | null
}

/** One batch of the stream (about every 200 ms): the txns (the newest `maxTxnsPerBatch` if more came) and counts by type. */
export interface TapTxnBatch {
  tapId: string
  time: number
  txns: TapTxnView[]
  /** Every txn of the batch by type, including any left out of `txns`. */
  counts: Record<string, number>
  /** Txns of this batch not carried in `txns` (a burst above the cap). */
  omitted: number
  txnCount: number
  lastZxid: string | null
}

// ---------------------------------------------------------------------------------------------------------------
// Subtree diffs (diffs.*)

export type DiffStatus = 'added' | 'changed' | 'unchanged' | 'removed'
/** What differs in a changed node. */
export type DiffChange = 'data' | 'acl' | 'kind'

/** One side of a compared node, as read during the compare (the versions are what apply checks against). */
export interface DiffSide {
  kind: NodeKind
  ttlMs: number | null
  dataLength: number
  version: number
  aversion: number
  numChildren: number
  acl: AclEntry[]
}

export interface DiffEntry {
  /** Relative to the compared roots ('' is the root itself). */
  path: string
  status: DiffStatus
  changes: DiffChange[]
  source: DiffSide | null
  target: DiffSide | null
}

export interface DiffSummary {
  added: number
  changed: number
  unchanged: number
  removed: number
  changedData: number
  changedAcl: number
  changedKind: number
}

export interface DiffEndpoint {
  /** '' for an export file compared before it is imported (diffs.compareImport). */
  connectionId: string
  /** The connection's name, or the export file's. */
  connectionName: string
  /** The export file this side was read from (diffs.compareImport), else null. */
  file: string | null
  path: string
  /** false when the root does not exist there (every node is then added or removed). */
  exists: boolean
}

export interface DiffView {
  diffId: string
  source: DiffEndpoint
  target: DiffEndpoint
  comparedAt: number
  elapsedMs: number
  summary: DiffSummary
  /** Set once an apply ran: the versions read during the compare are spent (compare again). */
  appliedAt: number | null
}

export interface DiffEntriesPage {
  diffId: string
  entries: DiffEntry[]
  /** Entries matching the filter. */
  total: number
  offset: number
}

/** Both sides' data of one entry (base64; null where the node is absent or has null data). */
export interface DiffEntryData {
  path: string
  sourceData: string | null
  targetData: string | null
}

/** One write of an apply, against the target (absolute path). */
export interface DiffPlannedOp {
  op: 'create' | 'setData' | 'setACL' | 'delete'
  path: string
  /** The version (setData, delete) or ACL version (setACL) read during the compare; null for creates. */
  version: number | null
  /** Creates: the node kind made. */
  kind: NodeKind | null
  /** The 0-based batch (multi transaction) the op goes in; setACLs run one by one after their batch. */
  batch: number
}

export interface DiffSkipped {
  path: string
  reason: 'ephemeral' | 'kindWithChildren' | 'unchanged' | 'unknown'
}

export interface DiffPlan {
  diffId: string
  ops: DiffPlannedOp[]
  skipped: DiffSkipped[]
  batches: number
}

export interface DiffBatchReport {
  batch: number
  ops: number
  status: 'applied' | 'aborted' | 'notRun'
  /** The culprit's error (BADVERSION, NODEEXISTS, NONODE, …) when aborted. */
  keeperCode: string | null
  failedPath: string | null
}

export interface DiffApplyResult {
  diffId: string
  operationId: string
  /** Ops that took effect. */
  applied: number
  /** Ops of aborted batches (none of them took effect). */
  aborted: number
  batches: DiffBatchReport[]
  skipped: DiffSkipped[]
  elapsedMs: number
}

// ---------------------------------------------------------------------------------------------------------------
// Per-node history (history.*)

/** One version of a znode: what a txn (local clusters) or a watch event (remote, partial) left it as. */
export interface NodeVersionView {
  /** The change's key: its zxid (txn log), or for a partial timeline the mzxid/czxid the fetch returned. */
  zxid: HexLong
  /** Txn time (txn log) or the time ZooDesk saw it (partial), ms since the epoch. */
  time: number
  kind: 'create' | 'setData' | 'setACL' | 'delete' | 'seen'
  /** Data version after the change; null when the log does not say (history before the oldest log). */
  version: number | null
  aclVersion: number | null
  /** The session that made the change (null in a partial timeline: a watch does not say). */
  sessionId: HexLong | null
  /** From `cons` while the session lives ("ip:port"); null when the session is gone (the log does not record it). */
  clientAddress: string | null
  /** When the session was created (its createSession txn), if it is in the logs. */
  sessionCreatedAt: number | null
  dataBytes: number | null
  inMulti: boolean
  ephemeral: boolean
}

export interface NodeHistoryView {
  connectionId: string
  path: string
  /** txnLog: every logged change, from a member's dataDir; watch: seen while connected (partial). */
  source: 'txnLog' | 'watch'
  partial: boolean
  /** The local cluster and the member whose txn log was read (txnLog). */
  clusterId: string | null
  memberId: number | null
  /** Whether the first version is the node's creation (false: older changes are not in the logs). */
  startsWithCreate: boolean
  /** Oldest first. */
  versions: NodeVersionView[]
  /** The node's current data version (null: it does not exist now). */
  currentVersion: number | null
  /** How the history was read, ms. */
  elapsedMs: number
}

export interface NodeVersionData {
  zxid: HexLong
  /** null: the node had no data (or it is not known). */
  data: Base64 | null
  dataKnown: boolean
  acl: AclEntry[] | null
}

export interface NodeRestoreResult {
  stat: ZnodeStat
  /** The version that was restored. */
  zxid: HexLong
}

/** A quota's limits (null: not set) and the usage the server keeps in zookeeper_stats. */
export interface QuotaView {
  path: string
  limits: { count: number | null; bytes: number | null; countHard: number | null; bytesHard: number | null }
  usage: { count: number; bytes: number }
  /** over a hard limit > over a soft limit > ok (soft limits only warn in the server log; hard ones refuse writes with enforceQuota). */
  level: 'ok' | 'soft' | 'hard'
}

/** One member of /zookeeper/config. */
export interface EnsembleMemberView {
  id: number
  host: string
  quorumPort: number
  electionPort: number
  role: 'participant' | 'observer'
  clientAddress: string | null
  /** The spec as Apache writes it after `server.N=`. */
  spec: string
}

export interface QuorumSummary {
  voters: number
  observers: number
  /** Votes a commit needs (a majority of voters). */
  majority: number
  /** Voters that may fail with the ensemble still serving writes. */
  tolerated: number
}

export interface EnsembleConfigView {
  /** The config version (hex, as in `version=`); null when /zookeeper/config is empty (standalone). */
  version: string | null
  members: EnsembleMemberView[]
  quorum: QuorumSummary
  /**
   * 'supported': a ZooKeeper server answers (whether it allows reconfig — reconfigEnabled, a superuser or skipACL —
   * only its answer to a reconfig says); 'unknown': it does not answer srvr.
   */
  support: 'supported' | 'unknown'
  text: string
}

export interface ReconfigPreviewView {
  members: (EnsembleMemberView & { change: 'kept' | 'joining' | 'leaving' | 'changed' })[]
  before: QuorumSummary
  after: QuorumSummary
  /** Why the change would be refused (empty: it may be applied); `subject` is the entry or id concerned. */
  problems: { code: ReconfigProblemCode; subject: string }[]
  joining: string
  leaving: string
}

export type ReconfigProblemCode = 'empty' | 'badJoining' | 'unknownLeaving' | 'joinAndLeave' | 'noVoters' | 'duplicateJoining'

// ---- Session lens ------------------------------------------------------------------------------------------------

/** A client connection of a live session, as the member it is connected to lists it in `cons`. */
export interface SessionConnectionView {
  /** The member's client address, `host:port`. */
  member: string
  /** The local cluster's member id, when the ensemble is one. */
  memberId: number | null
  clientAddress: string
  lastOperation: string | null
  queued: number | null
  received: number | null
  sent: number | null
  /** When the connection was established, ms since the epoch. */
  establishedAt: number | null
  lastLatencyMs: number | null
  avgLatencyMs: number | null
  maxLatencyMs: number | null
}

export interface LiveSessionView {
  /** `0x` + hex digits, as the other session ids of the contract. */
  sessionId: string
  connections: SessionConnectionView[]
  timeoutMs: number | null
  ephemerals: string[]
  watches: string[]
  /** Listed by the ensemble's session tracker (dump), not only by a connection. */
  tracked: boolean
}

export interface SessionLensGap {
  member: string
  word: 'cons' | 'dump' | 'wchc'
  reason: 'not-allowed' | 'unreachable'
  message: string
}

export interface SessionLensView {
  sessions: LiveSessionView[]
  /** The member whose dump gave the sessions and ephemerals (the leader when allowed), or null. */
  dumpFrom: string | null
  members: { address: string; memberId: number | null; mode: string | null }[]
  gaps: SessionLensGap[]
  /** The local cluster these members belong to (sessions.expire takes it), or null. */
  clusterId: string | null
  /** Whether sessions can be expired on purpose here, and if not, why (a local ZooDesk cluster only). */
  expire: { possible: true } | { possible: false; reason: 'not-local' | 'apache' | 'apache-leader' | 'not-running' }
  takenAt: number
  tookMs: number
}

/** A module in the codec plug-in folder (main/services/codecs). */
export interface CodecPluginFile {
  /** The file name, directly in the folder; the renderer imports `codec-plugins/<file>` relative to its page. */
  file: string
  sizeBytes: number
  /** Changes when the file does: the renderer adds it to the import URL, so an edited plug-in is imported afresh. */
  modifiedMs: number
  /** Why main will not serve it (a bad name, a link out of the folder, too large), or null. */
  problem: string | null
}

export interface CodecPluginList {
  /** Absolute path of `<userData>/codecs`. */
  folder: string
  plugins: CodecPluginFile[]
}
