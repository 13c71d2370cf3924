import { JavaRuntimeError } from './errors'
import { javaSplit } from './java-format'
import { javaParseLong } from './java-numbers'

/** Where Apache keeps quotas (org.apache.zookeeper.Quotas). */
export const QUOTA_ROOT = '/zookeeper/quota'
export const LIMIT_NODE = 'zookeeper_limits'
export const STAT_NODE = 'zookeeper_stats'

export const quotaPath = (path: string): string => QUOTA_ROOT + path
export const limitPath = (path: string): string => `${QUOTA_ROOT}${path}/${LIMIT_NODE}`
export const statPath = (path: string): string => `${QUOTA_ROOT}${path}/${STAT_NODE}`

const COUNT = 'count'
const BYTES = 'bytes'
const COUNT_HARD = 'countHardLimit'
const BYTES_HARD = 'byteHardLimit'

/**
 * Apache's StatsTrack: the text of a quota's limit and stat nodes, `count=5,bytes=10=;byteHardLimit=2`. The text
 * must be byte-identical to what Java's zkCli writes, since servers and other tools parse it.
 */
export class StatsTrack {
  private readonly stats = new Map<string, bigint>()

  constructor(text = '') {
    if (text.length === 0) return
    const pairs = text.split(/[,;]+/)
    while (pairs.length > 0 && pairs[pairs.length - 1] === '') pairs.pop()
    for (const pair of pairs) {
      const [key = '', value] = javaSplit(pair, '=')
      if (value === undefined) throw new JavaRuntimeError('java.lang.ArrayIndexOutOfBoundsException', 'Index 1 out of bounds for length 1')
      this.stats.set(key, javaParseLong(value === '' ? '-1' : value))
    }
  }

  private get(key: string): bigint {
    return this.stats.get(key) ?? -1n
  }

  get count(): bigint {
    return this.get(COUNT)
  }
  set count(value: bigint) {
    this.stats.set(COUNT, value)
  }
  get bytes(): bigint {
    return this.get(BYTES)
  }
  set bytes(value: bigint) {
    this.stats.set(BYTES, value)
  }
  get countHardLimit(): bigint {
    return this.get(COUNT_HARD)
  }
  set countHardLimit(value: bigint) {
    this.stats.set(COUNT_HARD, value)
  }
  get byteHardLimit(): bigint {
    return this.get(BYTES_HARD)
  }
  set byteHardLimit(value: bigint) {
    this.stats.set(BYTES_HARD, value)
  }

  /** count and bytes first (3.4 clients parse only those), then `=` and the other keys sorted, `;`-separated. */
  toString(): string {
    let text = `${COUNT}=${this.count},${BYTES}=${this.bytes}`
    const others = [...this.stats.keys()].filter((key) => key !== COUNT && key !== BYTES).sort()
    if (others.length > 0) {
      text += '='
      for (const key of others) text += `;${key}=${this.stats.get(key)}`
    }
    return text
  }
}
