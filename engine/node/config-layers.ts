/**
 * The first step of config parsing: zoo.cfg lines and `-D` properties sorted into QuorumPeerConfig's own keys,
 * server lines, and system properties (by bare name, zoo.cfg winning), plus typed access to them.
 */
import { ConfigError, type SettingOrigin, describeOrigin, configError } from './config-error'
import {
  DIRECT_BOOLEAN_KEYS,
  DIRECT_INT_KEYS,
  DIRECT_KEYS,
  DIRECT_LONG_KEYS,
  SYSTEM_PROPERTIES,
  bareName,
  classifyIgnoredKey,
} from './config-keys'
import { type Setting, parseIntInRange, parseJavaInt, parseJavaLong, parseStrictBoolean } from './config-values'
import type { SystemProperty } from './jvm-flags'
import { PropertiesSyntaxError, parseProperties } from './properties'

/** What parseMemberConfig reads: the zoo.cfg text and where the other inputs come from. */
export interface ParseMemberConfigInput {
  configText: string
  configPath?: string
  /** `-D` properties (JVMFLAGS, SERVER_JVMFLAGS, command line), lowest precedence first. */
  systemProperties?: readonly SystemProperty[]
  /** Reads a file the config refers to (dataDir/myid, dynamicConfigFile); null when it does not exist. */
  readFile?: (path: string) => string | null
}

/** The settings of one parse: zoo.cfg's own keys and the system properties (by bare name), last value wins. */
export interface Layers {
  direct: Map<string, Setting>
  serverLines: Setting[]
  system: Map<string, Setting>
  extra: Record<string, string>
  warnings: string[]
}

function fileOrigin(configPath: string | undefined, line: number): SettingOrigin {
  return { source: configPath ?? 'zoo.cfg', line }
}

function readEntries(input: ParseMemberConfigInput): Setting[] {
  try {
    return parseProperties(input.configText).map((entry) => ({
      key: entry.key.trim(),
      value: entry.value.trim(),
      origin: fileOrigin(input.configPath, entry.line),
    }))
  } catch (error) {
    if (!(error instanceof PropertiesSyntaxError)) throw error
    throw new ConfigError(`${describeOrigin(fileOrigin(input.configPath, error.line))}: ${error.message}`, undefined, error.line)
  }
}

export function noteIgnoredKey(layers: Layers, setting: Setting): void {
  layers.extra[setting.key] = setting.value
  const kind = classifyIgnoredKey(bareName(setting.key), setting.value)
  const where = describeOrigin(setting.origin)
  if (kind === 'unsupported') {
    layers.warnings.push(`${where}: ${setting.key}=${setting.value} is not supported by ZooDesk; ignored`)
  } else if (kind === 'unknown') {
    layers.warnings.push(`${where}: unknown key ${setting.key}; kept but ignored`)
  }
}

export function buildLayers(input: ParseMemberConfigInput): Layers {
  const layers: Layers = { direct: new Map(), serverLines: [], system: new Map(), extra: {}, warnings: [] }
  for (const property of input.systemProperties ?? []) {
    const name = bareName(property.name)
    if (!SYSTEM_PROPERTIES.has(name)) continue // -Xmx-era flags, log4j settings …: nothing for us
    layers.system.set(name, { key: property.name, value: property.value.trim(), origin: { source: property.source } })
  }
  const seen = new Map<string, Setting>()
  for (const setting of readEntries(input)) {
    const previous = seen.get(setting.key)
    if (previous !== undefined) {
      layers.warnings.push(
        `${describeOrigin(setting.origin)}: ${setting.key} is set again (first at line ${previous.origin.line}); the last value wins`,
      )
      if (setting.key.startsWith('server.')) {
        layers.serverLines = layers.serverLines.filter((line) => line.key !== setting.key)
      }
    }
    seen.set(setting.key, setting)
    routeSetting(layers, setting)
  }
  return layers
}

function routeSetting(layers: Layers, setting: Setting): void {
  const { key } = setting
  if (key.startsWith('server.')) {
    layers.serverLines.push(setting)
  } else if (key.startsWith('group') || key.startsWith('weight')) {
    throw configError(setting.origin, key, 'hierarchical quorums (group.N / weight.N) are not supported by ZooDesk')
  } else if (DIRECT_KEYS.has(key) || key.startsWith('metricsProvider.')) {
    layers.direct.set(key, setting)
  } else if (SYSTEM_PROPERTIES.has(bareName(key))) {
    layers.system.set(bareName(key), setting)
  } else {
    noteIgnoredKey(layers, setting)
  }
}

/** Type-checks the direct keys Apache parses even when it does not use them, so a typo fails as it would there. */
export function checkDirectTypes(layers: Layers): void {
  for (const [key, setting] of layers.direct) {
    if (DIRECT_INT_KEYS.has(key)) parseJavaInt(setting)
    else if (DIRECT_LONG_KEYS.has(key)) parseJavaLong(setting)
    else if (DIRECT_BOOLEAN_KEYS.has(key)) parseStrictBoolean(setting)
  }
}

export class SettingReader {
  constructor(private readonly layers: Layers) {}

  direct(key: string): Setting | undefined {
    return this.layers.direct.get(key)
  }

  system(name: string): Setting | undefined {
    return this.layers.system.get(name)
  }

  directInt(key: string, fallback: number): number {
    const setting = this.direct(key)
    return setting === undefined ? fallback : parseJavaInt(setting)
  }

  directBoolean(key: string, fallback: boolean): boolean {
    const setting = this.direct(key)
    return setting === undefined ? fallback : parseStrictBoolean(setting)
  }

  systemInt(name: string, fallback: number, min = -2147483648, max = 2147483647): number {
    const setting = this.system(name)
    return setting === undefined ? fallback : parseIntInRange(setting, min, max)
  }

  systemLong(name: string, fallback: number): number {
    const setting = this.system(name)
    return setting === undefined ? fallback : parseJavaLong(setting)
  }

  systemText(name: string): string | undefined {
    return this.system(name)?.value
  }

  warn(setting: Setting, detail: string): void {
    this.layers.warnings.push(`${describeOrigin(setting.origin)}: ${setting.key}=${setting.value}: ${detail}`)
  }

  /**
   * Apache's loose booleans (`Boolean.parseBoolean` / `Boolean.getBoolean`): only `true` (any case) is true. Any
   * other value means false there too, but we say so when it is neither true nor false.
   */
  systemLooseBoolean(name: string, fallback: boolean): boolean {
    const setting = this.system(name)
    if (setting === undefined) return fallback
    const lower = setting.value.toLowerCase()
    if (lower !== 'true' && lower !== 'false') this.warn(setting, 'not true or false, so it means false (as in Apache)')
    return lower === 'true'
  }

  /** Properties Apache compares with one exact word (`skipACL` = "yes", `forceSync` = "no" …). */
  systemExactWord(name: string, word: string, other: string): boolean | undefined {
    const setting = this.system(name)
    if (setting === undefined) return undefined
    if (setting.value !== word && setting.value !== other) {
      this.warn(setting, `Apache ZooKeeper only acts on the exact value "${word}", so this means "${other}"`)
    }
    return setting.value === word
  }
}

