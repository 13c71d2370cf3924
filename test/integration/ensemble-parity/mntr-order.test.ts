// Where an ensemble member's extra mntr keys go, pinned to the output of a real Apache 3.8.0 ensemble
// (test/fixtures/apache-quorum): its gauges live in a ConcurrentHashMap, so a role's gauges land between the
// standalone ones by hash bin. Pure: no server runs here.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MNTR_KEYS, STANDALONE_GAUGE_COUNT, gaugeOrder, summaryEntries } from '../../../engine/server/monitor'
import { PercentileCounter } from '../../../engine/server/server-stats'

const FIXTURES = new URL('../../fixtures/apache-quorum/', import.meta.url)

/** The gauge keys of a fixture's mntr: after version/server_state/peer_state, up to the first counter. */
function fixtureGauges(file: string): string[] {
  const keys = readFileSync(new URL(file, FIXTURES), 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[0]!.replace(/^zk_/, ''))
  return keys.slice(3, keys.indexOf('proposal_count'))
}

describe('mntr key order of ensemble members', () => {
  it('a leader\'s gauges fall between the standalone ones as in Apache\'s map', () => {
    const leaderGauges = ['quorum_size', 'learners', 'synced_followers', 'synced_non_voting_followers', 'synced_observers', 'pending_syncs', 'leader_uptime', 'last_proposal_size', 'max_proposal_size', 'min_proposal_size']
    expect(gaugeOrder(leaderGauges).map((key) => key.name)).toEqual(fixtureGauges('leader.mntr'))
  })

  it('a follower adds quorum_size only (its synced_observers gauge is null without an observer master)', () => {
    expect(gaugeOrder(['quorum_size']).map((key) => key.name)).toEqual(fixtureGauges('follower.mntr'))
  })

  it('the keys after the gauges are the standalone ones, in the same order', () => {
    const keys = readFileSync(new URL('leader.mntr', FIXTURES), 'utf8').split('\n').map((line) => line.split('\t')[0]!.replace(/^zk_/, ''))
    const from = keys.indexOf('proposal_count')
    const standalone = MNTR_KEYS.slice(STANDALONE_GAUGE_COUNT).map((key) => key.name)
    expect(keys.slice(from, from + standalone.length)).toEqual(standalone)
  })
})

describe('advanced summaries', () => {
  it('read percentiles as Dropwizard\'s UniformSnapshot interpolates them, rounded', () => {
    const counter = new PercentileCounter()
    for (let i = 1; i <= 100; i++) counter.add(i)
    const entries = Object.fromEntries(summaryEntries('x', counter).map(([name, value]) => [name, value]))
    expect(entries).toEqual({ avg_x: 50.5, min_x: 1, max_x: 100, cnt_x: 100, sum_x: 5050, p50_x: 51, p95_x: 96, p99_x: 100, p999_x: 100 })
    counter.reset()
    expect(summaryEntries('x', counter).map(([, value]) => value)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0])
  })
})
