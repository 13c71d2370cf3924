import { type SettingOrigin, configError } from './config-error'

/**
 * Value parsers with Java's rules (Integer.parseInt, Long.parseLong, QuorumPeerConfig.parseBoolean) and our
 * messages. Where Apache silently falls back to a default on a bad number (Integer.getInteger), we stop with an
 * error instead: a typo in zoo.cfg should not quietly become a different setting.
 */
export interface Setting {
  /** The key as written (trimmed), e.g. `zookeeper.snapCount` or `tickTime`. */
  key: string
  /** The value, trimmed like QuorumPeerConfig does. */
  value: string
  origin: SettingOrigin
}

const INT_MIN = -2147483648
const INT_MAX = 2147483647

export function parseJavaInt(setting: Setting): number {
  const { value } = setting
  if (!/^[+-]?\d+$/.test(value)) {
    throw configError(setting.origin, setting.key, `${JSON.stringify(value)} is not a whole number`)
  }
  const number = Number(value)
  if (number < INT_MIN || number > INT_MAX) {
    throw configError(setting.origin, setting.key, `${value} is out of range (${INT_MIN}..${INT_MAX})`)
  }
  return number
}

/** A Java long that must also be exact as a double (all the longs in zoo.cfg are times and sizes). */
export function parseJavaLong(setting: Setting): number {
  const { value } = setting
  if (!/^[+-]?\d+$/.test(value)) {
    throw configError(setting.origin, setting.key, `${JSON.stringify(value)} is not a whole number`)
  }
  const number = Number(value)
  if (!Number.isSafeInteger(number)) {
    throw configError(setting.origin, setting.key, `${value} is out of range`)
  }
  return number
}

export function parseIntInRange(setting: Setting, min: number, max: number): number {
  const number = parseJavaInt(setting)
  if (number < min || number > max) {
    throw configError(setting.origin, setting.key, `${number} is out of range (${min}..${max})`)
  }
  return number
}

export function parsePort(setting: Setting): number {
  return parseIntInRange(setting, 0, 65535)
}

/** QuorumPeerConfig.parseBoolean: `true`/`false` in any case, anything else is an error. */
export function parseStrictBoolean(setting: Setting): boolean {
  const lower = setting.value.toLowerCase()
  if (lower === 'true') return true
  if (lower === 'false') return false
  throw configError(setting.origin, setting.key, `${JSON.stringify(setting.value)} is not a boolean: use true or false`)
}
