import { environmentEntries, type FourLetterView, mntrEntries, socketAddressText } from './four-letter-words'
import type { ClientConnection } from './connection'
import { JsonDouble, type JsonValue, jsonObject, writeJackson } from './jackson-json'
import { hexLong } from './session-identity'
import { ZOODESK_VERSION } from './version'
import { javaCopyOrder } from '../tree/java-hash-set'

/** What the AdminServer can ask beyond the 4lw view. */
export interface AdminView extends FourLetterView {
  lastSnapshot?(): { zxid: bigint; timestampSeconds: number } | undefined
}

type Fields = Array<[string, JsonValue]>

interface AdminCommand {
  readonly names: readonly string[]
  /** Commands that need a running server answer "not currently serving" otherwise. */
  readonly serverRequired: boolean
  run(view: AdminView, query: ReadonlyMap<string, string>): Fields
}

const signedLong = (value: bigint): bigint => BigInt.asIntN(64, value)

/** Jackson's InetSocketAddress form: `ip:port`, IPv6 in brackets. */
function remoteSocketAddress(cnx: ClientConnection): string {
  return socketAddressText(cnx).slice(1)
}

/** `ServerCnxn.getConnectionInfo`. */
function connectionInfo(cnx: ClientConnection, brief: boolean): JsonValue {
  const fields: Fields = [
    ['remote_socket_address', remoteSocketAddress(cnx)],
    ['interest_ops', cnx.interestOps],
    ['outstanding_requests', cnx.outstanding],
    ['packets_received', cnx.stats.packetsReceived],
    ['packets_sent', cnx.stats.packetsSent],
  ]
  if (!brief) {
    const s = cnx.stats
    fields.push(
      ['session_id', signedLong(cnx.sessionId)],
      ['last_operation', s.lastOperation],
      ['established', cnx.establishedWallMs],
      ['session_timeout', cnx.sessionTimeoutMs],
      ['last_cxid', s.lastCxid],
      ['last_zxid', signedLong(s.lastZxid)],
      ['last_response_time', Math.floor(s.lastResponseTimeMs)],
      ['last_latency', Math.floor(s.lastLatencyMs)],
      ['min_latency', Math.floor(s.minLatency)],
      ['avg_latency', s.avgLatency],
      ['max_latency', Math.floor(s.maxLatencyMs)],
    )
  }
  return new Map(fields)
}

function bufferStats(view: AdminView): JsonValue {
  const { clientResponse } = view.stats
  return new Map<string, JsonValue>([
    ['last_buffer_size', clientResponse.last],
    ['min_buffer_size', clientResponse.min],
    ['max_buffer_size', clientResponse.max],
  ])
}

/** The Jackson bean of `ServerStats`, in the order Apache's JSON shows it. */
function serverStats(view: AdminView): JsonValue {
  const storage = view.storageFigures()
  const latency = view.stats.requestLatency
  return new Map<string, JsonValue>([
    ['packets_sent', view.stats.packetsSent],
    ['packets_received', view.stats.packetsReceived],
    ['fsync_threshold_exceed_count', 0],
    ['client_response_stats', bufferStats(view)],
    ['data_dir_size', storage?.dataDirSizeBytes() ?? 0],
    ['log_dir_size', storage?.logDirSizeBytes() ?? 0],
    ['provider_null', false],
    ['server_state', view.serverMode],
    ['last_processed_zxid', signedLong(view.tree.lastProcessedZxid)],
    ['outstanding_requests', view.outstandingRequests],
    ['avg_latency', new JsonDouble(latency.average)],
    ['max_latency', latency.maximum],
    ['min_latency', latency.minimum],
    ['num_alive_client_connections', view.connections.size],
    ['uptime', Math.floor(view.quorumStatus?.serverUptimeMs() ?? view.uptimeMs())],
    ['auth_failed_count', view.stats.authFailedCount],
    ['non_mtlsremote_conn_count', 0],
    ['non_mtlslocal_conn_count', 0],
  ])
}

function srvrFields(view: AdminView): Fields {
  const fields: Fields = [
    ['version', ZOODESK_VERSION],
    ['read_only', view.serverMode === 'read-only'],
    ['server_stats', serverStats(view)],
    ['client_response', bufferStats(view)],
  ]
  const proposals = view.serverMode === 'leader' ? view.quorumStatus?.proposalSizes() : null
  if (proposals) {
    fields.push([
      'proposal_stats',
      new Map<string, JsonValue>([
        ['last_buffer_size', proposals.last],
        ['min_buffer_size', proposals.min],
        ['max_buffer_size', proposals.max],
      ]),
    ])
  }
  fields.push(['node_count', view.tree.nodeCount])
  return fields
}

/** A quorum address as Jackson writes Apache's `MultipleAddresses` bean (one address). */
function multipleAddresses(address: { host: string; port: number }): JsonValue {
  const text = `${address.host}:${address.port}`
  return new Map<string, JsonValue>([
    ['empty', false],
    ['all_ports', [address.port]],
    ['reachable_or_one', text],
    ['all_reachable_addresses_or_all', [text]],
    ['all_host_strings', [address.host]],
    ['wildcard_addresses', [`0.0.0.0:${address.port}`]],
    ['reachable_address', text],
    ['one', text],
    ['all_reachable_addresses', [text]],
    ['all_addresses', [text]],
  ])
}

const COMMANDS: readonly AdminCommand[] = [
  {
    names: ['connection_stat_reset', 'crst'],
    serverRequired: true,
    run: (view) => {
      view.resetConnectionStats()
      return []
    },
  },
  {
    names: ['configuration', 'conf', 'config'],
    serverRequired: true,
    run: (view) => {
      const { config } = view
      const storage = view.storageFigures()
      return [
        ['client_port', config.clientPort],
        ['data_dir', storage?.dataDirPath() ?? `${config.dataDir}/version-2`],
        ['data_log_dir', storage?.dataLogDirPath() ?? `${config.dataLogDir}/version-2`],
        ['tick_time', config.tickTimeMs],
        ['max_client_cnxns', config.maxClientCnxns],
        ['min_session_timeout', config.minSessionTimeoutMs],
        ['max_session_timeout', config.maxSessionTimeoutMs],
        ['server_id', config.myId],
        ['client_port_listen_backlog', config.clientPortListenBacklog],
      ]
    },
  },
  {
    names: ['connections', 'cons'],
    serverRequired: true,
    run: (view) => [
      ['connections', [...view.connections].map((cnx) => connectionInfo(cnx, false))],
      ['secure_connections', []],
    ],
  },
  {
    names: ['hash'],
    serverRequired: true,
    // Jackson writes ZxidDigest's getters in its fields' order, snake_cased.
    run: (view) => [
      [
        'digests',
        view.tree.digestLog().map((record) =>
          jsonObject([
            ['zxid', record.zxid],
            ['digest', record.digest],
            ['digest_version', record.digestVersion],
          ]),
        ),
      ],
    ],
  },
  {
    names: ['dirs'],
    serverRequired: true,
    run: (view) => [
      ['datadir_size', view.storageFigures()?.dataDirSizeBytes() ?? 0],
      ['logdir_size', view.storageFigures()?.logDirSizeBytes() ?? 0],
    ],
  },
  {
    names: ['dump'],
    serverRequired: true,
    run: (view) => {
      const expiry = new Map<string, JsonValue>()
      // A learner's session tracker has no expiry map (LearnerSessionTracker.getSessionExpiryMap is empty).
      const buckets = view.quorumStatus?.isLearner() === true ? [] : view.sessions.expiryBuckets()
      for (const [expiryMs, sessions] of buckets) {
        expiry.set(String(Math.floor(expiryMs)), [...sessions].map((session) => signedLong(session.sessionId)))
      }
      const ephemerals = new Map<string, JsonValue>()
      for (const [sessionId, paths] of view.tree.ephemeralSessions()) ephemerals.set(String(signedLong(sessionId)), javaCopyOrder(paths))
      return [
        ['expiry_time_to_session_ids', expiry],
        ['session_id_to_ephemeral_paths', ephemerals],
      ]
    },
  },
  {
    names: ['environment', 'env', 'envi'],
    serverRequired: false,
    run: () => environmentEntries(),
  },
  {
    names: ['get_trace_mask', 'gtmk'],
    serverRequired: false,
    run: (view) => [['tracemask', view.traceMask]],
  },
  {
    names: ['initial_configuration', 'icfg'],
    serverRequired: true,
    // Only a standalone server (ZooKeeperServerMain) records its initial configuration.
    run: (view) => [['initial_configuration', view.quorumStatus ? null : (view.config.configText ?? '')]],
  },
  {
    names: ['is_read_only', 'isro'],
    serverRequired: true,
    run: (view) => [['read_only', view.serverMode === 'read-only']],
  },
  {
    names: ['last_snapshot', 'lsnp'],
    serverRequired: true,
    run: (view) => {
      const snapshot = view.lastSnapshot?.()
      return [
        ['zxid', hexLong(snapshot?.zxid ?? -1n)],
        ['timestamp', snapshot?.timestampSeconds ?? -1],
      ]
    },
  },
  {
    names: ['leader', 'lead'],
    serverRequired: true,
    run: (view) => {
      const quorum = view.quorumStatus
      if (!quorum) return [['error', 'server is not initialized']]
      const leader = quorum.leaderInfo()
      return [
        ['is_leader', leader.isLeader],
        ['leader_id', leader.leaderId],
        ['leader_ip', leader.leaderIp],
      ]
    },
  },
  {
    names: ['monitor', 'mntr'],
    serverRequired: false,
    run: (view) =>
      mntrEntries(view).map(([name, value, double]): [string, JsonValue] => [
        name,
        typeof value === 'string' ? value : double ? new JsonDouble(value) : Math.trunc(value),
      ]),
  },
  {
    names: ['observer_connection_stat_reset', 'orst'],
    serverRequired: true,
    run: (view) => {
      view.quorumStatus?.resetObserverStats()
      return []
    },
  },
  {
    names: ['ruok'],
    serverRequired: true,
    run: () => [],
  },
  {
    names: ['set_trace_mask', 'stmk'],
    serverRequired: false,
    run: (view, query) => {
      const text = query.get('traceMask')
      if (text === undefined) return [['error', 'setTraceMask requires long traceMask argument']]
      if (!/^[+-]?\d+$/.test(text) || BigInt.asIntN(64, BigInt(text)) !== BigInt(text)) {
        return [['error', `setTraceMask requires long traceMask argument, got ${text}`]]
      }
      view.traceMask = BigInt(text)
      return [['tracemask', view.traceMask]]
    },
  },
  {
    names: ['server_stats', 'srvr'],
    serverRequired: true,
    run: (view) => srvrFields(view),
  },
  {
    names: ['stats', 'stat'],
    serverRequired: true,
    run: (view) => [
      ...srvrFields(view),
      ['connections', [...view.connections].map((cnx) => connectionInfo(cnx, true))],
      ['secure_connections', []],
    ],
  },
  {
    names: ['stat_reset', 'srst'],
    serverRequired: true,
    run: (view) => {
      view.stats.reset()
      view.tree.namespaceStats.reset()
      view.quorumStatus?.resetMetrics({ proposalSizes: false })
      return []
    },
  },
  {
    names: ['observers', 'obsr'],
    serverRequired: true,
    run: (view) => {
      const observers = view.quorumStatus?.observers()
      if (!observers) {
        return [
          ['synced_observers', 0],
          ['observers', []],
        ]
      }
      const handlers = observers.handlers.map(
        (h): JsonValue =>
          new Map<string, JsonValue>([
            ['remote_socket_address', h.remoteSocketAddress],
            ['sid', h.sid],
            ['established', h.establishedWallMs],
            ['queued_packets', h.queuedPackets],
            ['queued_packets_size', h.queuedPacketsSize],
            ['packets_received', h.packetsReceived],
            ['packets_sent', h.packetsSent],
            ['requests', h.requests],
            ['last_zxid', signedLong(h.lastZxid)],
          ]),
      )
      return [
        ['synced_observers', observers.synced],
        ['observers', handlers],
      ]
    },
  },
  {
    names: ['system_properties', 'sysp'],
    serverRequired: false,
    run: (view) => systemProperties(view),
  },
  {
    names: ['voting_view'],
    serverRequired: true,
    run: (view) => {
      const current = new Map<string, JsonValue>()
      for (const member of view.quorumStatus?.votingView() ?? []) {
        current.set(
          String(member.id),
          new Map<string, JsonValue>([
            ['server_addresses', member.serverAddresses],
            ['election_addresses', member.electionAddresses],
            ['client_address', member.clientAddress],
            ['learner_type', member.learnerType],
          ]),
        )
      }
      return [['current_config', current]]
    },
  },
  {
    names: ['watches', 'wchc'],
    serverRequired: true,
    run: (view) => {
      const watches = new Map<string, JsonValue>()
      for (const [sessionId, paths] of view.tree.watchesByConnection()) watches.set(String(signedLong(sessionId)), paths)
      return [['session_id_to_watched_paths', watches]]
    },
  },
  {
    names: ['watches_by_path', 'wchp'],
    serverRequired: true,
    run: (view) => {
      const watches = new Map<string, JsonValue>()
      for (const [path, sessionIds] of view.tree.watchesByPath()) watches.set(path, sessionIds.map(signedLong))
      return [['path_to_session_ids', watches]]
    },
  },
  {
    names: ['watch_summary', 'wchs'],
    serverRequired: true,
    run: (view) => {
      const summary = view.tree.watchSummary()
      return [
        ['num_connections', summary.connections],
        ['num_paths', summary.paths],
        ['num_total_watches', summary.totalWatches],
      ]
    },
  },
  {
    names: ['zabstate'],
    serverRequired: false,
    run: (view) => {
      const quorum = view.quorumStatus
      if (!quorum) {
        return [
          ['voting', false],
          ['zabstate', ''],
        ]
      }
      const zab = quorum.zabState()
      const zxid = view.tree.lastProcessedZxid
      return [
        ['myid', zab.myId],
        ['is_leader', zab.isLeader],
        ['quorum_address', multipleAddresses(zab.quorumAddress)],
        ['election_address', multipleAddresses(zab.electionAddress)],
        ['client_address', zab.clientAddress],
        ['voting', zab.voting],
        ['last_zxid', `0x${hexLong(zxid)}`],
        ['zab_epoch', Number(BigInt.asUintN(64, zxid) >> 32n)],
        ['zab_counter', Number(BigInt.asUintN(64, zxid) & 0xffffffffn)],
        ['zabstate', zab.zabState],
      ]
    },
  },
]

const COMMANDS_BY_NAME = new Map<string, AdminCommand>(COMMANDS.flatMap((command) => command.names.map((name): [string, AdminCommand] => [name, command])))

export const PRIMARY_COMMAND_NAMES: readonly string[] = COMMANDS.map((command) => command.names[0]!).sort()

/**
 * `Commands.runCommand` + `CommandResponse.toMap`: the command's fields, then "command" (its primary name) and
 * "error"; a field named "error" that the command set itself keeps its place and wins.
 */
export function runAdminCommand(view: AdminView, name: string, query: ReadonlyMap<string, string>): string {
  const command = COMMANDS_BY_NAME.get(name)
  if (command === undefined) return respond(name, [], `Unknown command: ${name}`)
  const primary = command.names[0]!
  if (command.serverRequired && !view.running) return respond(name, [], 'This ZooKeeper instance is not currently serving requests')
  return respond(primary, command.run(view, query), null)
}

function respond(command: string, fields: Fields, error: string | null): string {
  const map = new Map<string, JsonValue>(fields)
  const ownError = map.get('error')
  map.set('command', command)
  map.set('error', ownError === undefined ? error : ownError)
  return writeJackson(map)
}

/** Java's system properties have no Node counterpart; we list the environment's keys and the server's settings. */
function systemProperties(view: AdminView): Fields {
  const properties = new Map<string, string>(environmentEntries())
  for (const key of ['zookeeper.version', 'host.name', 'os.memory.free', 'os.memory.max', 'os.memory.total']) properties.delete(key)
  properties.set('file.encoding', 'UTF-8')
  properties.set('file.separator', '/')
  properties.set('line.separator', '\n')
  properties.set('path.separator', ':')
  for (const [key, value] of Object.entries(view.config.extraProperties)) properties.set(`zookeeper.${key}`, value)
  return [...properties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}
