import type { DataTreeApi } from '../tree/api'
import { ttlOfOwner } from '../tree/ephemeral-type'
import { isTtlNode } from './node-kinds'

export interface ContainerReaperOptions {
  checkIntervalMs: number
  maxPerMinute: number
  maxNeverUsedIntervalMs: number
  extendedTypesEnabled: boolean
}

/**
 * Apache's ContainerManager, as a state machine driven by the server's timer: every `checkIntervalMs` it collects
 * empty containers that have had children (or outlived `maxNeverUsedIntervalMs`) and expired TTL nodes, then posts
 * one deleteContainer request per candidate, no faster than `maxPerMinute`.
 */
export class ContainerReaper {
  private nextCheckMs: number
  private nextDeleteMs = 0
  private queue: string[] = []
  private readonly minIntervalMs: number

  constructor(
    private readonly tree: DataTreeApi,
    private readonly options: ContainerReaperOptions,
    nowMs: number,
  ) {
    this.nextCheckMs = nowMs + options.checkIntervalMs
    this.minIntervalMs = Math.floor(60_000 / Math.max(1, options.maxPerMinute))
  }

  /** When the reaper next has something to do. */
  nextDueMs(): number {
    return this.queue.length > 0 ? Math.max(this.nextDeleteMs, 0) : this.nextCheckMs
  }

  /** Paths to delete now; call from the timer. `wallMs` is compared with node mtimes. */
  due(nowMs: number, wallMs: number): string[] {
    if (this.queue.length === 0 && nowMs >= this.nextCheckMs) {
      this.queue = this.candidates(wallMs)
      while (this.nextCheckMs <= nowMs) this.nextCheckMs += this.options.checkIntervalMs
    }
    const paths: string[] = []
    while (this.queue.length > 0 && nowMs >= this.nextDeleteMs) {
      paths.push(this.queue.shift()!)
      this.nextDeleteMs = this.minIntervalMs > 0 ? nowMs + this.minIntervalMs : 0
      if (this.minIntervalMs > 0) break
    }
    return paths
  }

  /** `ContainerManager.getCandidates`. */
  candidates(wallMs: number): string[] {
    const found = new Set<string>()
    for (const path of this.tree.containers()) {
      const node = this.tree.getNode(path)
      if (node === undefined || node.children.size > 0) continue
      if (node.stat.cversion > 0) found.add(path)
      else if (this.options.maxNeverUsedIntervalMs !== 0 && wallMs - node.stat.mtime > this.options.maxNeverUsedIntervalMs) found.add(path)
    }
    for (const path of this.tree.ttlNodes()) {
      const node = this.tree.getNode(path)
      if (node === undefined || node.children.size > 0) continue
      if (!isTtlNode(node.stat.ephemeralOwner, this.options.extendedTypesEnabled)) continue
      const ttlMs = Number(ttlOfOwner(node.stat.ephemeralOwner))
      if (ttlMs !== 0 && wallMs - node.stat.mtime > ttlMs) found.add(path)
    }
    return [...found]
  }
}
