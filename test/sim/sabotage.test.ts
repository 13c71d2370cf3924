import { describe, expect, it } from 'vitest'
import type { Sabotage } from './sim-server'
import { runSimulation } from './simulation'

/**
 * The end-to-end checks catch a broken ensemble: with a deliberate bug in the simulated hosts, some seed among the
 * first few dozen must report the violation it causes (and the same seed without the bug must pass). Seeds are
 * searched in order, so a change to the simulator that shifts them keeps the test meaningful.
 */
const SEEDS_SEARCHED = 80

function firstCaught(sabotage: Sabotage, expected: RegExp): { seed: number; violation: string } | null {
  for (let seed = 1; seed <= SEEDS_SEARCHED; seed++) {
    const violation = runSimulation(seed, { sabotage }).violations.find((line) => expected.test(line))
    if (violation !== undefined) return { seed, violation }
  }
  return null
}

describe('the simulation checks catch deliberate bugs', () => {
  it('a learner answering syncs without asking the leader: stale synced reads are not linearizable', () => {
    const caught = firstCaught('staleSync', /client history: not linearizable \(znode model\), key "\/\w+"/)
    expect(caught, `no seed in 1..${SEEDS_SEARCHED} caught it`).not.toBeNull()
    expect(caught!.violation).toMatch(/cannot be placed before it returns:\n {4}client \d+ \[[\d.]+ \.\. [\d.]+\] read /)
    expect(runSimulation(caught!.seed).violations).toEqual([])
  }, 120_000)

  it("the leader's prep forgetting a session's ephemerals when it closes", () => {
    const caught = firstCaught('forgetEphemerals', /held ephemerals \[\/lock\d\] of session 0x[0-9a-f]+ that its closeSession txn does not list/)
    expect(caught, `no seed in 1..${SEEDS_SEARCHED} caught it`).not.toBeNull()
    expect(runSimulation(caught!.seed).violations).toEqual([])
  }, 120_000)
})
