/**
 * The ensemble part of config parsing (QuorumPeerConfig.setupQuorumPeerConfig, parseDynamicConfig, setupMyId,
 * setupClientPort, setupPeerType, checkValidity): server.N lines or a dynamicConfigFile, dataDir/myid, the
 * member's own client address, and whether it runs standalone.
 */
import { ConfigError, configError, describeOrigin } from './config-error'
import type { Layers, ParseMemberConfigInput, SettingReader } from './config-layers'
import { parseServerLine } from './config-servers'
import type { MemberConfig, QuorumServerSpec } from './config-types'
import type { Setting } from './config-values'
import { type PropertyEntry, PropertiesSyntaxError, parseProperties } from './properties'

interface Membership {
  servers: QuorumServerSpec[]
  origins: Map<number, Setting>
}

function readDynamicConfig(input: ParseMemberConfigInput, layers: Layers, read: SettingReader): Setting[] {
  const dynamic = read.direct('dynamicConfigFile')
  if (dynamic === undefined) return layers.serverLines
  const inFile = layers.serverLines[0]
  if (inFile !== undefined) {
    throw configError(inFile.origin, inFile.key, 'must be in the separate dynamic config file (dynamicConfigFile is set)')
  }
  const text = input.readFile?.(dynamic.value) ?? null
  if (text === null) throw configError(dynamic.origin, 'dynamicConfigFile', `cannot read ${dynamic.value}`)
  let entries: PropertyEntry[]
  try {
    entries = parseProperties(text)
  } catch (error) {
    if (!(error instanceof PropertiesSyntaxError)) throw error
    throw new ConfigError(`${dynamic.value}:${error.line}: ${error.message}`, undefined, error.line)
  }
  const lines: Setting[] = []
  for (const entry of entries) {
    const setting: Setting = { key: entry.key.trim(), value: entry.value.trim(), origin: { source: dynamic.value, line: entry.line } }
    if (setting.key === 'version') throw configError(setting.origin, 'version', "a dynamic config file must not contain a version (it is in the file name)")
    if (setting.key.startsWith('group') || setting.key.startsWith('weight')) {
      throw configError(setting.origin, setting.key, 'hierarchical quorums (group.N / weight.N) are not supported by ZooDesk')
    }
    if (!setting.key.startsWith('server.')) throw configError(setting.origin, setting.key, 'unrecognised parameter in a dynamic config file')
    lines.push(setting)
  }
  return lines
}

function readMembership(lines: readonly Setting[]): Membership {
  const servers: QuorumServerSpec[] = []
  const origins = new Map<number, Setting>()
  for (const line of lines) {
    const spec = parseServerLine(line)
    const clash = origins.get(spec.id)
    if (clash !== undefined) {
      throw configError(line.origin, line.key, `server id ${spec.id} is already defined at ${describeOrigin(clash.origin)}`)
    }
    origins.set(spec.id, line)
    servers.push(spec)
  }
  servers.sort((a, b) => a.id - b.id)
  return { servers, origins }
}

/** dataDir/myid (QuorumPeerConfig.setupMyId): read whenever it exists, even in standalone. */
function readMyId(input: ParseMemberConfigInput, dataDir: string): number | undefined {
  const path = `${dataDir.replace(/\/+$/, '')}/myid`
  const text = input.readFile?.(path) ?? null
  if (text === null) return undefined
  const firstLine = (text.split(/\r?\n/)[0] ?? '').trim()
  if (!/^\d+$/.test(firstLine) || Number(firstLine) > 255) {
    throw new ConfigError(`${path}: the server id ${JSON.stringify(firstLine)} is not a number from 0 to 255`, 'myid')
  }
  return Number(firstLine)
}

/** QuorumPeerConfig.parseDynamicConfig's sanity rules; returns whether the member runs the quorum protocol. */
function checkEnsemble(config: MemberConfig, membership: Membership, warnings: string[]): boolean {
  const voting = membership.servers.filter((server) => server.role === 'participant').length
  const observers = membership.servers.length - voting
  if (voting === 0) {
    if (!config.standaloneEnabled) throw new ConfigError('standaloneEnabled is false, so at least one participant server.N is needed', 'standaloneEnabled')
    if (observers > 0) throw new ConfigError('observers without participants is an invalid configuration', 'server')
    return false
  }
  if (voting === 1 && config.standaloneEnabled) {
    if (observers > 0) throw new ConfigError('observers without a quorum is an invalid configuration', 'server')
    warnings.push('only one server is specified, so it is ignored and this member runs standalone (as Apache does)')
    return false
  }
  if (voting <= 2) warnings.push('no server failure will be tolerated: you need at least 3 servers')
  else if (voting % 2 === 0) warnings.push('non-optimal configuration: consider an odd number of servers')
  return true
}

/** setupClientPort: a server.N tail for our own id supplies (and must agree with) the client address. */
function applyOwnClientAddress(
  config: MemberConfig,
  own: QuorumServerSpec | undefined,
  ownLine: Setting | undefined,
  explicitPort: boolean,
): boolean {
  if (own?.clientPort === undefined || ownLine === undefined) return explicitPort
  const tailHost = own.clientHost ?? '0.0.0.0'
  if (explicitPort) {
    const wildcard = config.clientPortAddress === '0.0.0.0' || config.clientPortAddress === '::'
    const differs = wildcard
      ? config.clientPort !== own.clientPort
      : config.clientPortAddress !== tailHost || config.clientPort !== own.clientPort
    if (differs) {
      throw configError(
        ownLine.origin,
        ownLine.key,
        `the client address ${tailHost}:${own.clientPort} differs from clientPortAddress/clientPort ${config.clientPortAddress}:${config.clientPort}`,
      )
    }
  }
  config.clientPort = own.clientPort
  config.clientPortAddress = tailHost
  return true
}

export function applyMembership(
  input: ParseMemberConfigInput,
  layers: Layers,
  config: MemberConfig,
  read: SettingReader,
  explicitPort: boolean,
): void {
  const membership = readMembership(readDynamicConfig(input, layers, read))
  const myId = readMyId(input, config.dataDir)
  const own = myId === undefined ? undefined : membership.servers.find((server) => server.id === myId)
  const hasClientPort = applyOwnClientAddress(config, own, myId === undefined ? undefined : membership.origins.get(myId), explicitPort)
  if (!hasClientPort) {
    layers.warnings.push(
      'clientPort is not set (Apache ZooKeeper would open no client port); ZooDesk listens on 2181',
    )
  }
  const roleFromServers = own?.role === 'observer' ? 'observer' : 'participant'
  if (roleFromServers !== config.peerType) {
    layers.warnings.push(`peerType ${config.peerType} does not match the server list (${roleFromServers}); using the server list`)
    config.peerType = roleFromServers
  }
  const distributed = checkEnsemble(config, membership, layers.warnings)
  if (!distributed) return
  if (config.initLimitTicks === 0) throw new ConfigError(`${input.configPath ?? 'zoo.cfg'}: initLimit is not set (needed with several servers)`, 'initLimit')
  if (config.syncLimitTicks === 0) throw new ConfigError(`${input.configPath ?? 'zoo.cfg'}: syncLimit is not set (needed with several servers)`, 'syncLimit')
  if (myId === undefined) {
    throw new ConfigError(`myid file is missing: write this member's server id into ${config.dataDir}/myid`, 'myid')
  }
  if (own === undefined) {
    throw new ConfigError(`${config.dataDir}/myid says ${myId}, but there is no server.${myId} line`, 'myid')
  }
  if (config.extendedTypesEnabled && myId > 254) {
    throw new ConfigError(`extendedTypesEnabled is true but server id ${myId} is too large (254 at most)`, 'myid')
  }
  config.servers = membership.servers
  config.myId = myId
  const dynamic = read.direct('dynamicConfigFile')
  if (dynamic !== undefined) config.dynamicConfigFile = dynamic.value
}

