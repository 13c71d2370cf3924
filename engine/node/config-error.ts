/**
 * A zoo.cfg problem that stops the member from starting. The message names where (file and line, or the
 * environment variable) and which key, so a user can fix it without reading our code.
 */
export class ConfigError extends Error {
  constructor(
    /** The full message, location first: `/etc/zookeeper/zoo.cfg:12: tickTime: "2s" is not a whole number`. */
    message: string,
    /** The zoo.cfg key (or system property) at fault, when there is one. */
    readonly key?: string,
    /** 1-based line in the config file, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Where a setting came from, for messages: a config file line or an environment variable / command-line flag. */
export interface SettingOrigin {
  /** `/path/zoo.cfg`, `JVMFLAGS`, `SERVER_JVMFLAGS`, `-D` … */
  source: string
  line?: number
}

export function describeOrigin(origin: SettingOrigin): string {
  return origin.line === undefined ? origin.source : `${origin.source}:${origin.line}`
}

export function configError(origin: SettingOrigin, key: string, detail: string): ConfigError {
  return new ConfigError(`${describeOrigin(origin)}: ${key}: ${detail}`, key, origin.line)
}
