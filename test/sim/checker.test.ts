import { describe, expect, it } from 'vitest'
import { Checker } from './checker'
import type { TreeEntry } from './sim-disk'

const e = (epoch: number, counter: number, write: number): TreeEntry => ({ zxid: (BigInt(epoch) << 32n) | BigInt(counter), write })
const history = [e(1, 1, 1), e(1, 2, 2), e(1, 3, 3)]

function established(): Checker {
  const checker = new Checker(() => 0)
  checker.leaderEstablished(1, 1n, [])
  for (const entry of history) checker.leaderCommitted(1, entry)
  return checker
}

const member = (id: number, tree: TreeEntry[], servingEpoch: bigint | null, establishedLeader = false) => ({ id, up: true, tree, servingEpoch, establishedLeader })

describe('the simulation checker catches known-bad histories', () => {
  it('accepts a correct history', () => {
    const checker = established()
    checker.learnerServing(2, history.slice(0, 2))
    checker.servingApplied(2, history)
    checker.leaderEstablished(2, 2n, history)
    checker.leaderCommitted(2, e(2, 1, 4))
    checker.syncCompleted(3, e(2, 1, 4).zxid, e(2, 1, 4).zxid)
    checker.checkConverged([member(1, [...history, e(2, 1, 4)], 2n), member(2, [...history, e(2, 1, 4)], 2n, true)], 3)
    expect(checker.violations).toEqual([])
  })

  it('two leaders established in one epoch', () => {
    const checker = established()
    checker.leaderEstablished(2, 1n, history)
    expect(checker.violations.join()).toMatch(/two leaders established in epoch 1/)
  })

  it('a new leader without a committed transaction (a lost write)', () => {
    const checker = established()
    checker.leaderEstablished(2, 2n, history.slice(0, 2))
    expect(checker.violations.join()).toMatch(/lacks committed txn #2 0x100000003/)
  })

  it('a new leader whose history disagrees with what was committed', () => {
    const checker = established()
    checker.leaderEstablished(2, 2n, [history[0]!, e(1, 2, 99), history[2]!])
    expect(checker.violations.join()).toMatch(/lacks committed txn #1/)
  })

  it('commits out of zxid order', () => {
    const checker = established()
    checker.leaderCommitted(1, e(1, 5, 5))
    checker.leaderCommitted(1, e(1, 4, 4))
    expect(checker.violations.join()).toMatch(/out of order/)
  })

  it('the same zxid committed with different contents', () => {
    const checker = established()
    checker.leaderCommitted(2, e(1, 2, 77))
    expect(checker.violations.join()).toMatch(/committed 0x100000002 \(w77\)/)
  })

  it('a learner serving an uncommitted or diverging state', () => {
    const extra = established()
    extra.learnerServing(2, [...history, e(1, 4, 4)])
    expect(extra.violations.join()).toMatch(/starts serving with 4 txns, committed only 3/)
    const diverging = established()
    diverging.learnerServing(2, [history[0]!, e(1, 2, 9)])
    expect(diverging.violations.join()).toMatch(/diverging at #1/)
    const applying = established()
    applying.servingApplied(2, [history[0]!, history[1]!, e(1, 3, 8)])
    expect(applying.violations.join()).toMatch(/applies #2 0x100000003 \(w8\) while serving/)
  })

  it('applies that go backwards', () => {
    const checker = new Checker(() => 0)
    checker.applied(1, e(1, 3, 3), e(1, 2, 2))
    expect(checker.violations.join()).toMatch(/applies 0x100000002 after 0x100000003/)
  })

  it('a sync answered before the member caught up', () => {
    const checker = new Checker(() => 0)
    checker.syncCompleted(2, e(1, 2, 2).zxid, e(1, 3, 3).zxid)
    expect(checker.violations.join()).toMatch(/completed a sync/)
  })

  it('no recovery: no leader, a member left behind, no new commit', () => {
    const none = established()
    none.checkConverged([member(1, history, null), member(2, history, null)], 0)
    expect(none.violations.join()).toMatch(/0 established leaders/)
    const behind = established()
    behind.checkConverged([member(1, history, 1n, true), member(2, history.slice(0, 1), 1n)], 0)
    expect(behind.violations.join()).toMatch(/member 2 has 1 txns, committed history has 3/)
    const stalled = established()
    stalled.checkConverged([member(1, history, 1n, true), member(2, history, 1n)], 3)
    expect(stalled.violations.join()).toMatch(/no write committed after the faults healed/)
    const notServing = established()
    notServing.checkConverged([member(1, history, 1n, true), member(2, history, null)], 0)
    expect(notServing.violations.join()).toMatch(/member 2 serves epoch null/)
  })
})
