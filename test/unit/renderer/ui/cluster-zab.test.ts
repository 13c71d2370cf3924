// @vitest-environment happy-dom
// The cluster panel's ZAB views: the pure derivations (role lanes, elections with votes) and the components fed by
// clusters.timeline (history) and clusters.zab (live), against a scripted main.
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import type { ClusterZabEvent, ZabEventView } from '../../../../main/contract/model'
import ClusterPanel from '../../../../renderer/components/cluster/ClusterPanel.vue'
import { elections, roleLanes } from '../../../../renderer/components/cluster/zab-view'
import { i18n } from '../../../../renderer/i18n'
import { scriptedMain, settle } from './support/scripted-main'

const Stub = defineComponent({ setup: () => () => h('div', { class: 'stub' }) })
const global = { plugins: [i18n], stubs: { TimeChart: Stub } }

afterEach(() => {
  document.body.innerHTML = ''
})

const T0 = Date.now() - 60_000
let clock = T0
const at = (memberId: number, event: ZabEventView, dt = 5): ClusterZabEvent => {
  clock += dt
  return { clusterId: 'k1', memberId, time: clock, event }
}
const vote = (leader: number, round: number, zxid = '0x0') => ({ leader, zxid, epoch: 0, round })

/** A first election as a ZooDesk cluster reports it: 1 and 2 move their votes to 3, 3 leads epoch 1. */
function firstElection(): ClusterZabEvent[] {
  clock = T0
  return [
    at(1, { type: 'member', running: true, detail: 'pid 10' }),
    at(1, { type: 'state', state: 'LOOKING', leader: null }),
    at(1, { type: 'vote', vote: vote(1, 1) }),
    at(2, { type: 'state', state: 'LOOKING', leader: null }),
    at(2, { type: 'vote', vote: vote(2, 1) }),
    at(1, { type: 'notification', from: 2, state: 'LOOKING', vote: vote(2, 1) }),
    at(1, { type: 'vote', vote: vote(2, 1) }),
    at(3, { type: 'state', state: 'LOOKING', leader: null }),
    at(3, { type: 'vote', vote: vote(3, 1) }),
    at(1, { type: 'notification', from: 3, state: 'LOOKING', vote: vote(3, 1) }),
    at(1, { type: 'vote', vote: vote(3, 1) }),
    at(2, { type: 'vote', vote: vote(3, 1) }),
    at(3, { type: 'state', state: 'LEADING', leader: 3 }, 200),
    at(3, { type: 'elected', state: 'LEADING', leader: 3, electionMs: 230 }, 0),
    at(1, { type: 'state', state: 'FOLLOWING', leader: 3 }),
    at(1, { type: 'elected', state: 'FOLLOWING', leader: 3, electionMs: 250 }, 0),
    at(2, { type: 'state', state: 'FOLLOWING', leader: 3 }),
    at(2, { type: 'elected', state: 'FOLLOWING', leader: 3, electionMs: 240 }, 0),
    at(3, { type: 'established', epoch: 1 }, 50),
    at(1, { type: 'synced', leader: 3, epoch: 1, sync: 'diff' }),
    at(2, { type: 'synced', leader: 3, epoch: 1, sync: 'diff' }),
    at(3, { type: 'txns', proposals: 30, commits: 30, firstZxid: '0x100000001', lastZxid: '0x10000001e', windowMs: 250 }, 1000),
  ]
}

/** Leader 3 killed: 1 and 2 elect 2 in round 2. */
function reElection(): ClusterZabEvent[] {
  return [
    at(3, { type: 'member', running: false, detail: 'SIGKILL' }, 5000),
    at(1, { type: 'state', state: 'LOOKING', leader: null }, 300),
    at(1, { type: 'vote', vote: vote(1, 2, '0x10000001e') }),
    at(2, { type: 'state', state: 'LOOKING', leader: null }),
    at(2, { type: 'vote', vote: vote(2, 2, '0x10000001e') }),
    at(1, { type: 'vote', vote: vote(2, 2, '0x10000001e') }),
    at(2, { type: 'state', state: 'LEADING', leader: 2 }, 200),
    at(2, { type: 'elected', state: 'LEADING', leader: 2, electionMs: 221 }, 0),
    at(1, { type: 'state', state: 'FOLLOWING', leader: 2 }),
    at(1, { type: 'elected', state: 'FOLLOWING', leader: 2, electionMs: 215 }, 0),
    at(2, { type: 'established', epoch: 2 }, 40),
    at(1, { type: 'synced', leader: 2, epoch: 2, sync: 'diff' }),
  ]
}

describe('zab-view', () => {
  it('groups votes into elections: the path of each member, the winner, the time and the epoch', () => {
    const all = [...firstElection(), ...reElection()]
    const found = elections(all)
    expect(found).toHaveLength(2)
    const [first, second] = found as [ReturnType<typeof elections>[number], ReturnType<typeof elections>[number]]
    expect(first.leader).toBe(3)
    expect(first.epoch).toBe(1)
    expect(first.electionMs).toBe(250)
    expect(first.rounds).toEqual([1])
    expect(first.members.map((m) => [m.memberId, m.votes.map((v) => v.leader)])).toEqual([
      [1, [1, 2, 3]],
      [2, [2, 3]],
      [3, [3]],
    ])
    expect(first.members.find((m) => m.memberId === 1)!.sync).toBe('diff')
    expect(first.members.find((m) => m.memberId === 1)!.heard).toBe(2)
    expect(second.leader).toBe(2)
    expect(second.rounds).toEqual([2])
    expect(second.epoch).toBe(2)
    expect(second.members.map((m) => m.memberId)).toEqual([1, 2])
  })

  it('draws each member’s lane: looking, then its role; down after a kill', () => {
    const lanes = roleLanes([...firstElection(), ...reElection()], [1, 2, 3])
    expect(lanes.map((lane) => lane.segments.map((s) => s.state))).toEqual([
      ['LOOKING', 'FOLLOWING', 'LOOKING', 'FOLLOWING'],
      ['LOOKING', 'FOLLOWING', 'LOOKING', 'LEADING'],
      ['LOOKING', 'LEADING', 'down'],
    ])
    expect(lanes[0]!.segments.at(-1)).toMatchObject({ state: 'FOLLOWING', leader: 2, to: null })
  })

  it('counts an election still running as open, with no leader yet', () => {
    clock = T0
    const open = elections([at(1, { type: 'state', state: 'LOOKING', leader: null }), at(1, { type: 'vote', vote: vote(1, 4) })])
    expect(open[0]).toMatchObject({ end: null, leader: null, rounds: [4] })
  })
})

describe('ClusterPanel ZAB views', () => {
  const view = {
    clusterId: 'k1',
    name: 'Three',
    kind: 'zoodesk' as const,
    reconfigEnabled: false,
    connectString: '127.0.0.1:1,127.0.0.1:2,127.0.0.1:3',
    dataDir: '/tmp/k1',
    tickTimeMs: 2000,
    voters: 3,
    observers: 0,
    members: [1, 2, 3].map((id) => ({ id, role: 'voter' as const, state: 'running' as const, pid: 100 + id, clientPort: id, adminPort: null, kind: 'zoodesk' as const, disk: { mode: 'ok' as const, delayMs: 0 }, lastExit: null })),
    partition: null,
    running: true,
    isDefault: false,
  }

  it('shows the buffered election at once, then a live re-election with its votes and the new leader', async () => {
    const history = firstElection()
    const main = scriptedMain({
      'clusters.list': () => [view],
      'clusters.timeline': () => ({ events: history }),
      'health.watch': () => ({ monitorId: 'm1', members: [], latest: [], leader: null, hasQuorum: false }),
    })
    const { useClustersStore } = await import('../../../../renderer/stores/clusters')
    await useClustersStore().load()
    const wrapper = mount(ClusterPanel, { global, attachTo: document.body })
    await settle(10)
    expect(main.callsOf('clusters.timeline')).toEqual([{ clusterId: 'k1' }])
    let cards = wrapper.findAll('[data-test="cluster-election"]')
    expect(cards).toHaveLength(1)
    expect(cards[0]!.attributes('data-leader')).toBe('3')
    expect(cards[0]!.text()).toContain('Leader 3 elected')
    expect(cards[0]!.text()).toContain('epoch 1')
    const votesOf = (card: (typeof cards)[number], id: number) =>
      card.find(`[data-test="election-member"][data-member-id="${id}"]`).findAll('[data-test="election-vote"]').map((chip) => chip.text())
    expect(votesOf(cards[0]!, 1)).toEqual(['1', '2', '3'])
    expect(cards[0]!.find('[data-test="election-member"][data-member-id="1"]').text()).toContain('follows 3')
    expect(wrapper.findAll('[data-test="roles-lane"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="roles-lane"][data-member-id="3"] [data-current="true"]').attributes('data-state')).toBe('LEADING')

    for (const event of reElection()) main.emit('clusters.zab', event)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await settle()
    cards = wrapper.findAll('[data-test="cluster-election"]')
    expect(cards).toHaveLength(2)
    expect(cards[0]!.attributes('data-leader')).toBe('2')
    expect(votesOf(cards[0]!, 1)).toEqual(['1', '2'])
    expect(cards[0]!.text()).toContain('round 2')
    expect(wrapper.find('[data-test="roles-lane"][data-member-id="2"] [data-current="true"]').attributes('data-state')).toBe('LEADING')
    expect(wrapper.find('[data-test="roles-lane"][data-member-id="3"] [data-current="true"]').attributes('data-state')).toBe('down')
    expect(wrapper.findAll('[data-test="roles-elected"]').map((mark) => mark.attributes('data-leader'))).toEqual(['3', '2'])

    // Member 3 restarts and joins the running ensemble: its own short election, no new leader.
    for (const event of [
      at(3, { type: 'member', running: true, detail: 'pid 11' }, 3000),
      at(3, { type: 'state', state: 'LOOKING', leader: null }),
      at(3, { type: 'vote', vote: vote(3, 1, '0x10000001e') }),
      at(3, { type: 'notification', from: 2, state: 'LEADING', vote: vote(2, 2, '0x10000001e') }),
      at(3, { type: 'state', state: 'FOLLOWING', leader: 2 }),
      at(3, { type: 'elected', state: 'FOLLOWING', leader: 2, electionMs: 12 }, 0),
    ])
      main.emit('clusters.zab', event)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await settle()
    expect(wrapper.findAll('[data-test="cluster-election"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="cluster-election"]').text()).toContain('Member 3 rejoined leader 2')
    expect(wrapper.find('[data-test="roles-lane"][data-member-id="3"] [data-current="true"]').attributes('data-state')).toBe('FOLLOWING')

    i18n.global.locale.value = 'zh-CN'
    await settle()
    expect(wrapper.findAll('[data-test="cluster-election"]')[1]!.text()).toContain('选出 leader 2')
    i18n.global.locale.value = 'en'
  })
})
