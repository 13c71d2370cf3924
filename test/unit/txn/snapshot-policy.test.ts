import { describe, expect, it } from 'vitest'
import { SnapshotPolicy } from '../../../engine/txn/snapshot-policy'
import { seededRandom } from '../../support/seeded-random'

function txnsUntilRoll(policy: SnapshotPolicy, entryBytes = 100, limit = 1_000_000): number {
  for (let i = 1; i <= limit; i++) if (policy.txnLogged(entryBytes)) return i
  return -1
}

describe('SnapshotPolicy', () => {
  it('rolls after snapCount/2 + randRoll txns, randRoll drawn in [0, snapCount/2)', () => {
    expect(txnsUntilRoll(new SnapshotPolicy({ snapCount: 100, snapSizeLimitBytes: 0, random: () => 0 }))).toBe(51)
    expect(txnsUntilRoll(new SnapshotPolicy({ snapCount: 100, snapSizeLimitBytes: 0, random: () => 0.999 }))).toBe(100)
    const policy = new SnapshotPolicy({ snapCount: 1000, snapSizeLimitBytes: 0, random: seededRandom(3) })
    const gaps = Array.from({ length: 50 }, () => txnsUntilRoll(policy))
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(500)
      expect(gap).toBeLessThanOrEqual(1000)
    }
    expect(new Set(gaps).size).toBeGreaterThan(10) // randomised per roll, so members do not snapshot together
  })

  it('rolls on logged bytes past snapSizeLimit/2 + randSize', () => {
    const policy = new SnapshotPolicy({ snapCount: 1_000_000, snapSizeLimitBytes: 10_000, random: () => 0 })
    expect(txnsUntilRoll(policy, 1000)).toBe(6) // 6000 > 5000
  })

  it('clamps snapCount to at least 2, and the counters restart after each roll and on reset', () => {
    const tiny = new SnapshotPolicy({ snapCount: 0, snapSizeLimitBytes: 0, random: () => 0.5 })
    expect(tiny.snapCount).toBe(2)
    expect(txnsUntilRoll(tiny)).toBe(2)
    expect(txnsUntilRoll(tiny)).toBe(2)
    const policy = new SnapshotPolicy({ snapCount: 10, snapSizeLimitBytes: 0, random: () => 0 })
    for (let i = 0; i < 5; i++) expect(policy.txnLogged(1)).toBe(false)
    policy.reset()
    expect(txnsUntilRoll(policy)).toBe(6)
    expect(policy.thresholds).toEqual({ txns: 5, bytes: 0 })
  })
})
