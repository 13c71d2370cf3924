import { readFileSync, readdirSync } from 'node:fs'
import { javaBucketOf, javaStringHash } from '../tree/java-hash'
import type { NamespaceStats, NamespaceSummarySet } from '../tree/namespace-stats'
import { roundHalfUp4 } from './java-format'
import { type LatencyCounter, PercentileCounter, type ServerStats } from './server-stats'

/** Every key Apache 3.8 prints after zk_version and zk_server_state, in its order (`:d` marks a double). */
const KEYS = `
ephemerals_count num_alive_connections avg_latency:d outstanding_requests znode_count global_sessions
non_mtls_remote_conn_count last_client_response_size packets_sent packets_received max_client_response_size
connection_drop_probability:d watch_count auth_failed_count min_latency max_file_descriptor_count
approximate_data_size open_file_descriptor_count local_sessions uptime max_latency outstanding_tls_handshake
min_client_response_size non_mtls_local_conn_count proposal_count watch_bytes outstanding_changes_removed
throttled_ops stale_requests_dropped large_requests_rejected insecure_admin_count connection_rejected
cnxn_closed_without_zk_server_running sessionless_connections_expired looking_count dead_watchers_queued
stale_requests connection_drop_count learner_proposal_received_count digest_mismatches_count
dead_watchers_cleared response_packet_cache_hits bytes_received_count add_dead_watcher_stall_time
request_throttle_wait_count requests_not_forwarded_to_commit_processor response_packet_cache_misses
ensemble_auth_success prep_processor_request_queued learner_commit_received_count stale_replies
connection_request_count response_bytes ensemble_auth_fail diff_count
response_packet_get_children_cache_misses connection_revalidate_count quit_leading_due_to_disloyal_voter
snap_count unrecoverable_error_count unsuccessful_handshake commit_count stale_sessions_expired
response_packet_get_children_cache_hits sync_processor_request_queued outstanding_changes_queued
request_commit_queued ensemble_auth_skip skip_learner_request_to_next_processor_count tls_handshake_exceeded
revalidate_count avg_socket_closing_time:d min_socket_closing_time max_socket_closing_time
cnt_socket_closing_time sum_socket_closing_time avg_proposal_process_time:d min_proposal_process_time
max_proposal_process_time cnt_proposal_process_time sum_proposal_process_time avg_leader_unavailable_time:d
min_leader_unavailable_time max_leader_unavailable_time cnt_leader_unavailable_time
sum_leader_unavailable_time avg_node_created_watch_count:d min_node_created_watch_count
max_node_created_watch_count cnt_node_created_watch_count sum_node_created_watch_count
avg_session_queues_drained:d min_session_queues_drained max_session_queues_drained cnt_session_queues_drained
sum_session_queues_drained avg_write_commit_proc_req_queued:d min_write_commit_proc_req_queued
max_write_commit_proc_req_queued cnt_write_commit_proc_req_queued sum_write_commit_proc_req_queued
avg_connection_token_deficit:d min_connection_token_deficit max_connection_token_deficit
cnt_connection_token_deficit sum_connection_token_deficit avg_read_commit_proc_req_queued:d
min_read_commit_proc_req_queued max_read_commit_proc_req_queued cnt_read_commit_proc_req_queued
sum_read_commit_proc_req_queued avg_node_deleted_watch_count:d min_node_deleted_watch_count
max_node_deleted_watch_count cnt_node_deleted_watch_count sum_node_deleted_watch_count
avg_startup_txns_load_time:d min_startup_txns_load_time max_startup_txns_load_time cnt_startup_txns_load_time
sum_startup_txns_load_time avg_sync_processor_queue_size:d min_sync_processor_queue_size
max_sync_processor_queue_size cnt_sync_processor_queue_size sum_sync_processor_queue_size
avg_follower_sync_time:d min_follower_sync_time max_follower_sync_time cnt_follower_sync_time
sum_follower_sync_time avg_prep_processor_queue_size:d min_prep_processor_queue_size
max_prep_processor_queue_size cnt_prep_processor_queue_size sum_prep_processor_queue_size avg_fsynctime:d
min_fsynctime max_fsynctime cnt_fsynctime sum_fsynctime avg_inflight_snap_count:d min_inflight_snap_count
max_inflight_snap_count cnt_inflight_snap_count sum_inflight_snap_count avg_reads_issued_from_session_queue:d
min_reads_issued_from_session_queue max_reads_issued_from_session_queue cnt_reads_issued_from_session_queue
sum_reads_issued_from_session_queue avg_learner_request_processor_queue_size:d
min_learner_request_processor_queue_size max_learner_request_processor_queue_size
cnt_learner_request_processor_queue_size sum_learner_request_processor_queue_size avg_snapshottime:d
min_snapshottime max_snapshottime cnt_snapshottime sum_snapshottime avg_unavailable_time:d
min_unavailable_time max_unavailable_time cnt_unavailable_time sum_unavailable_time avg_startup_txns_loaded:d
min_startup_txns_loaded max_startup_txns_loaded cnt_startup_txns_loaded sum_startup_txns_loaded
avg_reads_after_write_in_session_queue:d min_reads_after_write_in_session_queue
max_reads_after_write_in_session_queue cnt_reads_after_write_in_session_queue
sum_reads_after_write_in_session_queue avg_requests_in_session_queue:d min_requests_in_session_queue
max_requests_in_session_queue cnt_requests_in_session_queue sum_requests_in_session_queue
avg_write_commit_proc_issued:d min_write_commit_proc_issued max_write_commit_proc_issued
cnt_write_commit_proc_issued sum_write_commit_proc_issued avg_prep_process_time:d min_prep_process_time
max_prep_process_time cnt_prep_process_time sum_prep_process_time avg_pending_session_queue_size:d
min_pending_session_queue_size max_pending_session_queue_size cnt_pending_session_queue_size
sum_pending_session_queue_size avg_time_waiting_empty_pool_in_commit_processor_read_ms:d
min_time_waiting_empty_pool_in_commit_processor_read_ms
max_time_waiting_empty_pool_in_commit_processor_read_ms
cnt_time_waiting_empty_pool_in_commit_processor_read_ms
sum_time_waiting_empty_pool_in_commit_processor_read_ms avg_commit_process_time:d min_commit_process_time
max_commit_process_time cnt_commit_process_time sum_commit_process_time avg_dbinittime:d min_dbinittime
max_dbinittime cnt_dbinittime sum_dbinittime avg_inflight_diff_count:d min_inflight_diff_count
max_inflight_diff_count cnt_inflight_diff_count sum_inflight_diff_count avg_netty_queued_buffer_capacity:d
min_netty_queued_buffer_capacity max_netty_queued_buffer_capacity cnt_netty_queued_buffer_capacity
sum_netty_queued_buffer_capacity avg_election_time:d min_election_time max_election_time cnt_election_time
sum_election_time avg_commit_commit_proc_req_queued:d min_commit_commit_proc_req_queued
max_commit_commit_proc_req_queued cnt_commit_commit_proc_req_queued sum_commit_commit_proc_req_queued
avg_sync_processor_batch_size:d min_sync_processor_batch_size max_sync_processor_batch_size
cnt_sync_processor_batch_size sum_sync_processor_batch_size avg_node_children_watch_count:d
min_node_children_watch_count max_node_children_watch_count cnt_node_children_watch_count
sum_node_children_watch_count avg_write_batch_time_in_commit_processor:d
min_write_batch_time_in_commit_processor max_write_batch_time_in_commit_processor
cnt_write_batch_time_in_commit_processor sum_write_batch_time_in_commit_processor
avg_read_commit_proc_issued:d min_read_commit_proc_issued max_read_commit_proc_issued
cnt_read_commit_proc_issued sum_read_commit_proc_issued
avg_concurrent_request_processing_in_commit_processor:d min_concurrent_request_processing_in_commit_processor
max_concurrent_request_processing_in_commit_processor cnt_concurrent_request_processing_in_commit_processor
sum_concurrent_request_processing_in_commit_processor avg_observer_sync_time:d min_observer_sync_time
max_observer_sync_time cnt_observer_sync_time sum_observer_sync_time avg_node_changed_watch_count:d
min_node_changed_watch_count max_node_changed_watch_count cnt_node_changed_watch_count
sum_node_changed_watch_count avg_sync_process_time:d min_sync_process_time max_sync_process_time
cnt_sync_process_time sum_sync_process_time avg_startup_snap_load_time:d min_startup_snap_load_time
max_startup_snap_load_time cnt_startup_snap_load_time sum_startup_snap_load_time
avg_prep_processor_queue_time_ms:d min_prep_processor_queue_time_ms max_prep_processor_queue_time_ms
cnt_prep_processor_queue_time_ms sum_prep_processor_queue_time_ms p50_prep_processor_queue_time_ms
p95_prep_processor_queue_time_ms p99_prep_processor_queue_time_ms p999_prep_processor_queue_time_ms
avg_jvm_pause_time_ms:d min_jvm_pause_time_ms max_jvm_pause_time_ms cnt_jvm_pause_time_ms
sum_jvm_pause_time_ms p50_jvm_pause_time_ms p95_jvm_pause_time_ms p99_jvm_pause_time_ms p999_jvm_pause_time_ms
avg_close_session_prep_time:d min_close_session_prep_time max_close_session_prep_time
cnt_close_session_prep_time sum_close_session_prep_time p50_close_session_prep_time
p95_close_session_prep_time p99_close_session_prep_time p999_close_session_prep_time
avg_read_commitproc_time_ms:d min_read_commitproc_time_ms max_read_commitproc_time_ms
cnt_read_commitproc_time_ms sum_read_commitproc_time_ms p50_read_commitproc_time_ms
p95_read_commitproc_time_ms p99_read_commitproc_time_ms p999_read_commitproc_time_ms avg_updatelatency:d
min_updatelatency max_updatelatency cnt_updatelatency sum_updatelatency p50_updatelatency p95_updatelatency
p99_updatelatency p999_updatelatency avg_local_write_committed_time_ms:d min_local_write_committed_time_ms
max_local_write_committed_time_ms cnt_local_write_committed_time_ms sum_local_write_committed_time_ms
p50_local_write_committed_time_ms p95_local_write_committed_time_ms p99_local_write_committed_time_ms
p999_local_write_committed_time_ms avg_request_throttle_queue_time_ms:d min_request_throttle_queue_time_ms
max_request_throttle_queue_time_ms cnt_request_throttle_queue_time_ms sum_request_throttle_queue_time_ms
p50_request_throttle_queue_time_ms p95_request_throttle_queue_time_ms p99_request_throttle_queue_time_ms
p999_request_throttle_queue_time_ms avg_readlatency:d min_readlatency max_readlatency cnt_readlatency
sum_readlatency p50_readlatency p95_readlatency p99_readlatency p999_readlatency avg_quorum_ack_latency:d
min_quorum_ack_latency max_quorum_ack_latency cnt_quorum_ack_latency sum_quorum_ack_latency
p50_quorum_ack_latency p95_quorum_ack_latency p99_quorum_ack_latency p999_quorum_ack_latency
avg_om_commit_process_time_ms:d min_om_commit_process_time_ms max_om_commit_process_time_ms
cnt_om_commit_process_time_ms sum_om_commit_process_time_ms p50_om_commit_process_time_ms
p95_om_commit_process_time_ms p99_om_commit_process_time_ms p999_om_commit_process_time_ms
avg_read_final_proc_time_ms:d min_read_final_proc_time_ms max_read_final_proc_time_ms
cnt_read_final_proc_time_ms sum_read_final_proc_time_ms p50_read_final_proc_time_ms
p95_read_final_proc_time_ms p99_read_final_proc_time_ms p999_read_final_proc_time_ms
avg_commit_propagation_latency:d min_commit_propagation_latency max_commit_propagation_latency
cnt_commit_propagation_latency sum_commit_propagation_latency p50_commit_propagation_latency
p95_commit_propagation_latency p99_commit_propagation_latency p999_commit_propagation_latency
avg_dead_watchers_cleaner_latency:d min_dead_watchers_cleaner_latency max_dead_watchers_cleaner_latency
cnt_dead_watchers_cleaner_latency sum_dead_watchers_cleaner_latency p50_dead_watchers_cleaner_latency
p95_dead_watchers_cleaner_latency p99_dead_watchers_cleaner_latency p999_dead_watchers_cleaner_latency
avg_write_final_proc_time_ms:d min_write_final_proc_time_ms max_write_final_proc_time_ms
cnt_write_final_proc_time_ms sum_write_final_proc_time_ms p50_write_final_proc_time_ms
p95_write_final_proc_time_ms p99_write_final_proc_time_ms p999_write_final_proc_time_ms
avg_proposal_ack_creation_latency:d min_proposal_ack_creation_latency max_proposal_ack_creation_latency
cnt_proposal_ack_creation_latency sum_proposal_ack_creation_latency p50_proposal_ack_creation_latency
p95_proposal_ack_creation_latency p99_proposal_ack_creation_latency p999_proposal_ack_creation_latency
avg_proposal_latency:d min_proposal_latency max_proposal_latency cnt_proposal_latency sum_proposal_latency
p50_proposal_latency p95_proposal_latency p99_proposal_latency p999_proposal_latency
avg_om_proposal_process_time_ms:d min_om_proposal_process_time_ms max_om_proposal_process_time_ms
cnt_om_proposal_process_time_ms sum_om_proposal_process_time_ms p50_om_proposal_process_time_ms
p95_om_proposal_process_time_ms p99_om_proposal_process_time_ms p999_om_proposal_process_time_ms
avg_sync_processor_queue_and_flush_time_ms:d min_sync_processor_queue_and_flush_time_ms
max_sync_processor_queue_and_flush_time_ms cnt_sync_processor_queue_and_flush_time_ms
sum_sync_processor_queue_and_flush_time_ms p50_sync_processor_queue_and_flush_time_ms
p95_sync_processor_queue_and_flush_time_ms p99_sync_processor_queue_and_flush_time_ms
p999_sync_processor_queue_and_flush_time_ms avg_propagation_latency:d min_propagation_latency
max_propagation_latency cnt_propagation_latency sum_propagation_latency p50_propagation_latency
p95_propagation_latency p99_propagation_latency p999_propagation_latency avg_server_write_committed_time_ms:d
min_server_write_committed_time_ms max_server_write_committed_time_ms cnt_server_write_committed_time_ms
sum_server_write_committed_time_ms p50_server_write_committed_time_ms p95_server_write_committed_time_ms
p99_server_write_committed_time_ms p999_server_write_committed_time_ms avg_sync_processor_queue_time_ms:d
min_sync_processor_queue_time_ms max_sync_processor_queue_time_ms cnt_sync_processor_queue_time_ms
sum_sync_processor_queue_time_ms p50_sync_processor_queue_time_ms p95_sync_processor_queue_time_ms
p99_sync_processor_queue_time_ms p999_sync_processor_queue_time_ms avg_sync_processor_queue_flush_time_ms:d
min_sync_processor_queue_flush_time_ms max_sync_processor_queue_flush_time_ms
cnt_sync_processor_queue_flush_time_ms sum_sync_processor_queue_flush_time_ms
p50_sync_processor_queue_flush_time_ms p95_sync_processor_queue_flush_time_ms
p99_sync_processor_queue_flush_time_ms p999_sync_processor_queue_flush_time_ms avg_write_commitproc_time_ms:d
min_write_commitproc_time_ms max_write_commitproc_time_ms cnt_write_commitproc_time_ms
sum_write_commitproc_time_ms p50_write_commitproc_time_ms p95_write_commitproc_time_ms
p99_write_commitproc_time_ms p999_write_commitproc_time_ms`

export interface MntrKey {
  readonly name: string
  readonly double: boolean
}

export const MNTR_KEYS: readonly MntrKey[] = KEYS.trim()
  .split(/\s+/)
  .map((token) => (token.endsWith(':d') ? { name: token.slice(0, -2), double: true } : { name: token, double: false }))

/** One mntr line: key (without `zk_`), value, and whether Apache prints it as a double. */
export type MonitorEntry = [name: string, value: string | number, double: boolean]

/** The gauges every server registers (`ZooKeeperServer.registerMetrics`): the head of MNTR_KEYS, up to the counters. */
export const STANDALONE_GAUGE_COUNT = MNTR_KEYS.findIndex((key) => key.name === 'proposal_count')

/** Apache's gauges live in a ConcurrentHashMap that has grown to 64 bins by the time the standalone ones are in. */
const GAUGE_TABLE_BINS = 64
const gaugeOrders = new Map<string, readonly MntrKey[]>()

/**
 * The gauge keys in the order mntr prints them when a role registers `extra` gauges (in registration order) after
 * the standalone ones: each goes to its bin of the 64-bin table, after the keys already there. (A member that
 * re-registers its gauges after a new election may order colliding standalone keys differently in Apache.)
 */
export function gaugeOrder(extra: readonly string[]): readonly MntrKey[] {
  const cacheKey = extra.join(' ')
  const known = gaugeOrders.get(cacheKey)
  if (known !== undefined) return known
  const order: Array<{ key: MntrKey; bin: number }> = MNTR_KEYS.slice(0, STANDALONE_GAUGE_COUNT).map((key) => ({ key, bin: binOf(key.name) }))
  for (const name of extra) {
    const bin = binOf(name)
    const at = order.findIndex((entry) => entry.bin > bin)
    const entry = { key: { name, double: false }, bin }
    if (at < 0) order.push(entry)
    else order.splice(at, 0, entry)
  }
  const keys = order.map((entry) => entry.key)
  gaugeOrders.set(cacheKey, keys)
  return keys
}

function binOf(name: string): number {
  return javaBucketOf(javaStringHash(name), GAUGE_TABLE_BINS)
}

/** A summary's mntr lines: avg (double), min, max, cnt, sum, and p50…p999 for an advanced one. */
export function summaryEntries(name: string, counter: LatencyCounter): MonitorEntry[] {
  const entries: MonitorEntry[] = [
    [`avg_${name}`, counter.average, true],
    [`min_${name}`, counter.minimum, false],
    [`max_${name}`, counter.maximum, false],
    [`cnt_${name}`, counter.samples, false],
    [`sum_${name}`, counter.sum, false],
  ]
  if (counter instanceof PercentileCounter) {
    entries.push(
      [`p50_${name}`, counter.percentile(0.5), false],
      [`p95_${name}`, counter.percentile(0.95), false],
      [`p99_${name}`, counter.percentile(0.99), false],
      [`p999_${name}`, counter.percentile(0.999), false],
    )
  }
  return entries
}

/** What the monitor needs to know about the server. */
export interface MonitorSource {
  readonly stats: ServerStats
  readonly outstandingRequests: number
  connectionCount(): number
  znodeCount(): number
  watchCount(): number
  ephemeralsCount(): number
  approximateDataSize(): number
  globalSessions(): number
  /** Sessions that live on this member only (local sessions of an ensemble member). */
  localSessions?(): number
  uptimeMs(): number
}

/** The values we track, by key; every other key of Apache's list prints as 0 of its type. */
export function monitorValues(source: MonitorSource): Map<string, number> {
  const { stats } = source
  const values = new Map<string, number>([
    ['ephemerals_count', source.ephemeralsCount()],
    ['num_alive_connections', source.connectionCount()],
    ['avg_latency', stats.requestLatency.average],
    ['min_latency', stats.requestLatency.minimum],
    ['max_latency', stats.requestLatency.maximum],
    ['outstanding_requests', source.outstandingRequests],
    ['znode_count', source.znodeCount()],
    ['global_sessions', source.globalSessions()],
    ['local_sessions', source.localSessions?.() ?? 0],
    ['last_client_response_size', stats.clientResponse.last],
    ['min_client_response_size', stats.clientResponse.min],
    ['max_client_response_size', stats.clientResponse.max],
    ['packets_sent', stats.packetsSent],
    ['packets_received', stats.packetsReceived],
    ['watch_count', source.watchCount()],
    ['auth_failed_count', stats.authFailedCount],
    ['approximate_data_size', source.approximateDataSize()],
    ['uptime', source.uptimeMs()],
    ['open_file_descriptor_count', openFileDescriptors()],
    ['max_file_descriptor_count', maxFileDescriptors()],
    ['bytes_received_count', stats.bytesReceived],
    ['response_bytes', stats.responseBytes],
    ['connection_request_count', stats.connectionRequests],
    ['connection_rejected', stats.connectionRejected],
    ['connection_revalidate_count', stats.connectionRevalidations],
    ['connection_drop_count', stats.connectionDrops],
    ['stale_sessions_expired', stats.staleSessionsExpired],
    ['sessionless_connections_expired', stats.sessionlessConnectionsExpired],
    ['commit_count', stats.commitCount],
    ['digest_mismatches_count', stats.digestMismatches],
  ])
  addSummary(values, 'readlatency', stats.readLatency)
  addSummary(values, 'updatelatency', stats.updateLatency)
  addSummary(values, 'fsynctime', stats.fsyncTimeMs)
  addSummary(values, 'sync_processor_batch_size', stats.syncBatchSize)
  return values
}

/**
 * The per-namespace summaries, which Apache prints after every key of MNTR_KEYS: its summary sets come last, and of
 * those only read_per_namespace and write_per_namespace (in that order, their map's) have entries on a standalone
 * server. Each namespace gives avg (a double), min, max, cnt and sum, as `<stat>_<namespace>_<set name>`.
 */
export function namespaceEntries(stats: NamespaceStats): Array<[string, number, boolean]> {
  const entries: Array<[string, number, boolean]> = []
  addNamespaceSet(entries, stats.reads, 'read_per_namespace')
  addNamespaceSet(entries, stats.writes, 'write_per_namespace')
  return entries
}

function addNamespaceSet(entries: Array<[string, number, boolean]>, set: NamespaceSummarySet, setName: string): void {
  for (const summary of set.summaries()) {
    const name = `${summary.namespace}_${setName}`
    const empty = summary.count === 0
    entries.push([`avg_${name}`, empty ? 0 : roundHalfUp4(summary.sum / summary.count), true])
    entries.push([`min_${name}`, empty ? 0 : summary.min, false])
    entries.push([`max_${name}`, empty ? 0 : summary.max, false])
    entries.push([`cnt_${name}`, summary.count, false])
    entries.push([`sum_${name}`, summary.sum, false])
  }
}

function addSummary(values: Map<string, number>, name: string, counter: ServerStats['readLatency']): void {
  values.set(`avg_${name}`, counter.average)
  values.set(`min_${name}`, counter.minimum)
  values.set(`max_${name}`, counter.maximum)
  values.set(`cnt_${name}`, counter.samples)
  values.set(`sum_${name}`, counter.sum)
}

function openFileDescriptors(): number {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return 0
  }
}

function maxFileDescriptors(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8')
    const match = /^Max open files\s+(\d+)/m.exec(limits)
    return match?.[1] === undefined ? 0 : Number(match[1])
  } catch {
    return 0
  }
}
