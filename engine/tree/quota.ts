import type { DataNode } from './api'
import { javaIsBlank, javaParseLong, javaSplit } from './java-text'

/** Apache's quota layout (`Quotas.java`): limits and usage of path P live under `/zookeeper/quota<P>/`. */
export const QUOTA_ROOT = '/zookeeper/quota'
export const LIMIT_NODE = 'zookeeper_limits'
export const STAT_NODE = 'zookeeper_stats'

export const limitPath = (path: string): string => `${QUOTA_ROOT}${path}/${LIMIT_NODE}`
export const statPath = (path: string): string => `${QUOTA_ROOT}${path}/${STAT_NODE}`
/** The quota'd path a node under /zookeeper/quota stands for. */
export const trimQuotaPath = (quotaPath: string): string => quotaPath.slice(QUOTA_ROOT.length)

/**
 * Apache's `StatsTrack`: the `count=<n>,bytes=<n>` text of limit and stat nodes, with 3.7+'s extra keys
 * (`byteHardLimit`, `countHardLimit`) after a `=;` so that older parsers ignore them. -1 means "not set".
 */
export class StatsTrack {
  private readonly values = new Map<string, bigint>()

  /** Parses like Apache; malformed pairs (which make Apache throw) are skipped. */
  static parse(data: Buffer | null): StatsTrack {
    const track = new StatsTrack()
    if (data === null || data.length === 0) return track
    for (const pair of data.toString('utf8').split(/[,;]+/)) {
      const [key, valueText] = javaSplit(pair, '=')
      if (key === undefined || valueText === undefined) continue
      const value = valueText === '' ? -1n : javaParseLong(valueText)
      if (value !== undefined) track.values.set(key, value)
    }
    return track
  }

  get count(): bigint {
    return this.values.get('count') ?? -1n
  }
  set count(value: bigint) {
    this.values.set('count', value)
  }
  get bytes(): bigint {
    return this.values.get('bytes') ?? -1n
  }
  set bytes(value: bigint) {
    this.values.set('bytes', value)
  }
  get countHardLimit(): bigint {
    return this.values.get('countHardLimit') ?? -1n
  }
  get byteHardLimit(): bigint {
    return this.values.get('byteHardLimit') ?? -1n
  }

  toString(): string {
    let text = `count=${this.count},bytes=${this.bytes}`
    const extraKeys = [...this.values.keys()].filter((key) => key !== 'count' && key !== 'bytes').sort()
    if (extraKeys.length > 0) {
      text += '='
      for (const key of extraKeys) text += `;${key}=${this.values.get(key)}`
    }
    return text
  }

  toBuffer(): Buffer {
    return Buffer.from(this.toString(), 'utf8')
  }
}

interface TrieNode {
  children: Map<string, TrieNode>
  quota: boolean
}

/**
 * Apache's `PathTrie` of quota'd paths: longest-prefix lookup by path component. Components that are blank after
 * Java's trim are ignored, and deleting a path drops its whole sub-trie, as Apache does.
 */
export class QuotaTrie {
  private readonly root: TrieNode = { children: new Map(), quota: false }

  add(path: string): void {
    let node = this.root
    for (const part of components(path)) {
      let child = node.children.get(part)
      if (child === undefined) {
        child = { children: new Map(), quota: false }
        node.children.set(part, child)
      }
      node = child
    }
    node.quota = true
  }

  delete(path: string): void {
    const parts = components(path)
    let parent: TrieNode | undefined
    let node = this.root
    for (const part of parts) {
      const child = node.children.get(part)
      if (child === undefined) return
      parent = node
      node = child
    }
    if (parent === undefined) return
    parent.children.delete(parts[parts.length - 1]!)
  }

  /** The longest quota'd prefix of `path`, or undefined (Apache's getMaxPrefixWithQuota; `/` never counts). */
  maxPrefix(path: string): string | undefined {
    if (this.root.children.size === 0) return undefined
    let node = this.root
    let deepest = -1
    const parts = components(path)
    for (let i = 0; i < parts.length; i++) {
      const child = node.children.get(parts[i]!)
      if (child === undefined) break
      node = child
      if (node.quota) deepest = i
    }
    if (deepest < 0) return undefined
    return '/' + parts.slice(0, deepest + 1).join('/')
  }

  clear(): void {
    this.root.children.clear()
  }
}

function components(path: string): string[] {
  return path.split('/').filter((part) => !javaIsBlank(part))
}

/** What a quota check found; the server refuses the write (QuotaExceeded) only when `hard` is set and quotas are enforced. */
export interface QuotaCheckResult {
  exceeded: boolean
  hard: boolean
  /** The quota'd path that governs the checked path, when there is one. */
  quotaPath?: string
}

/**
 * The tree's quota bookkeeping (Apache's DataTree quota code): which paths carry a quota, and the usage figures in
 * their `zookeeper_stats` nodes, rewritten in place (data only, Stat untouched) on every create, delete and setData
 * below a quota'd path.
 */
export class QuotaTracker {
  private readonly trie = new QuotaTrie()

  constructor(private readonly nodes: ReadonlyMap<string, DataNode>) {}

  /** A node was created under /zookeeper/quota: a limits node registers its quota, a stats node recounts. */
  quotaNodeCreated(parentName: string, childName: string): void {
    const quotaPath = trimQuotaPath(parentName)
    // Apache's trie rejects the empty path (a limits node right under /zookeeper/quota makes it throw).
    if (childName === LIMIT_NODE && quotaPath !== '') this.trie.add(quotaPath)
    if (childName === STAT_NODE) this.recount(quotaPath)
  }

  /** A limits node under `parentName` was deleted: its quota (and, as in Apache, any nested one) stops counting. */
  limitNodeDeleted(parentName: string): void {
    this.trie.delete(trimQuotaPath(parentName))
  }

  /** Adds the deltas to the stats node of the quota governing `path`, if any. */
  charge(path: string, bytesDelta: number, countDelta: number): void {
    const quotaPath = this.trie.maxPrefix(path)
    if (quotaPath === undefined) return
    const statNode = this.nodes.get(statPath(quotaPath))
    if (statNode === undefined) return
    const track = StatsTrack.parse(statNode.data)
    track.count = track.count + BigInt(countDelta)
    track.bytes = track.bytes + BigInt(bytesDelta)
    statNode.data = track.toBuffer()
  }

  /** Apache's `setupQuota` after a load: every leaf limits node under /zookeeper/quota registers and recounts. */
  setup(): void {
    const suffix = '/' + LIMIT_NODE
    const pending: string[] = [QUOTA_ROOT]
    for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
      const node = this.nodes.get(current)
      if (node === undefined) continue
      if (node.children.size > 0) {
        for (const child of node.children) pending.push(current + '/' + child)
        continue
      }
      if (!current.endsWith(suffix)) continue
      const quotaPath = current.slice(QUOTA_ROOT.length, current.indexOf(suffix))
      this.recount(quotaPath)
      if (quotaPath !== '') this.trie.add(quotaPath)
    }
  }

  clear(): void {
    this.trie.clear()
  }

  /** ZooKeeperServer.checkQuota's decision, without its enforceQuota switch. */
  check(path: string, bytesDelta: number, countDelta: number): QuotaCheckResult {
    const quotaPath = this.trie.maxPrefix(path)
    if (quotaPath === undefined) return { exceeded: false, hard: false }
    const limitNode = this.nodes.get(limitPath(quotaPath))
    if (limitNode === undefined) return { exceeded: false, hard: false, quotaPath }
    const limits = StatsTrack.parse(limitNode.data)
    const checkCount = countDelta !== 0 && (limits.count > -1n || limits.countHardLimit > -1n)
    const checkBytes = bytesDelta !== 0 && (limits.bytes > -1n || limits.byteHardLimit > -1n)
    if (!checkCount && !checkBytes) return { exceeded: false, hard: false, quotaPath }
    const statNode = this.nodes.get(statPath(quotaPath))
    if (statNode === undefined) return { exceeded: false, hard: false, quotaPath }
    const current = StatsTrack.parse(statNode.data)
    let exceeded = false
    // Count first, then bytes; a hard excess answers at once, a soft one is only noted (Apache logs it).
    if (checkCount) {
      const hard = limits.countHardLimit > -1n
      const limit = hard ? limits.countHardLimit : limits.count
      if (current.count + BigInt(countDelta) > limit) {
        if (hard) return { exceeded: true, hard: true, quotaPath }
        exceeded = true
      }
    }
    if (checkBytes) {
      const hard = limits.byteHardLimit > -1n
      const limit = hard ? limits.byteHardLimit : limits.bytes
      if (current.bytes + BigInt(bytesDelta) > limit) {
        if (hard) return { exceeded: true, hard: true, quotaPath }
        exceeded = true
      }
    }
    return { exceeded, hard: false, quotaPath }
  }

  /** Recounts nodes and bytes of the subtree at `path` into its stats node. */
  private recount(path: string): void {
    let count = 0n
    let bytes = 0n
    const pending: string[] = [path]
    for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
      const node = this.nodes.get(current)
      if (node === undefined) continue
      count++
      bytes += BigInt(node.data === null ? 0 : node.data.length)
      for (const child of node.children) pending.push(current + '/' + child)
    }
    const statNode = this.nodes.get(statPath(path))
    if (statNode === undefined) return
    const track = new StatsTrack()
    track.count = count
    track.bytes = bytes
    statNode.data = track.toBuffer()
  }
}
