// Which quota governs a node (its own, else its nearest ancestor's), and how full it is: for the node panel's badge.
import type { QuotaView } from '../../../main/contract/model'

export interface GoverningQuota {
  quota: QuotaView
  /** The node is the quota's root (not a descendant). */
  own: boolean
  /** The fullest of count and bytes against the tightest limit set (hard if set, else soft), in percent. */
  percent: number
}

function isWithin(path: string, root: string): boolean {
  return path === root || root === '/' || path.startsWith(`${root}/`)
}

function fraction(used: number, soft: number | null, hard: number | null): number {
  const limit = hard ?? soft
  return limit === null || limit <= 0 ? 0 : used / limit
}

/** The deepest quota whose subtree holds `path`, or null. */
export function governingQuota(path: string, quotas: readonly QuotaView[]): GoverningQuota | null {
  let best: QuotaView | null = null
  for (const quota of quotas) {
    if (isWithin(path, quota.path) && (best === null || quota.path.length > best.path.length)) best = quota
  }
  if (best === null) return null
  const { limits, usage } = best
  const percent = Math.round(100 * Math.max(fraction(usage.count, limits.count, limits.countHard), fraction(usage.bytes, limits.bytes, limits.bytesHard)))
  return { quota: best, own: best.path === path, percent }
}
