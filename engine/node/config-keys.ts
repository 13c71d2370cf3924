/**
 * What each zoo.cfg key means to ZooDesk. Apache's QuorumPeerConfig.parseProperties handles a fixed list of keys
 * itself ("direct" keys) and turns every other key K into the Java system property `zookeeper.K`; the rest of the
 * server reads those properties. We accept a system property by its bare name (without `zookeeper.`) from both
 * zoo.cfg and `-D` flags, so `snapCount`, `zookeeper.snapCount` and `-Dzookeeper.snapCount` are one setting.
 */

/** Keys QuorumPeerConfig.parseProperties reads itself (plus the server./group/weight/metricsProvider. prefixes). */
export const DIRECT_KEYS: ReadonlySet<string> = new Set([
  'dataDir',
  'dataLogDir',
  'clientPort',
  'localSessionsEnabled',
  'localSessionsUpgradingEnabled',
  'clientPortAddress',
  'secureClientPort',
  'secureClientPortAddress',
  'observerMasterPort',
  'clientPortListenBacklog',
  'tickTime',
  'maxClientCnxns',
  'minSessionTimeout',
  'maxSessionTimeout',
  'initLimit',
  'syncLimit',
  'connectToLearnerMasterLimit',
  'electionAlg',
  'quorumListenOnAllIPs',
  'peerType',
  'syncEnabled',
  'dynamicConfigFile',
  'autopurge.snapRetainCount',
  'autopurge.purgeInterval',
  'standaloneEnabled',
  'reconfigEnabled',
  'sslQuorum',
  'portUnification',
  'sslQuorumReloadCertFiles',
  'quorum.auth.enableSasl',
  'quorum.auth.serverRequireSasl',
  'quorum.auth.learnerRequireSasl',
  'quorum.auth.learner.saslLoginContext',
  'quorum.auth.server.saslLoginContext',
  'quorum.auth.kerberos.servicePrincipal',
  'quorum.cnxn.threads.size',
  'jvm.pause.info-threshold.ms',
  'jvm.pause.warn-threshold.ms',
  'jvm.pause.sleep.time.ms',
  'jvm.pause.monitor',
  'metricsProvider.className',
  'multiAddress.enabled',
  'multiAddress.reachabilityCheckTimeoutMs',
  'multiAddress.reachabilityCheckEnabled',
  'oraclePath',
])

/** Direct keys whose value Apache parses as a Java int / a strict boolean (errors for anything else). */
export const DIRECT_INT_KEYS: ReadonlySet<string> = new Set([
  'clientPort',
  'secureClientPort',
  'observerMasterPort',
  'clientPortListenBacklog',
  'tickTime',
  'maxClientCnxns',
  'minSessionTimeout',
  'maxSessionTimeout',
  'initLimit',
  'syncLimit',
  'connectToLearnerMasterLimit',
  'electionAlg',
  'autopurge.snapRetainCount',
  'autopurge.purgeInterval',
  'quorum.cnxn.threads.size',
  'multiAddress.reachabilityCheckTimeoutMs',
])
export const DIRECT_LONG_KEYS: ReadonlySet<string> = new Set([
  'jvm.pause.info-threshold.ms',
  'jvm.pause.warn-threshold.ms',
  'jvm.pause.sleep.time.ms',
])
export const DIRECT_BOOLEAN_KEYS: ReadonlySet<string> = new Set([
  'localSessionsEnabled',
  'localSessionsUpgradingEnabled',
  'quorumListenOnAllIPs',
  'syncEnabled',
  'standaloneEnabled',
  'reconfigEnabled',
  'sslQuorum',
  'portUnification',
  'sslQuorumReloadCertFiles',
  'quorum.auth.enableSasl',
  'quorum.auth.serverRequireSasl',
  'quorum.auth.learnerRequireSasl',
  'jvm.pause.monitor',
  'multiAddress.enabled',
  'multiAddress.reachabilityCheckEnabled',
])

/**
 * System properties ZooDesk acts on, by bare name. A `-D` flag or zoo.cfg key with or without `zookeeper.` reaches
 * the same setting. `reconfigEnabled`/`standaloneEnabled` are direct zoo.cfg keys in Apache; we also take them as
 * properties, and the zoo.cfg key wins.
 */
export const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set([
  '4lw.commands.whitelist',
  'admin.enableServer',
  'admin.serverAddress',
  'admin.serverPort',
  'admin.commandURL',
  'extendedTypesEnabled',
  'znode.container.checkIntervalMs',
  'znode.container.maxPerMinute',
  'znode.container.maxNeverUsedIntervalMs',
  'jute.maxbuffer',
  'readonlymode.enabled',
  'DigestAuthenticationProvider.superDigest',
  'snapCount',
  'snapSizeLimitInKb',
  'skipACL',
  'enforceQuota',
  'digest.enabled',
  'forceSync',
  'preAllocSize',
  'globalOutstandingLimit',
  'maxCnxns',
  'reconfigEnabled',
  'standaloneEnabled',
])

export function bareName(name: string): string {
  return name.startsWith('zookeeper.') ? name.slice('zookeeper.'.length) : name
}

/**
 * Apache settings that change what clients or peers observe and that ZooDesk does not implement. Present with a
 * value other than Apache's default (when one is given here) → a warning, so nobody believes they are on.
 */
const UNSUPPORTED: ReadonlyArray<{ name: string; harmlessValue?: string; prefix?: boolean }> = [
  { name: 'secureClientPort' },
  { name: 'secureClientPortAddress' },
  { name: 'observerMasterPort' },
  { name: 'oraclePath' },
  { name: 'sslQuorum', harmlessValue: 'false' },
  { name: 'portUnification', harmlessValue: 'false' },
  { name: 'quorum.auth.enableSasl', harmlessValue: 'false' },
  { name: 'multiAddress.enabled', harmlessValue: 'false' },
  { name: 'leaderServes', harmlessValue: 'yes' },
  { name: 'emulate353TTLNodes', harmlessValue: 'false' },
  { name: 'snapshot.compression.method' },
  { name: 'DigestAuthenticationProvider.enabled', harmlessValue: 'true' },
  { name: 'DigestAuthenticationProvider.digestAlg', harmlessValue: 'SHA1' },
  { name: 'X509AuthenticationProvider.superUser' },
  { name: 'superUser' },
  { name: 'ensembleAuthName' },
  { name: 'sessionRequireClientSASLAuth', harmlessValue: 'false' },
  { name: 'enforce.auth.enabled', harmlessValue: 'false' },
  { name: 'enforce.auth.schemes' },
  { name: 'admin.forceHttps', harmlessValue: 'false' },
  { name: 'admin.portUnification', harmlessValue: 'false' },
  { name: 'client.portUnification', harmlessValue: 'false' },
  { name: 'fips-mode', harmlessValue: 'true' },
  { name: 'ssl.', prefix: true },
  { name: 'authProvider.', prefix: true },
  { name: 'authProvider' },
]

/**
 * Apache settings that tune threads, caches, logging, metrics or timing inside the JVM server. They change nothing
 * a client can observe, so ZooDesk keeps them in extraProperties without a warning.
 */
const QUIET_NAMES: ReadonlySet<string> = new Set([
  'version',
  'connectToLearnerMasterLimit',
  'syncEnabled',
  'quorumListenOnAllIPs',
  'sslQuorumReloadCertFiles',
  'quorum.auth.serverRequireSasl',
  'quorum.auth.learnerRequireSasl',
  'quorum.auth.learner.saslLoginContext',
  'quorum.auth.server.saslLoginContext',
  'quorum.auth.kerberos.servicePrincipal',
  'quorum.cnxn.threads.size',
  'commitLogCount',
  'txnLogSizeLimitInKb',
  'fsync.warningthresholdms',
  'maxResponseCacheSize',
  'maxGetChildrenResponseCacheSize',
  'watchManagerName',
  'maxInProcessingDeadWatchers',
  'bitHashCacheSize',
  'serverCnxnFactory',
  'flushDelay',
  'maxWriteQueuePollTime',
  'maxBatchSize',
  'enableEagerACLCheck',
  'electionPortBindRetry',
  'cnxTimeout',
  'quorumCnxnTimeoutMs',
  'tcpKeepAlive',
  'clientTcpKeepAlive',
  'jute.maxbuffer.extrasize',
  'snapshot.trust.empty',
  'throttled_op_wait_time',
  'largeRequestMaxBytes',
  'largeRequestThreshold',
  'closeSessionTxn.enabled',
  'datadir.autocreate',
  'db.autocreate',
  'admin.idleTimeout',
  'admin.httpVersion',
  'log.dir',
  'log.file',
  'root.logger',
  'console.threshold',
  'log.threshold',
  'tracelog.dir',
  'tracelog.file',
  'jmx.log4j.disable',
  'forward_learner_requests_to_commit_processor_disabled',
  'requestThrottleLimit',
  'requestThrottleStallTime',
  'requestThrottleDropStale',
  'requestStaleLatencyCheck',
  'requestStaleConnectionCheck',
  'advancedFlowControlEnabled',
  'maxConcurrentSnapSyncs',
  'maxConcurrentDiffSyncs',
  'maxTimeToWaitForEpoch',
  'outstandingHandshake.limit',
  'client.certReload',
])
const QUIET_PREFIXES: readonly string[] = [
  'metricsProvider.',
  'jvm.pause.',
  'multiAddress.reachabilityCheck',
  'watcherClean',
  'fastleader.',
  'connection_throttle_',
  'connection',
  'request_throttle',
  'request_stale',
  'nio.',
  'netty.',
  'commitProcessor.',
  'messageTracker.',
  'learner.',
  'leader.',
  'follower.',
  'observer.',
  'audit.',
  'kerberos.',
]

export type KeyKind = 'quiet' | 'unsupported' | 'harmless-default' | 'unknown'

/** How to treat a key ZooDesk does not act on (bare name, value already trimmed). */
export function classifyIgnoredKey(name: string, value: string): KeyKind {
  for (const entry of UNSUPPORTED) {
    const matches = entry.prefix === true ? name.startsWith(entry.name) : name === entry.name
    if (!matches) continue
    if (entry.harmlessValue !== undefined && value.toLowerCase() === entry.harmlessValue.toLowerCase()) {
      return 'harmless-default'
    }
    return 'unsupported'
  }
  if (QUIET_NAMES.has(name)) return 'quiet'
  if (QUIET_PREFIXES.some((prefix) => name.startsWith(prefix))) return 'quiet'
  return 'unknown'
}
