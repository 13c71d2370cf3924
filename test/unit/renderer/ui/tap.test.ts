// @vitest-environment happy-dom
// The Tap view against a scripted main: attach by connection (the contract call it makes), state from tap.state,
// txns and counts from tap.txns batches in a virtual table, filters by type / path / session, pause and resume,
// detach; and the pure helpers (filter, per-second rates by type).
import { mount } from '@vue/test-utils'
import { defineComponent, h } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import type { TapTxnView, TapView as TapViewModel } from '../../../../main/contract/model'
import TapView from '../../../../renderer/components/tap/TapView.vue'
import { RateBuckets, filterRows, txnMatches } from '../../../../renderer/components/tap/tap-stream'
import { i18n } from '../../../../renderer/i18n'
import { useConnectionsStore } from '../../../../renderer/stores/connections'
import { connection } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

const Stub = defineComponent({ props: ['series', 'revision'], setup: (props) => () => h('div', { class: 'chart-stub', 'data-lines': (props.series as unknown[] | undefined)?.length ?? 0 }) })
const global = { plugins: [i18n], stubs: { TimeChart: Stub } }

afterEach(() => {
  document.body.innerHTML = ''
})

const txn = (counter: number, type: string, path: string, sessionId = '0x1000a'): TapTxnView => ({
  zxid: `0x1000000${counter.toString(16).padStart(2, '0')}`,
  type,
  sessionId,
  cxid: counter,
  time: 1_700_000_000_000 + counter,
  paths: path === '' ? [] : [path],
  dataBytes: 3,
  subTypes: [],
  errorCode: null,
})

function view(overrides: Partial<TapViewModel> = {}): TapViewModel {
  return {
    tapId: 't1',
    target: 'Local cluster',
    connectionId: 'c1',
    phase: 'finding-leader',
    serverId: '134622463328257',
    leaderId: null,
    leaderQuorumAddress: null,
    leaderClientAddress: null,
    epoch: null,
    lastZxid: null,
    syncMode: null,
    snapshotBytes: null,
    txnCount: 0,
    connections: 0,
    leaderChanges: 0,
    gaps: [],
    lastError: null,
    attachedAt: 0,
    liveSince: null,
    ...overrides,
  }
}

describe('tap-stream helpers', () => {
  it('filters by type, path substring and session (case and leading zeros aside)', () => {
    const rows = [txn(1, 'create', '/app/a'), txn(2, 'setData', '/app/a'), txn(3, 'createSession', '', '0x2000b'), txn(4, 'delete', '/other')]
    expect(filterRows(rows, { path: '', type: '', session: '' })).toBeNull()
    expect(filterRows(rows, { path: '/app', type: '', session: '' })).toEqual([0, 1])
    expect(filterRows(rows, { path: '', type: 'delete', session: '' })).toEqual([3])
    expect(filterRows(rows, { path: '', type: '', session: '0X0002000B' })).toEqual([2])
    expect(txnMatches(rows[0]!, { path: '/app', type: 'create', session: '0x1000a' })).toBe(true)
  })

  it('buckets counts per second and type, with zeros for quiet seconds and a total line', () => {
    const rates = new RateBuckets(300)
    const t0 = 1_700_000_000_000
    rates.add(t0 + 100, { create: 3, setData: 1 })
    rates.add(t0 + 900, { create: 2 })
    rates.add(t0 + 2_100, { delete: 4 })
    const lines = rates.series(t0 + 3_500, ['#111', '#222', '#333'], 'all')
    expect(lines.map((line) => line.label)).toEqual(['all', 'create', 'delete', 'setData'])
    expect(lines[0]!.x).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_002])
    expect(lines[0]!.y).toEqual([6, 0, 4])
    expect(lines[1]!.y).toEqual([5, 0, 0])
    expect(lines[2]!.y).toEqual([0, 0, 4])
  })
})

describe('TapView', () => {
  it('attaches by connection, shows state, streams rows and counts, filters, pauses and detaches', async () => {
    const main = scriptedMain({
      'tap.list': () => [],
      'tap.attach': () => view(),
      'tap.detach': () => ({ detached: true }),
    })
    useConnectionsStore().connections = [connection()]
    const wrapper = mount(TapView, { global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="tap-empty"]').exists()).toBe(true)
    await wrapper.find('[data-test="tap-quorum-address"]').setValue('127.0.0.1:2888')
    await wrapper.find('[data-test="tap-attach-form"]').trigger('submit')
    await settle()
    expect(main.callsOf('tap.attach')).toEqual([{ connectionId: 'c1', quorumAddress: '127.0.0.1:2888' }])
    expect(wrapper.find('[data-test="tap-phase"]').text()).toBe('finding leader')

    main.emit('tap.state', view({ phase: 'live', leaderId: 3, leaderQuorumAddress: '127.0.0.1:2888', epoch: 2, syncMode: 'DIFF', lastZxid: '0x200000000', connections: 1 }))
    await settle()
    expect(wrapper.find('[data-test="tap-state"]').attributes('data-phase')).toBe('live')
    expect(wrapper.find('[data-test="tap-leader"]').text()).toBe('3')
    expect(wrapper.find('[data-test="tap-epoch"]').text()).toBe('2')

    const now = Date.now()
    main.emit('tap.txns', { tapId: 't1', time: now, txns: [txn(1, 'createSession', ''), txn(2, 'create', '/app/a'), txn(3, 'setData', '/app/a')], counts: { createSession: 1, create: 1, setData: 1 }, omitted: 0, txnCount: 3, lastZxid: '0x100000003' })
    main.emit('tap.txns', { tapId: 'other', time: now, txns: [txn(9, 'delete', '/x')], counts: { delete: 1 }, omitted: 0, txnCount: 1, lastZxid: '0x9' })
    await settle()
    expect(wrapper.findAll('[data-test="tap-row"]').map((row) => row.attributes('data-type'))).toEqual(['setData', 'create', 'createSession']) // newest first
    expect(wrapper.find('[data-test="tap-total"]').text()).toBe('3')
    expect(wrapper.find('[data-test="tap-count"][data-type="create"]').text()).toContain('1')
    expect(wrapper.find('[data-test="tap-last-zxid"]').text()).toBe('0x100000003')

    await wrapper.find('[data-test="tap-filter-type"]').setValue('create')
    expect(wrapper.findAll('[data-test="tap-row"]').map((row) => row.attributes('data-zxid'))).toEqual(['0x100000002'])
    await wrapper.find('[data-test="tap-filter-type"]').setValue('')
    await wrapper.find('[data-test="tap-filter-path"]').setValue('/app')
    expect(wrapper.findAll('[data-test="tap-row"]')).toHaveLength(2)
    await wrapper.find('[data-test="tap-filter-path"]').setValue('')

    // Paused: counts move, the table does not; resume shows what arrived meanwhile.
    await wrapper.find('[data-test="tap-pause"]').trigger('click')
    main.emit('tap.txns', { tapId: 't1', time: now, txns: [txn(4, 'delete', '/app/a')], counts: { delete: 1 }, omitted: 0, txnCount: 4, lastZxid: '0x100000004' })
    await settle()
    expect(wrapper.findAll('[data-test="tap-row"]')).toHaveLength(3)
    expect(wrapper.find('[data-test="tap-total"]').text()).toBe('4')
    await wrapper.find('[data-test="tap-pause"]').trigger('click')
    await settle()
    expect(wrapper.findAll('[data-test="tap-row"]')).toHaveLength(4)

    main.emit('tap.state', view({ phase: 'reconnecting', leaderId: 3, lastError: 'connection to the leader ended', gaps: [{ afterZxid: '0x10', beforeZxid: '0x20', count: 15, reason: 'SNAP' }], leaderChanges: 1 }))
    await settle()
    expect(wrapper.find('[data-test="tap-error"]').text()).toContain('connection to the leader ended')
    expect(wrapper.find('[data-test="tap-gaps"]').text()).toBe('Gaps: 1')
    expect(wrapper.find('[data-test="tap-leader-changes"]').exists()).toBe(true)

    await wrapper.find('[data-test="tap-detach"]').trigger('click')
    await settle()
    expect(main.callsOf('tap.detach')).toEqual([{ tapId: 't1' }])
    expect(wrapper.find('[data-test="tap-state"]').attributes('data-phase')).toBe('stopped')
    expect(wrapper.find('[data-test="tap-attach"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('shows every string in Chinese too', async () => {
    scriptedMain({ 'tap.list': () => [view({ phase: 'live', leaderId: 1 })] })
    const wrapper = mount(TapView, { global, attachTo: document.body })
    // After mounting: the app store picks the system language when it is created.
    i18n.global.locale.value = 'zh-CN'
    try {
      await settle()
      expect(wrapper.find('[data-test="tap-phase"]').text()).toBe('实时')
      expect(wrapper.find('[data-test="tap-pause"]').text()).toBe('暂停')
      wrapper.unmount()
    } finally {
      i18n.global.locale.value = 'en'
    }
  })
})
