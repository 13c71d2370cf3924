import type { QuotaView } from '../../contract/model'
import { StatsTrack } from '../../../engine/shell/stats-track'

const limitOf = (value: bigint): number | null => (value < 0n ? null : Number(value))

/**
 * A quota from the texts of its zookeeper_limits and zookeeper_stats nodes. The level says where usage stands:
 * 'hard' once a hard limit is reached (with enforceQuota the next write that grows the subtree is refused with
 * QUOTAEXCEEDED), 'soft' once a soft limit is reached (the server only logs a warning).
 */
export function quotaView(path: string, limitText: string, statText: string): QuotaView {
  const limits = new StatsTrack(limitText)
  const stats = new StatsTrack(statText)
  const usage = { count: Math.max(0, Number(stats.count)), bytes: Math.max(0, Number(stats.bytes)) }
  const view: QuotaView['limits'] = {
    count: limitOf(limits.count),
    bytes: limitOf(limits.bytes),
    countHard: limitOf(limits.countHardLimit),
    bytesHard: limitOf(limits.byteHardLimit),
  }
  const reached = (limit: number | null, used: number): boolean => limit !== null && used >= limit
  const level: QuotaView['level'] =
    reached(view.countHard, usage.count) || reached(view.bytesHard, usage.bytes)
      ? 'hard'
      : reached(view.count, usage.count) || reached(view.bytes, usage.bytes)
        ? 'soft'
        : 'ok'
  return { path, limits: view, usage, level }
}
