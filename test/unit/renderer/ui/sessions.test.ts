// @vitest-environment happy-dom
// The Sessions view against a scripted main: lists the active connection's sessions (the contract call it makes),
// shows member, address and counts, expands a row to its ephemerals and watches, filters, explains a 4lw gap and
// why expiring is not possible, and expires through sessions.expire after a confirmation in a local cluster.
import { mount } from '@vue/test-utils'
import { nextTick } from 'vue'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LiveSessionView, SessionLensView } from '../../../../main/contract/model'
import SessionsView from '../../../../renderer/components/sessions/SessionsView.vue'
import { filterSessions } from '../../../../renderer/components/sessions/session-filter'
import { i18n } from '../../../../renderer/i18n'
import { useAppStore } from '../../../../renderer/stores/app'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const global = { plugins: [i18n] }

afterEach(() => {
  document.body.innerHTML = ''
})

const session = (id: string, memberId: number, ephemerals: string[], watches: string[]): LiveSessionView => ({
  sessionId: id,
  connections: [{ member: `127.0.0.1:218${memberId}`, memberId, clientAddress: `127.0.0.1:5000${memberId}`, lastOperation: 'GETD', queued: 0, received: 4, sent: 4, establishedAt: 1, lastLatencyMs: 1, avgLatencyMs: 1, maxLatencyMs: 2 }],
  timeoutMs: 10000,
  ephemerals,
  watches,
  tracked: true,
})

function lens(overrides: Partial<SessionLensView> = {}): SessionLensView {
  return {
    sessions: [session('0x0000000000000001', 1, ['/app/a', '/app/b'], ['/app']), session('0x0000000000000002', 2, [], ['/cfg'])],
    dumpFrom: '127.0.0.1:2182',
    members: [1, 2, 3].map((id) => ({ address: `127.0.0.1:218${id}`, memberId: id, mode: id === 2 ? 'leader' : 'follower' })),
    gaps: [],
    clusterId: 'k1',
    expire: { possible: true },
    takenAt: 0,
    tookMs: 12,
    ...overrides,
  }
}

describe('session-filter', () => {
  it('matches id, member, client address and paths; all words must match', () => {
    const sessions = lens().sessions
    expect(filterSessions(sessions, '/app/b').map((s) => s.sessionId)).toEqual(['0x0000000000000001'])
    expect(filterSessions(sessions, '#2').map((s) => s.sessionId)).toEqual(['0x0000000000000002'])
    expect(filterSessions(sessions, '50002 /cfg').map((s) => s.sessionId)).toEqual(['0x0000000000000002'])
    expect(filterSessions(sessions, '50001 /cfg')).toEqual([])
    expect(filterSessions(sessions, '  ')).toHaveLength(2)
  })
})

describe('SessionsView', () => {
  it('lists, expands, filters and expires a session of a local cluster', async () => {
    const main = scriptedMain({
      'clusters.list': () => [],
      'sessions.list': () => lens(),
      'sessions.expire': () => ({ expired: true, tookMs: 800 }),
    })
    useConnectionsStore().connections = [connection()]
    useConnectionsStore().activeId = 'c1'
    const wrapper = mount(SessionsView, { global, attachTo: document.body })
    await settle()
    expect(main.callsOf('sessions.list')).toEqual([{ connectionId: 'c1' }])
    const row = wrapper.find('[data-test="session-0x0000000000000001"]')
    expect(row.find('[data-test="session-member"]').text()).toBe('#1 127.0.0.1:2181')
    expect(row.find('[data-test="session-client"]').text()).toBe('127.0.0.1:50001')
    expect(row.find('[data-test="session-ephemeral-count"]').text()).toBe('2')
    await row.trigger('click')
    expect(wrapper.find('[data-test="session-detail-0x0000000000000001"]').text()).toContain('/app/b')

    await wrapper.find('[data-test="sessions-filter"]').setValue('/cfg')
    expect(wrapper.findAll('tr.session-row')).toHaveLength(1)
    await wrapper.find('[data-test="sessions-filter"]').setValue('')

    await wrapper.find('[data-test="session-0x0000000000000002"] [data-test="session-expire"]').trigger('click')
    for (let i = 0; i < 20 && useAppStore().confirmation === null; i++) await nextTick()
    useAppStore().confirmation?.resolve(true)
    await settle()
    expect(main.callsOf('sessions.expire')).toEqual([{ clusterId: 'k1', sessionId: '0x0000000000000002' }])
    expect(main.callsOf('sessions.list')).toHaveLength(2)
  })

  it('says which words a member does not allow, and why expiring is impossible on Apache', async () => {
    scriptedMain({
      'clusters.list': () => [],
      'sessions.list': () =>
        lens({ gaps: [{ member: '127.0.0.1:2183', word: 'wchc', reason: 'not-allowed', message: '' }], expire: { possible: false, reason: 'apache' } }),
    })
    useConnectionsStore().connections = [connection()]
    useConnectionsStore().activeId = 'c1'
    const wrapper = mount(SessionsView, { global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="sessions-gaps"]').text()).toContain('wchc is not allowed on 127.0.0.1:2183')
    expect(wrapper.find('[data-test="sessions-expire-note"]').text()).toContain('Apache ZooKeeper has no four-letter word or AdminServer command')
    expect(wrapper.find('[data-test="session-expire"]').attributes('disabled')).toBeDefined()
  })
  it('live: asks again every few seconds until switched off, and stops when unmounted', async () => {
    vi.useFakeTimers()
    try {
      let round = 0
      const main = scriptedMain({
        'clusters.list': () => [],
        'sessions.list': () => lens({ sessions: lens().sessions.slice(0, ++round === 1 ? 1 : 2) }),
      })
      useConnectionsStore().connections = [connection()]
      useConnectionsStore().activeId = 'c1'
      const wrapper = mount(SessionsView, { global, attachTo: document.body })
      await vi.advanceTimersByTimeAsync(10)
      expect(wrapper.findAll('tr.session-row')).toHaveLength(1)
      await wrapper.find('[data-test="sessions-live"]').setValue(true)
      await vi.advanceTimersByTimeAsync(3100)
      expect(main.callsOf('sessions.list')).toHaveLength(2)
      expect(wrapper.findAll('tr.session-row')).toHaveLength(2)
      await wrapper.find('[data-test="sessions-live"]').setValue(false)
      await vi.advanceTimersByTimeAsync(10_000)
      expect(main.callsOf('sessions.list')).toHaveLength(2)
      await wrapper.find('[data-test="sessions-live"]').setValue(true)
      wrapper.unmount()
      await vi.advanceTimersByTimeAsync(10_000)
      expect(main.callsOf('sessions.list')).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })
})
