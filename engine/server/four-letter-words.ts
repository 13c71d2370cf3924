import { homedir, hostname, release, tmpdir, userInfo } from 'node:os'
import { dirname } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import type { MemberConfig } from '../node/config-types'
import type { DataTreeApi } from '../tree/api'
import type { ClientConnection } from './connection'
import { javaDateString, javaDouble } from './java-format'
import { MNTR_KEYS, type MonitorEntry, STANDALONE_GAUGE_COUNT, gaugeOrder, monitorValues, namespaceEntries } from './monitor'
import { hexLong } from './session-identity'
import type { ServerMode } from './quorum-link'
import type { BufferStats, ServerStats } from './server-stats'
import type { SessionTracker } from './session-tracker'
import { ZOODESK_VERSION } from './version'

/** A voting member as the AdminServer's `voting_view` lists it (`QuorumServerView`). */
export interface VotingMemberView {
  id: number
  serverAddresses: string[]
  electionAddresses: string[]
  /** `host:port`, or "" when the member's client address is not known here. */
  clientAddress: string
  learnerType: 'participant' | 'observer'
}

/** A learner connection as `LearnerHandler.getLearnerHandlerInfo` describes it (AdminServer `observers`). */
export interface LearnerHandlerView {
  remoteSocketAddress: string
  sid: number
  establishedWallMs: number
  queuedPackets: number
  queuedPacketsSize: number
  packetsReceived: number
  packetsSent: number
  requests: number
  lastZxid: bigint
}

/** AdminServer `zabstate` of an ensemble member. */
export interface ZabStateView {
  myId: number
  isLeader: boolean
  quorumAddress: { host: string; port: number }
  electionAddress: { host: string; port: number }
  clientAddress: string
  voting: boolean
  /** election, discovery, synchronization or broadcast. */
  zabState: string
}

/**
 * An ensemble member's quorum side as the four-letter words, mntr and the AdminServer show it (the provider is
 * engine/node/quorum/quorum-status.ts). Absent on a standalone server.
 */
export interface QuorumStatusView {
  /** `QuorumPeer.getDetailedPeerState`: `following - broadcast`, `leading - synchronization`, `looking`… */
  peerState(): string
  /** Observers print `zk_observer_master_id` (the sid they sync from, -1 when none); undefined on other roles. */
  observerMasterId(): number | undefined
  /** Gauges the role registers after the standalone ones, in registration order; null values are not printed. */
  gauges(): ReadonlyArray<readonly [string, number | null]>
  /** Values of keys every member prints that the quorum side keeps (looking_count, diff_count, election_time…). */
  metrics(): ReadonlyMap<string, number>
  /** The summary sets keyed by learner sid: learner_handler_qp_size (basic), learner_handler_qp_time_ms. */
  learnerQueueSizes(): MonitorEntry[]
  learnerQueueTimes(): MonitorEntry[]
  /** What `conf` prints after `serverId=` (`QuorumZooKeeperServer.dumpConf`), ending without a newline. */
  confText(): string
  /** The leader's proposal sizes (`Leader.getProposalStats`); null on other roles. */
  proposalSizes(): BufferStats | null
  leaderInfo(): { isLeader: boolean; leaderId: number; leaderIp: string }
  votingView(): VotingMemberView[]
  /** Leader: the observers it syncs (`getObservingLearnersInfo`); null on other roles. */
  observers(): { synced: number; handlers: LearnerHandlerView[] } | null
  resetObserverStats(): void
  /** srst (`ServerMetrics.resetAll`): counters and summaries to zero, summary-set keys kept; `proposalSizes` too for the 4lw. */
  resetMetrics(options: { proposalSizes: boolean }): void
  zabState(): ZabStateView
  /** A learner's session tracker dumps `Global Sessions(n)` (LearnerSessionTracker) instead of expiry sets. */
  isLearner(): boolean
  /** `uptime`: Apache makes a new ZooKeeperServer (and ServerStats) for each role, so it counts from the role's start. */
  serverUptimeMs(): number
}

/** Everything the commands read. The server core implements it; the AdminServer uses the same view. */
export interface FourLetterView {
  readonly config: MemberConfig
  readonly tree: DataTreeApi
  readonly sessions: SessionTracker
  readonly stats: ServerStats
  readonly connections: ReadonlySet<ClientConnection>
  readonly running: boolean
  /** standalone, or the member's role in its ensemble. */
  readonly serverMode: ServerMode
  /** Local sessions of an ensemble member (mntr `zk_local_sessions`); absent means none. */
  readonly localSessionCount?: number
  readonly outstandingRequests: number
  /** The quorum side of an ensemble member; null/absent standalone. */
  readonly quorumStatus?: QuorumStatusView | null
  traceMask: bigint
  storageFigures(): { dataDirPath(): string; dataLogDirPath(): string; dataDirSizeBytes(): number; logDirSizeBytes(): number } | undefined
  uptimeMs(): number
  toWallMs(monotonicMs: number): number
  resetConnectionStats(): void
  connectionExpiryBuckets(): Array<[number, ReadonlySet<ClientConnection>]>
}

/** All known words (`FourLetterCommands.cmd2String`), keyed by the int their four ASCII bytes make. */
const WORDS = ['conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash']
const TELNET_CLOSE = 0xfff4fffd | 0
const TELNET_CLOSE_NAME = 'telnet close'
const WORD_BY_CODE = new Map<number, string>([
  ...WORDS.map((word): [number, string] => [Buffer.from(word, 'latin1').readInt32BE(0), word]),
  [TELNET_CLOSE, TELNET_CLOSE_NAME],
])

export function fourLetterWordOf(code: number): string | undefined {
  return WORD_BY_CODE.get(code)
}

/** `4lw.commands.whitelist` as Apache reads it: `*` enables everything; `srvr` is always on. */
export function isWhitelisted(config: MemberConfig, word: string): boolean {
  const list = config.fourLetterWordWhitelist
  if (word === 'srvr') return true
  if (word === 'isro' && config.readOnlyModeEnabled) return true
  return list.has('*') || list.has(word)
}

const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests\n'

/**
 * The text a four-letter word answers with. `rest` holds the bytes after the word (stmk reads its 8-byte mask
 * there). Undefined: nothing to run (the whitelisted telnet close sequence, which Apache then treats as a bad length).
 */
export function runFourLetterWord(view: FourLetterView, word: string, rest: Buffer): string | undefined {
  if (!isWhitelisted(view.config, word)) return `${word} is not executed because it is not in the whitelist.\n`
  switch (word) {
    case 'ruok':
      return 'imok'
    case 'gtmk':
      return String(view.traceMask)
    case 'stmk':
      if (rest.length < 8) return ''
      view.traceMask = rest.readBigInt64BE(0)
      return String(view.traceMask)
    case 'envi':
      return environmentText()
    case TELNET_CLOSE_NAME:
      return undefined
  }
  if (!view.running) return word === 'isro' ? 'null' : NOT_SERVING
  switch (word) {
    case 'isro':
      return view.serverMode === 'read-only' ? 'ro' : 'rw'
    case 'srvr':
      return serverText(view, false)
    case 'stat':
      return serverText(view, true)
    case 'cons':
      return [...view.connections].map((cnx) => `${connectionLine(cnx, false)}\n`).join('') + '\n'
    case 'conf':
      return confText(view)
    case 'mntr':
      return mntrText(view)
    case 'wchs': {
      const summary = view.tree.watchSummary()
      return `${summary.connections} connections watching ${summary.paths} paths\nTotal watches:${summary.totalWatches}\n`
    }
    case 'wchc': {
      let text = ''
      for (const [sessionId, paths] of view.tree.watchesByConnection()) {
        text += `0x${hexLong(sessionId)}\n`
        for (const path of paths) text += `\t${path}\n`
      }
      return `${text}\n`
    }
    case 'wchp': {
      let text = ''
      for (const [path, sessionIds] of view.tree.watchesByPath()) {
        text += `${path}\n`
        for (const sessionId of sessionIds) text += `\t0x${hexLong(sessionId)}\n`
      }
      return `${text}\n`
    }
    case 'dump':
      return dumpText(view)
    case 'crst':
      view.resetConnectionStats()
      return 'Connection stats reset.\n'
    case 'srst':
      view.stats.reset()
      view.tree.namespaceStats.reset()
      // The four-letter word also clears a leader's proposal sizes (StatResetCommand); the AdminServer's does not.
      view.quorumStatus?.resetMetrics({ proposalSizes: true })
      return 'Server stats reset.\n'
    case 'dirs': {
      const storage = view.storageFigures()
      return `datadir_size: ${storage?.dataDirSizeBytes() ?? 0}\nlogdir_size: ${storage?.logDirSizeBytes() ?? 0}\n`
    }
    case 'hash':
      return digestLogText(view.tree)
    default:
      return ''
  }
}

/** `hash` (DigestCommand): one `<zxid in hex>: <digest as a signed long>` line per record of the digest log. */
function digestLogText(tree: DataTreeApi): string {
  let text = ''
  for (const record of tree.digestLog()) text += `${BigInt.asUintN(64, record.zxid).toString(16)}: ${record.digest}\n`
  return text
}

/** srvr and stat (`StatCommand`): stat adds the brief connection list after the version line. */
function serverText(view: FourLetterView, withClients: boolean): string {
  let text = `Zookeeper version: ${ZOODESK_VERSION}\n`
  if (view.serverMode === 'read-only') text += 'READ-ONLY mode; serving only read-only clients\n'
  if (withClients) {
    text += 'Clients:\n'
    for (const cnx of view.connections) text += `${connectionLine(cnx, true)}\n`
    text += '\n'
  }
  const latency = view.stats.requestLatency
  text += `Latency min/avg/max: ${latency.minimum}/${javaDouble(latency.average)}/${latency.maximum}\n`
  text += `Received: ${view.stats.packetsReceived}\n`
  text += `Sent: ${view.stats.packetsSent}\n`
  text += `Connections: ${view.connections.size}\n`
  text += `Outstanding: ${view.outstandingRequests}\n`
  text += `Zxid: 0x${hexLong(view.tree.lastProcessedZxid)}\n`
  text += `Mode: ${view.serverMode}\n`
  text += `Node count: ${view.tree.nodeCount}\n`
  const proposals = view.serverMode === 'leader' ? view.quorumStatus?.proposalSizes() : null
  if (proposals) text += `Proposal sizes last/min/max: ${proposals.last}/${proposals.min}/${proposals.max}\n`
  return text
}

/** `ServerCnxn.dumpConnectionInfo`: ` /ip:port[ops](queued=…,recved=…,sent=…[,sid=…])`. */
export function connectionLine(cnx: ClientConnection, brief: boolean): string {
  const ops = cnx.interestOps
  let line = ` ${socketAddressText(cnx)}[${ops === 0 ? '0' : ops.toString(16)}](queued=${cnx.outstanding},recved=${cnx.stats.packetsReceived},sent=${cnx.stats.packetsSent}`
  if (!brief && cnx.sessionId !== 0n) {
    const s = cnx.stats
    line += `,sid=0x${hexLong(cnx.sessionId)},lop=${s.lastOperation},est=${cnx.establishedWallMs},to=${cnx.sessionTimeoutMs}`
    if (s.lastCxid >= 0) line += `,lcxid=0x${(s.lastCxid >>> 0).toString(16)}`
    line += `,lzxid=0x${hexLong(s.lastZxid)},lresp=${s.lastResponseTimeMs},llat=${s.lastLatencyMs}`
    line += `,minlat=${s.minLatency},avglat=${s.avgLatency},maxlat=${s.maxLatencyMs}`
  }
  return `${line})`
}

/** Java's `InetSocketAddress.toString()` for an unresolved peer: `/ip:port`, IPv6 in brackets. */
export function socketAddressText(cnx: ClientConnection): string {
  const address = cnx.transport.remoteAddress
  return address.includes(':') ? `/[${address}]:${cnx.transport.remotePort}` : `/${address}:${cnx.transport.remotePort}`
}

function confText(view: FourLetterView): string {
  const { config } = view
  const storage = view.storageFigures()
  const lines = [
    `clientPort=${config.clientPort}`,
    `secureClientPort=${config.secureClientPort ?? -1}`,
    `dataDir=${storage?.dataDirPath() ?? `${config.dataDir}/version-2`}`,
    `dataDirSize=${storage?.dataDirSizeBytes() ?? 0}`,
    `dataLogDir=${storage?.dataLogDirPath() ?? `${config.dataLogDir}/version-2`}`,
    `dataLogSize=${storage?.logDirSizeBytes() ?? 0}`,
    `tickTime=${config.tickTimeMs}`,
    `maxClientCnxns=${config.maxClientCnxns}`,
    `minSessionTimeout=${config.minSessionTimeoutMs}`,
    `maxSessionTimeout=${config.maxSessionTimeoutMs}`,
    `clientPortListenBacklog=${config.clientPortListenBacklog}`,
    `serverId=${config.myId}`,
  ]
  let quorumText = view.quorumStatus?.confText() ?? ''
  // ReadOnlyZooKeeperServer.dumpConf prints the quorum settings but not the membership.
  const membership = quorumText.indexOf('membership: \n')
  if (view.serverMode === 'read-only' && membership >= 0) quorumText = quorumText.slice(0, membership)
  return lines.map((line) => `${line}\n`).join('') + quorumText
}

/**
 * mntr: version and state (and an ensemble member's peer state), the gauges, then Apache's other metric keys in
 * Apache's order, then the summary sets that have entries; values we do not track print 0.
 */
export function mntrEntries(view: FourLetterView): MonitorEntry[] {
  const values = monitorValues({
    stats: view.stats,
    outstandingRequests: view.outstandingRequests,
    connectionCount: () => view.connections.size,
    znodeCount: () => view.tree.nodeCount,
    watchCount: () => view.tree.watchCount(),
    ephemeralsCount: () => {
      let count = 0
      for (const paths of view.tree.ephemeralSessions().values()) count += paths.size
      return count
    },
    approximateDataSize: () => view.tree.approximateDataSize(),
    globalSessions: () => view.sessions.size,
    localSessions: () => view.localSessionCount ?? 0,
    uptimeMs: () => view.quorumStatus?.serverUptimeMs() ?? view.uptimeMs(),
  })
  const entries: MonitorEntry[] = [
    ['version', ZOODESK_VERSION, false],
    ['server_state', view.serverMode, false],
  ]
  const quorum = view.quorumStatus
  // A read-only member is a plain ZooKeeperServer to Apache's mntr: no peer state, no quorum gauges.
  if (quorum === undefined || quorum === null || view.serverMode === 'read-only') {
    for (const key of MNTR_KEYS) entries.push([key.name, values.get(key.name) ?? 0, key.double])
    entries.push(...namespaceEntries(view.tree.namespaceStats))
    return entries
  }
  entries.push(['peer_state', quorum.peerState(), false])
  const observerMaster = quorum.observerMasterId()
  if (observerMaster !== undefined) entries.push(['observer_master_id', observerMaster, false])
  for (const [name, value] of quorum.metrics()) values.set(name, value)
  const gauges = quorum.gauges()
  const absent = new Set<string>()
  for (const [name, value] of gauges) {
    if (value === null) absent.add(name)
    else values.set(name, value)
  }
  for (const key of gaugeOrder(gauges.map(([name]) => name))) {
    if (!absent.has(key.name)) entries.push([key.name, values.get(key.name) ?? 0, key.double])
  }
  for (let i = STANDALONE_GAUGE_COUNT; i < MNTR_KEYS.length; i++) {
    const key = MNTR_KEYS[i]!
    entries.push([key.name, values.get(key.name) ?? 0, key.double])
  }
  // Apache's basic summary sets in their map's order (learner_handler_qp_size, read_per_namespace,
  // write_per_namespace), then the advanced ones (ack_latency, learner_handler_qp_time_ms).
  entries.push(...quorum.learnerQueueSizes(), ...namespaceEntries(view.tree.namespaceStats), ...quorum.learnerQueueTimes())
  return entries
}

function mntrText(view: FourLetterView): string {
  let text = ''
  for (const [name, value, double] of mntrEntries(view)) {
    const shown = typeof value === 'string' ? value : double ? javaDouble(value) : String(Math.trunc(value))
    text += `zk_${name}\t${shown}\n`
  }
  return text
}

function dumpText(view: FourLetterView): string {
  let text = 'SessionTracker dump:\n'
  if (view.quorumStatus?.isLearner() === true) {
    // LearnerSessionTracker: the global sessions of the database, by id, with their timeouts.
    const timeouts = view.sessions.sessionTimeouts()
    text += `Global Sessions(${timeouts.size}):\n`
    const ids = [...timeouts.keys()].sort((a, b) => (BigInt.asIntN(64, a) < BigInt.asIntN(64, b) ? -1 : 1))
    for (const id of ids) text += `0x${hexLong(id)}\t${timeouts.get(id)}ms\n`
  } else {
    const sessionBuckets = view.sessions.expiryBuckets()
    text += `Session Sets (${sessionBuckets.length})/(${view.sessions.size}):\n`
    for (const [expiryMs, sessions] of sessionBuckets) {
      text += `${sessions.size} expire at ${javaDateString(view.toWallMs(expiryMs))}:\n`
      for (const session of sessions) text += `\t0x${hexLong(session.sessionId)}\n`
    }
  }
  text += 'ephemeral nodes dump:\n'
  const ephemerals = view.tree.ephemeralSessions()
  text += `Sessions with Ephemerals (${ephemerals.size}):\n`
  for (const [sessionId, paths] of ephemerals) {
    text += `0x${hexLong(sessionId)}:\n`
    for (const path of paths.javaOrder()) text += `\t${path}\n`
  }
  text += 'Connections dump:\n'
  const connectionBuckets = view.connectionExpiryBuckets()
  const connectionCount = connectionBuckets.reduce((sum, [, set]) => sum + set.size, 0)
  text += `Connections Sets (${connectionBuckets.length})/(${connectionCount}):\n`
  for (const [expiryMs, connections] of connectionBuckets) {
    text += `${connections.size} expire at ${javaDateString(view.toWallMs(expiryMs))}:\n`
    for (const cnx of connections) text += `\tip: ${socketAddressText(cnx)} sessionId: 0x${hexLong(cnx.sessionId)}\n`
  }
  return text
}

/** `Environment.list()` with Node's equivalents under Apache's keys. */
export function environmentEntries(): Array<[string, string]> {
  const memory = process.memoryUsage()
  const megabytes = (bytes: number): string => `${Math.floor(bytes / (1024 * 1024))}MB`
  const heapLimit = getHeapStatistics().heap_size_limit
  let userName = '<NA>'
  try {
    userName = userInfo().username
  } catch {
    // no passwd entry
  }
  return [
    ['zookeeper.version', ZOODESK_VERSION],
    ['host.name', hostname()],
    ['java.version', process.versions.node],
    ['java.vendor', 'Node.js'],
    ['java.home', dirname(dirname(process.execPath))],
    ['java.class.path', process.argv[1] ?? '<NA>'],
    ['java.library.path', '<NA>'],
    ['java.io.tmpdir', tmpdir()],
    ['java.compiler', '<NA>'],
    ['os.name', process.platform === 'linux' ? 'Linux' : process.platform],
    ['os.arch', process.arch === 'x64' ? 'amd64' : process.arch],
    ['os.version', release()],
    ['user.name', userName],
    ['user.home', homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', megabytes(memory.heapTotal - memory.heapUsed)],
    ['os.memory.max', megabytes(heapLimit)],
    ['os.memory.total', megabytes(memory.heapTotal)],
  ]
}

function environmentText(): string {
  return `Environment:\n${environmentEntries()
    .map(([key, value]) => `${key}=${value}\n`)
    .join('')}`
}
