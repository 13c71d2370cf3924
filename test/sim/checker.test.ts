import { describe, expect, it } from 'vitest'
import { OpCode } from '../../engine/proto'
import { Checker } from './checker'
import type { TreeEntry } from './sim-tree'

const e = (epoch: number, counter: number, id: number): TreeEntry => {
  const zxid = (BigInt(epoch) << 32n) | BigInt(counter)
  return { zxid, id, txn: { header: { clientId: 1n, cxid: id, zxid, time: id, type: OpCode.error }, body: { type: OpCode.error, txn: { err: 0 } } } }
}
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
    expect(checker.violations.join()).toMatch(/committed 0x100000002 \(txn 77\)/)
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
    expect(applying.violations.join()).toMatch(/applies #2 0x100000003 \(txn 8\) while serving/)
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

  it('sessions: an ephemeral for a closed session, ephemerals left after a close, a txn that applies differently', () => {
    const orphan = new Checker(() => 0)
    orphan.ephemeralCreated(2, '/lock0', 0x5n, false)
    expect(orphan.violations.join()).toMatch(/creates ephemeral \/lock0 for session 0x5, which it does not hold open/)
    const leftover = new Checker(() => 0)
    leftover.sessionClosed(3, 0x7n, ['/lock1'], [])
    expect(leftover.violations.join()).toMatch(/still has ephemerals \[\/lock1\] of session 0x7 after applying its closeSession/)
    const unlisted = new Checker(() => 0)
    unlisted.sessionClosed(3, 0x7n, [], ['/lock1'])
    expect(unlisted.violations.join()).toMatch(/held ephemerals \[\/lock1\] of session 0x7 that its closeSession txn does not list/)
    const diverged = new Checker(() => 0)
    diverged.txnApplied(1, e(1, 1, 1), -110, 0)
    expect(diverged.violations.join()).toMatch(/applies txn 1 .* with result -110, prep meant 0/)
    const fine = new Checker(() => 0)
    fine.ephemeralCreated(2, '/lock0', 0x5n, true)
    fine.sessionClosed(3, 0x7n, [], [])
    fine.txnApplied(1, e(1, 1, 1), -103, -103)
    expect(fine.violations).toEqual([])
  })
})
