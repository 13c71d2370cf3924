import { randomUUID } from 'node:crypto'
import { type Stat, type Watcher, type ZooKeeperClient, isNoAuth } from '../../../engine/client'
import type { ChildEntry, ChildrenPage } from '../../contract/model'
import { toZnodeStat } from './convert'
import { joinPath } from './tree-walk'

interface Listing {
  key: string
  connectionId: string
  path: string
  names: string[]
  cversion: number
  lastUsedMs: number
}

/** Listings kept for paging; a listing unused for this long is dropped. */
const LISTING_IDLE_MS = 60_000
const MAX_LISTINGS = 32
/** Sort this many names per macrotask: a 100,000-name sort in one go can hold the loop for tens of ms. */
const SORT_RUN = 8192
/** Stats asked per run; see stats(). */
const STAT_RUN = 250

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Sorts by code unit order without holding the event loop: sorted runs, merged, yielding between steps. */
async function sortYielding(names: string[]): Promise<string[]> {
  if (names.length <= SORT_RUN) return names.sort(compareNames)
  let runs: string[][] = []
  for (let start = 0; start < names.length; start += SORT_RUN) {
    runs.push(names.slice(start, start + SORT_RUN).sort(compareNames))
    await new Promise((resolve) => setImmediate(resolve))
  }
  while (runs.length > 1) {
    const merged: string[][] = []
    for (let i = 0; i < runs.length; i += 2) {
      const left = runs[i]!
      const right = runs[i + 1]
      if (right === undefined) {
        merged.push(left)
        continue
      }
      const out = new Array<string>(left.length + right.length)
      let l = 0
      let r = 0
      let o = 0
      while (l < left.length && r < right.length) out[o++] = compareNames(left[l]!, right[r]!) <= 0 ? left[l++]! : right[r++]!
      while (l < left.length) out[o++] = left[l++]!
      while (r < right.length) out[o++] = right[r++]!
      merged.push(out)
      await new Promise((resolve) => setImmediate(resolve))
    }
    runs = merged
  }
  return runs[0] ?? []
}

/**
 * Pages of a node's children, sorted by name, each child with its stat. The name list is fetched once per listing
 * (one getChildren2) and kept under a cursor, so the next pages cost only the stats of their own children (exists
 * calls, pipelined on the session).
 */
export class ChildrenPager {
  private readonly listings = new Map<string, Listing>()

  async page(
    connectionId: string,
    client: ZooKeeperClient,
    request: { path: string; offset: number; limit: number; withStat: boolean; cursor: string | undefined; watcher: Watcher | undefined },
  ): Promise<ChildrenPage> {
    this.expire()
    let listing = request.cursor === undefined ? undefined : this.listings.get(request.cursor)
    if (listing !== undefined && (listing.connectionId !== connectionId || listing.path !== request.path)) listing = undefined
    if (listing === undefined || request.watcher !== undefined) {
      const { children, stat } = await client.getChildren2(request.path, request.watcher)
      listing = { key: randomUUID(), connectionId, path: request.path, names: await sortYielding(children), cversion: stat.cversion, lastUsedMs: 0 }
      this.listings.set(listing.key, listing)
    }
    listing.lastUsedMs = performance.now()
    const names = listing.names.slice(request.offset, request.offset + request.limit)
    const children: ChildEntry[] = request.withStat ? await this.stats(client, request.path, names) : names.map((name) => ({ name }))
    return { path: request.path, total: listing.names.length, offset: request.offset, children, cversion: listing.cversion, cursor: listing.key }
  }

  /**
   * The children's stats, STAT_RUN exists calls at a time (pipelined) with a macrotask between runs: a thousand
   * replies settling in one go would hold the event loop for tens of ms.
   */
  private async stats(client: ZooKeeperClient, parent: string, names: readonly string[]): Promise<ChildEntry[]> {
    const children: ChildEntry[] = []
    for (let start = 0; start < names.length; start += STAT_RUN) {
      const run = names.slice(start, start + STAT_RUN)
      // exists needs READ on the child (Apache 3.8): one protected child must not make its parent unlistable.
      const stats = await Promise.all(run.map((name) => client.exists(joinPath(parent, name)).catch((error: unknown): Stat | null | 'unreadable' => {
        if (isNoAuth(error)) return 'unreadable'
        throw error
      })))
      for (let i = 0; i < run.length; i++) {
        const stat = stats[i]
        const name = run[i]!
        children.push(stat === 'unreadable' ? { name, unreadable: true } : stat === null || stat === undefined ? { name } : { name, stat: toZnodeStat(stat) })
      }
      if (start + STAT_RUN < names.length) await new Promise((resolve) => setImmediate(resolve))
    }
    return children
  }

  forget(connectionId: string): void {
    for (const [key, listing] of this.listings) if (listing.connectionId === connectionId) this.listings.delete(key)
  }

  private expire(): void {
    const now = performance.now()
    for (const [key, listing] of this.listings) if (now - listing.lastUsedMs > LISTING_IDLE_MS) this.listings.delete(key)
    while (this.listings.size >= MAX_LISTINGS) {
      const oldest = [...this.listings.values()].reduce((a, b) => (a.lastUsedMs <= b.lastUsedMs ? a : b))
      this.listings.delete(oldest.key)
    }
  }
}
