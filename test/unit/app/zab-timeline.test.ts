// The per-cluster ZAB history main keeps for clusters.timeline: bounded, oldest first, filtered by time.
import { describe, expect, it } from 'vitest'
import type { ClusterZabEvent } from '../../../main/contract/model'
import { ZAB_TIMELINE_LIMIT, ZabTimeline } from '../../../main/services/clusters/zab-timeline'

const event = (time: number): ClusterZabEvent => ({ clusterId: 'k', memberId: 1, time, event: { type: 'state', state: 'LOOKING', leader: null } })

describe('ZabTimeline', () => {
  it('keeps the last events in order and drops the oldest beyond its limit', () => {
    const timeline = new ZabTimeline(3)
    for (const time of [1, 2, 3, 4, 5]) timeline.add(event(time))
    expect(timeline.list().map((e) => e.time)).toEqual([3, 4, 5])
    expect(timeline.list(4).map((e) => e.time)).toEqual([4, 5])
    timeline.clear()
    expect(timeline.list()).toEqual([])
  })

  it('holds 2,000 events by default', () => {
    const timeline = new ZabTimeline()
    for (let time = 0; time < ZAB_TIMELINE_LIMIT + 10; time++) timeline.add(event(time))
    const listed = timeline.list()
    expect(listed).toHaveLength(2000)
    expect(listed[0]!.time).toBe(10)
  })
})

describe('clusters.timeline arguments', () => {
  it('takes a cluster id and an optional sinceMs >= 0, nothing else', async () => {
    const v = await import('valibot')
    const { contract } = await import('../../../main/contract/contract')
    const schema = contract.methods['clusters.timeline'].args
    expect(v.safeParse(schema, { clusterId: 'k1' }).success).toBe(true)
    expect(v.safeParse(schema, { clusterId: 'k1', sinceMs: 1_700_000_000_000 }).success).toBe(true)
    expect(v.safeParse(schema, { clusterId: 'k1', sinceMs: -1 }).success).toBe(false)
    expect(v.safeParse(schema, { clusterId: 'k1', sinceMs: '5' }).success).toBe(false)
    expect(v.safeParse(schema, { clusterId: 'k1', extra: true }).success).toBe(false)
    expect(v.safeParse(schema, {}).success).toBe(false)
  })
})
