import { describe, expect, it } from 'vitest'
import { PacketType } from '../../../engine/quorum/wire/packet-type'
import type { QuorumPacket } from '../../../engine/quorum/wire/quorum-packet'
import { CommittedLog } from '../../../engine/quorum/zab/committed-log'
import { planSync } from '../../../engine/quorum/zab/sync-plan'
import { makeZxid } from '../../../engine/quorum/zxid'

const z = (epoch: number, counter: number): bigint => makeZxid(BigInt(epoch), BigInt(counter))

function windowOf(...zxids: bigint[]): CommittedLog {
  const window = new CommittedLog()
  for (const zxid of zxids) window.add({ zxid, data: Buffer.from(zxid.toString(16)) })
  return window
}

/** `DIFF 100000003, P 100000004, C 100000004`: compact packet lists. */
function show(packets: QuorumPacket[]): string[] {
  const names: Record<number, string> = { [PacketType.DIFF]: 'DIFF', [PacketType.TRUNC]: 'TRUNC', [PacketType.PROPOSAL]: 'P', [PacketType.COMMIT]: 'C' }
  return packets.map((p) => `${names[p.type]} ${p.zxid.toString(16)}`)
}

describe('planSync (LearnerHandler.syncFollower decisions)', () => {
  const window = windowOf(z(1, 1), z(1, 2), z(1, 3), z(2, 1), z(2, 2))
  const leaderLast = z(2, 2)

  it('learner exactly where the leader is: an empty DIFF at its zxid', () => {
    const plan = planSync(leaderLast, window, leaderLast)
    expect(plan.kind).toBe('diff')
    expect(plan.kind !== 'snap' && show(plan.packets)).toEqual(['DIFF 200000002'])
  })

  it('learner behind, within the window: DIFF at the window end, then a PROPOSAL + COMMIT per missing txn', () => {
    const plan = planSync(z(1, 2), window, leaderLast)
    expect(plan.kind !== 'snap' && show(plan.packets)).toEqual([
      'DIFF 200000002',
      'P 100000003', 'C 100000003',
      'P 200000001', 'C 200000001',
      'P 200000002', 'C 200000002',
    ])
    expect(plan.kind !== 'snap' && plan.lastQueuedZxid).toBe(z(2, 2))
  })

  it('learner ahead of the whole window: TRUNC to the window end', () => {
    const plan = planSync(z(2, 7), window, leaderLast)
    expect(plan).toMatchObject({ kind: 'trunc', lastQueuedZxid: z(2, 2) })
    expect(plan.kind !== 'snap' && show(plan.packets)).toEqual(['TRUNC 200000002'])
  })

  it('learner with an uncommitted tail in the same epoch: TRUNC to the last common txn, then the rest', () => {
    const gap = windowOf(z(1, 1), z(1, 2), z(1, 4), z(1, 5)) // the learner logged 1:3, which never committed
    const plan = planSync(z(1, 3), gap, z(1, 5))
    expect(plan.kind).toBe('trunc')
    expect(plan.kind !== 'snap' && show(plan.packets)).toEqual(['TRUNC 100000002', 'P 100000004', 'C 100000004', 'P 100000005', 'C 100000005'])
  })

  it('learner with an uncommitted tail from an older epoch: SNAP (no TRUNC across epochs)', () => {
    expect(planSync(z(1, 4), window, leaderLast).kind).toBe('snap')
  })

  it('learner at an epoch start (no such txn): DIFF and everything after it', () => {
    const plan = planSync(z(2, 0), window, leaderLast)
    expect(plan.kind !== 'snap' && show(plan.packets)).toEqual(['DIFF 200000002', 'P 200000001', 'C 200000001', 'P 200000002', 'C 200000002'])
    // ... even when the window has nothing for it to catch up on.
    const behind = planSync(z(3, 0), windowOf(z(1, 1), z(2, 1), z(3, 5)), z(3, 5))
    expect(behind.kind !== 'snap' && show(behind.packets)).toEqual(['DIFF 300000005', 'P 300000005', 'C 300000005'])
  })

  it('learner older than the window: SNAP', () => {
    expect(planSync(z(1, 0) - 5n, window, leaderLast).kind).toBe('snap')
    expect(planSync(0n, windowOf(z(1, 1)), z(1, 1)).kind).toBe('snap')
  })

  it('empty window: in sync → DIFF, ahead → TRUNC, behind → SNAP', () => {
    const empty = new CommittedLog()
    expect(planSync(z(1, 5), empty, z(1, 5)).kind).toBe('diff')
    expect(planSync(z(1, 6), empty, z(1, 5)).kind).toBe('trunc')
    expect(planSync(z(1, 4), empty, z(1, 5)).kind).toBe('snap')
  })
})

describe('CommittedLog window', () => {
  it('keeps the newest capacity + 1 proposals, as Apache does', () => {
    const window = new CommittedLog(500)
    for (let i = 1; i <= 2_000; i++) window.add({ zxid: BigInt(i), data: Buffer.alloc(0) })
    expect(window.size).toBe(501)
    expect(window.minZxid).toBe(1_500n)
    expect(window.maxZxid).toBe(2_000n)
    expect([...window].length).toBe(501)
    window.truncateAfter(1_800n)
    expect(window.maxZxid).toBe(1_800n)
  })
})
