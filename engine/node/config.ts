/**
 * zoo.cfg (+ Java system properties) → MemberConfig, with Apache 3.8's defaults and checks
 * (QuorumPeerConfig.parseProperties, setupQuorumPeerConfig, checkValidity; ZooKeeperServer, FileTxnLog,
 * FourLetterCommands, JettyAdminServer for the properties). Pure: files (myid, dynamicConfigFile) come through
 * `readFile`.
 *
 * Precedence, as in Apache: a zoo.cfg key that is not one of QuorumPeerConfig's own keys becomes the system
 * property `zookeeper.<key>` when the file is parsed, overwriting a `-D` of that name given to the JVM; so
 * zoo.cfg wins over JVMFLAGS/SERVER_JVMFLAGS/`-D` (checked on Apache 3.8.0: `-Dzookeeper.4lw.commands.whitelist=ruok`
 * with `4lw.commands.whitelist=conf` in zoo.cfg enables conf, not ruok). QuorumPeerConfig's own keys (tickTime,
 * dataDir, server.N …) are zoo.cfg-only; a `-D` of those names is ignored, as the JVM would.
 *
 * Deliberate differences, all stricter or friendlier, never a different meaning for a valid file:
 * - a bad number in a system property is an error (Apache's Integer.getInteger silently uses the default);
 * - property names are accepted with or without `zookeeper.` from both sources (Apache reads `jute.maxbuffer`,
 *   `readonlymode.enabled` and `znode.container.*` only as `-D`, without the prefix);
 * - a missing clientPort means 2181 with a warning (Apache opens no client port at all);
 * - server ids above 255 are rejected (the id is the top byte of session ids); trailing blanks in server.N and
 *   myid are tolerated; hierarchical quorums (group/weight) and multi-address servers are rejected as unsupported.
 */
import type { MemberConfig } from './config-types'
import { ConfigError, configError, describeOrigin } from './config-error'
import { type ParseMemberConfigInput, SettingReader, buildLayers, checkDirectTypes, noteIgnoredKey } from './config-layers'
import { applyMembership } from './config-membership'
import { type Setting, parseJavaInt, parsePort } from './config-values'

export type { ParseMemberConfigInput } from './config-layers'

export interface ParsedMemberConfig {
  config: MemberConfig
  /** Things a user should see at startup: unknown or unsupported keys, values Apache ignores, odd ensembles. */
  warnings: string[]
}

/** Every four-letter word Apache 3.8 knows (FourLetterCommands.cmd2String): what `*` in the whitelist expands to. */
export const FOUR_LETTER_WORDS: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst',
  'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash',
]

const DEFAULT_TICK_TIME_MS = 3000
const MIN_SNAP_RETAIN_COUNT = 3

/** Apache's defaults for everything but dataDir: a starting point for code and tests that build configs by hand. */
export function defaultMemberConfig(dataDir: string): MemberConfig {
  return {
    tickTimeMs: DEFAULT_TICK_TIME_MS,
    initLimitTicks: 0,
    syncLimitTicks: 0,
    dataDir,
    dataLogDir: dataDir,
    clientPort: 2181,
    clientPortAddress: '0.0.0.0',
    clientPortListenBacklog: -1,
    maxClientCnxns: 60,
    maxCnxns: 0,
    minSessionTimeoutMs: 2 * DEFAULT_TICK_TIME_MS,
    maxSessionTimeoutMs: 20 * DEFAULT_TICK_TIME_MS,
    snapCount: 100000,
    snapSizeLimitBytes: 4194304 * 1024,
    preAllocSizeBytes: 65536 * 1024,
    forceSync: true,
    globalOutstandingLimit: 1000,
    autopurgeSnapRetainCount: MIN_SNAP_RETAIN_COUNT,
    autopurgePurgeIntervalHours: 0,
    fourLetterWordWhitelist: new Set(['srvr']),
    adminEnableServer: true,
    adminServerAddress: '0.0.0.0',
    adminServerPort: 8080,
    adminCommandUrl: '/commands',
    extendedTypesEnabled: false,
    containerCheckIntervalMs: 60000,
    containerMaxPerMinute: 10000,
    containerMaxNeverUsedIntervalMs: 0,
    juteMaxBufferBytes: 0xfffff,
    readOnlyModeEnabled: false,
    localSessionsEnabled: false,
    localSessionsUpgradingEnabled: false,
    skipACL: false,
    enforceQuota: false,
    digestEnabled: true,
    reconfigEnabled: false,
    standaloneEnabled: true,
    electionAlg: 3,
    servers: [],
    myId: 0,
    peerType: 'participant',
    extraProperties: {},
  }
}

function fourLetterWordWhitelist(read: SettingReader): Set<string> {
  const whitelist = new Set<string>()
  const text = read.systemText('4lw.commands.whitelist')
  if (text !== undefined) {
    for (const item of text.split(',')) {
      const word = item.trim()
      if (word === '*') {
        for (const known of FOUR_LETTER_WORDS) whitelist.add(known)
        break
      }
      if (word !== '') whitelist.add(word)
    }
  }
  // FourLetterCommands.isEnabled compares with the exact string "true" here (QuorumPeer uses Boolean.getBoolean).
  if (read.systemText('readonlymode.enabled') === 'true') whitelist.add('isro')
  whitelist.add('srvr') // zkServer.sh status depends on it
  return whitelist
}

/** Settings that come from Java system properties (or zoo.cfg keys turned into them). */
function applySystemProperties(config: MemberConfig, read: SettingReader): void {
  const snapCount = read.systemInt('snapCount', config.snapCount)
  if (snapCount < 2) read.warn(read.system('snapCount') as Setting, 'snapCount must be 2 or more; using 2')
  config.snapCount = Math.max(2, snapCount)
  config.snapSizeLimitBytes = read.systemLong('snapSizeLimitInKb', 4194304) * 1024
  config.preAllocSizeBytes = read.systemLong('preAllocSize', 65536) * 1024
  config.globalOutstandingLimit = read.systemInt('globalOutstandingLimit', config.globalOutstandingLimit)
  const maxCnxns = read.systemInt('maxCnxns', 0)
  if (maxCnxns < 0) read.warn(read.system('maxCnxns') as Setting, 'must be 0 (unlimited) or more; using 0')
  config.maxCnxns = Math.max(0, maxCnxns)
  config.forceSync = !(read.systemExactWord('forceSync', 'no', 'yes') ?? false)
  config.skipACL = read.systemExactWord('skipACL', 'yes', 'no') ?? false
  config.enforceQuota = read.systemLooseBoolean('enforceQuota', false)
  config.digestEnabled = read.systemLooseBoolean('digest.enabled', true)
  config.extendedTypesEnabled = read.systemLooseBoolean('extendedTypesEnabled', false)
  config.readOnlyModeEnabled = read.systemLooseBoolean('readonlymode.enabled', false)
  config.juteMaxBufferBytes = read.systemInt('jute.maxbuffer', config.juteMaxBufferBytes, 1)
  config.containerCheckIntervalMs = read.systemInt('znode.container.checkIntervalMs', config.containerCheckIntervalMs, 1)
  config.containerMaxPerMinute = read.systemInt('znode.container.maxPerMinute', config.containerMaxPerMinute, 1)
  config.containerMaxNeverUsedIntervalMs = read.systemLong('znode.container.maxNeverUsedIntervalMs', 0)
  const superDigest = read.systemText('DigestAuthenticationProvider.superDigest')
  if (superDigest !== undefined && superDigest !== '') config.superDigest = superDigest
  config.fourLetterWordWhitelist = fourLetterWordWhitelist(read)
  // AdminServerFactory: only the exact string "false" turns the AdminServer off.
  config.adminEnableServer = !(read.systemExactWord('admin.enableServer', 'false', 'true') ?? false)
  config.adminServerAddress = read.systemText('admin.serverAddress') ?? config.adminServerAddress
  config.adminServerPort = read.systemInt('admin.serverPort', config.adminServerPort, 0, 65535)
  config.adminCommandUrl = read.systemText('admin.commandURL') ?? config.adminCommandUrl
  // Direct zoo.cfg keys in Apache; as properties they are our extension, and the zoo.cfg key wins below.
  config.reconfigEnabled = read.systemLooseBoolean('reconfigEnabled', false)
  config.standaloneEnabled = read.systemLooseBoolean('standaloneEnabled', true)
}

function requireDataDir(read: SettingReader, configPath: string | undefined): string {
  const setting = read.direct('dataDir')
  if (setting === undefined) {
    throw new ConfigError(`${configPath ?? 'zoo.cfg'}: dataDir is not set (every member needs one)`, 'dataDir')
  }
  if (setting.value === '') throw configError(setting.origin, 'dataDir', 'the path is empty')
  return setting.value
}

function warnIfRelative(read: SettingReader, key: string): void {
  const setting = read.direct(key)
  if (setting !== undefined && !setting.value.startsWith('/')) {
    read.warn(setting, 'is a relative path, resolved against the current directory')
  }
}

function applyDirectKeys(config: MemberConfig, read: SettingReader, configPath: string | undefined): void {
  config.dataDir = requireDataDir(read, configPath)
  const dataLogDir = read.direct('dataLogDir')
  if (dataLogDir !== undefined && dataLogDir.value === '') throw configError(dataLogDir.origin, 'dataLogDir', 'the path is empty')
  config.dataLogDir = dataLogDir?.value ?? config.dataDir
  warnIfRelative(read, 'dataDir')
  warnIfRelative(read, 'dataLogDir')

  const tickTime = read.direct('tickTime')
  config.tickTimeMs = read.directInt('tickTime', DEFAULT_TICK_TIME_MS)
  if (tickTime !== undefined && config.tickTimeMs <= 0) {
    throw configError(tickTime.origin, 'tickTime', config.tickTimeMs === 0 ? 'tickTime is not set (0)' : 'must be positive')
  }
  config.initLimitTicks = read.directInt('initLimit', 0)
  config.syncLimitTicks = read.directInt('syncLimit', 0)
  config.maxClientCnxns = read.directInt('maxClientCnxns', 60)
  config.clientPortListenBacklog = read.directInt('clientPortListenBacklog', -1)
  applySessionTimeouts(config, read)

  const electionAlg = read.direct('electionAlg')
  if (electionAlg !== undefined && parseJavaInt(electionAlg) !== 3) {
    throw configError(electionAlg.origin, 'electionAlg', 'only 3 (fast leader election over TCP) is supported')
  }
  applyAutopurge(config, read)
  applyQuorumAuthChecks(read)
  if (read.direct('reconfigEnabled') !== undefined) config.reconfigEnabled = read.directBoolean('reconfigEnabled', false)
  if (read.direct('standaloneEnabled') !== undefined) config.standaloneEnabled = read.directBoolean('standaloneEnabled', true)
  config.localSessionsEnabled = read.directBoolean('localSessionsEnabled', false)
  config.localSessionsUpgradingEnabled = read.directBoolean('localSessionsUpgradingEnabled', false)
  const peerType = read.direct('peerType')
  if (peerType !== undefined) {
    const lower = peerType.value.toLowerCase()
    if (lower !== 'observer' && lower !== 'participant') {
      throw configError(peerType.origin, 'peerType', `unknown peer type ${JSON.stringify(peerType.value)}: use participant or observer`)
    }
    config.peerType = lower
  }
}

function applySessionTimeouts(config: MemberConfig, read: SettingReader): void {
  const min = read.directInt('minSessionTimeout', -1)
  const max = read.directInt('maxSessionTimeout', -1)
  config.minSessionTimeoutMs = min === -1 ? 2 * config.tickTimeMs : min
  config.maxSessionTimeoutMs = max === -1 ? 20 * config.tickTimeMs : max
  if (config.minSessionTimeoutMs > config.maxSessionTimeoutMs) {
    const setting = read.direct('minSessionTimeout') ?? read.direct('maxSessionTimeout')
    const where = setting === undefined ? 'zoo.cfg' : describeOrigin(setting.origin)
    throw new ConfigError(
      `${where}: minSessionTimeout (${config.minSessionTimeoutMs} ms) must not be larger than maxSessionTimeout (${config.maxSessionTimeoutMs} ms)`,
      'minSessionTimeout',
      setting?.origin.line,
    )
  }
}

function applyAutopurge(config: MemberConfig, read: SettingReader): void {
  const retain = read.direct('autopurge.snapRetainCount')
  config.autopurgeSnapRetainCount = read.directInt('autopurge.snapRetainCount', MIN_SNAP_RETAIN_COUNT)
  if (retain !== undefined && config.autopurgeSnapRetainCount < MIN_SNAP_RETAIN_COUNT) {
    read.warn(retain, `below the minimum of ${MIN_SNAP_RETAIN_COUNT}; using ${MIN_SNAP_RETAIN_COUNT}`)
    config.autopurgeSnapRetainCount = MIN_SNAP_RETAIN_COUNT
  }
  config.autopurgePurgeIntervalHours = read.directInt('autopurge.purgeInterval', 0)
}

/** QuorumPeerConfig's SASL consistency checks; SASL itself is not supported (a warning says so). */
function applyQuorumAuthChecks(read: SettingReader): void {
  const enabled = read.directBoolean('quorum.auth.enableSasl', false)
  const serverRequired = read.directBoolean('quorum.auth.serverRequireSasl', false)
  const learnerRequired = read.directBoolean('quorum.auth.learnerRequireSasl', false)
  const fail = (key: string, detail: string): never => {
    const setting = read.direct(key) as Setting
    throw configError(setting.origin, key, detail)
  }
  if (!enabled && serverRequired) fail('quorum.auth.serverRequireSasl', 'quorum.auth.enableSasl is disabled, so this cannot be enabled')
  if (!enabled && learnerRequired) fail('quorum.auth.learnerRequireSasl', 'quorum.auth.enableSasl is disabled, so this cannot be enabled')
  if (!learnerRequired && serverRequired) fail('quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl is disabled, so this cannot be enabled')
}

/** Client address checks of parseProperties (before server.N tails are looked at). */
function applyClientAddress(config: MemberConfig, read: SettingReader): { explicitPort: boolean } {
  const port = read.direct('clientPort')
  const address = read.direct('clientPortAddress')
  const clientPort = port === undefined ? 0 : parsePort(port)
  if (clientPort === 0 && address !== undefined) {
    throw configError(address.origin, 'clientPortAddress', 'clientPortAddress is set but clientPort is not set')
  }
  const securePort = read.direct('secureClientPort')
  const secureAddress = read.direct('secureClientPortAddress')
  const secureClientPort = securePort === undefined ? 0 : parsePort(securePort)
  if (secureClientPort === 0 && secureAddress !== undefined) {
    throw configError(secureAddress.origin, 'secureClientPortAddress', 'secureClientPortAddress is set but secureClientPort is not set')
  }
  if (secureClientPort !== 0) config.secureClientPort = secureClientPort
  if (clientPort !== 0) config.clientPort = clientPort
  if (address !== undefined) config.clientPortAddress = address.value
  return { explicitPort: clientPort !== 0 }
}

export function parseMemberConfig(input: ParseMemberConfigInput): ParsedMemberConfig {
  const layers = buildLayers(input)
  checkDirectTypes(layers)
  const read = new SettingReader(layers)
  const config = defaultMemberConfig('')
  if (input.configPath !== undefined) config.configPath = input.configPath
  config.configText = input.configText
  applySystemProperties(config, read)
  applyDirectKeys(config, read, input.configPath)
  const { explicitPort } = applyClientAddress(config, read)
  applyMembership(input, layers, config, read, explicitPort)
  for (const [key, setting] of layers.direct) {
    if (!KEYS_APPLIED.has(key)) noteIgnoredKey(layers, setting)
  }
  config.extraProperties = layers.extra
  return { config, warnings: layers.warnings }
}

/** Direct keys that end up in MemberConfig fields; the other direct keys are kept in extraProperties. */
const KEYS_APPLIED: ReadonlySet<string> = new Set([
  'dataDir',
  'dataLogDir',
  'clientPort',
  'clientPortAddress',
  'clientPortListenBacklog',
  'tickTime',
  'maxClientCnxns',
  'minSessionTimeout',
  'maxSessionTimeout',
  'initLimit',
  'syncLimit',
  'electionAlg',
  'peerType',
  'dynamicConfigFile',
  'autopurge.snapRetainCount',
  'autopurge.purgeInterval',
  'standaloneEnabled',
  'reconfigEnabled',
  'localSessionsEnabled',
  'localSessionsUpgradingEnabled',
  'quorum.auth.serverRequireSasl',
  'quorum.auth.learnerRequireSasl',
])
