import { describe, expect, it } from 'vitest'
import { planPurge } from '../../../engine/txn/purge'

const files = (prefix: string, zxids: number[]) => zxids.map((zxid) => ({ name: `${prefix}.${zxid.toString(16)}`, path: `/d/${prefix}.${zxid.toString(16)}`, zxid: BigInt(zxid) }))

describe('planPurge', () => {
  it('keeps the retained snapshots and every log from the one holding the oldest retained zxid', () => {
    const logs = files('log', [1, 100, 200, 300, 400])
    const snaps = files('snapshot', [0, 150, 250, 350])
    const retained = files('snapshot', [350, 250, 150])
    const plan = planPurge(logs, snaps, retained)
    expect(plan.leastZxidRetained).toBe(150n)
    expect(plan.deleteLogs.map((f) => f.name)).toEqual(['log.1'])
    expect(plan.deleteSnapshots.map((f) => f.name)).toEqual(['snapshot.0'])
  })

  it('keeps a log starting exactly at the oldest retained snapshot, and the one before only when needed', () => {
    const logs = files('log', [1, 100, 150, 300])
    const plan = planPurge(logs, files('snapshot', [50, 150]), files('snapshot', [150]))
    expect(plan.deleteLogs.map((f) => f.name)).toEqual(['log.1', 'log.64'])
    expect(plan.deleteSnapshots.map((f) => f.name)).toEqual(['snapshot.32'])
  })

  it('deletes nothing without a valid snapshot', () => {
    expect(planPurge(files('log', [1, 2]), files('snapshot', [1]), [])).toEqual({ leastZxidRetained: null, deleteLogs: [], deleteSnapshots: [] })
  })
})
