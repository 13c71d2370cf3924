import { readFileSync } from 'node:fs'
import { ConfigError } from './config-error'
import { type ParsedMemberConfig, parseMemberConfig } from './config'
import { type SystemProperty, systemPropertiesFromEnv } from './jvm-flags'

/**
 * The file-system edge of config parsing: reads zoo.cfg, and lets the parser read dataDir/myid and a
 * dynamicConfigFile. Runs once at startup, so synchronous reads are fine here.
 */
export interface LoadMemberConfigOptions {
  /** Environment to take JVMFLAGS / SERVER_JVMFLAGS from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>
  /** `-D` flags from the command line; they win over the environment (zoo.cfg still wins over both). */
  commandLineProperties?: readonly SystemProperty[]
}

function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null
    throw new ConfigError(`cannot read ${path}: ${(error as Error).message}`)
  }
}

export function loadMemberConfig(configPath: string, options: LoadMemberConfigOptions = {}): ParsedMemberConfig {
  const configText = readTextOrNull(configPath)
  if (configText === null) throw new ConfigError(`${configPath}: no such config file`)
  return parseMemberConfig({
    configText,
    configPath,
    systemProperties: [...systemPropertiesFromEnv(options.env ?? process.env), ...(options.commandLineProperties ?? [])],
    readFile: readTextOrNull,
  })
}
