// @vitest-environment happy-dom
// The History tab against a scripted main: versions listed newest first with who and when, the diff of two versions
// (Monaco stubbed: it runs in the e2e test), restore sent with the current version as the expected one, and a
// concurrent change (BADVERSION) shown in the tab. The real main is exercised by test/integration/history and
// test/e2e/history.test.ts.
import { mount } from '@vue/test-utils'
import { defineComponent, h, nextTick } from 'vue'
import { describe, expect, it } from 'vitest'
import type { NodeHistoryView, NodeVersionView } from '../../../../main/contract/model'
import HistoryChart from '../../../../renderer/components/history/HistoryChart.vue'
import NodeHistory from '../../../../renderer/components/history/NodeHistory.vue'
import { defaultPair, shortSession } from '../../../../renderer/components/history/history-text'
import { i18n } from '../../../../renderer/i18n'
import { useAppStore } from '../../../../renderer/stores/app'
import { stat } from './support/fixtures'
import { keeperError, scriptedMain, settle } from './support/scripted-main'

const DiffStub = defineComponent({
  props: { original: String, modified: String, language: String, theme: String },
  setup(props) {
    return () => h('div', { class: 'diff-stub' }, [h('pre', { class: 'left' }, props.original), h('pre', { class: 'right' }, props.modified)])
  },
})
// uPlot needs a real canvas (it runs in the e2e test); the stub keeps the chart's props and events.
const global = { plugins: [i18n], stubs: { MonacoDiff: DiffStub, HistoryChart: true } }

const version = (zxid: string, kind: NodeVersionView['kind'], v: number, sessionId: string | null): NodeVersionView => ({
  zxid,
  time: 1_700_000_000_000,
  kind,
  version: v,
  aclVersion: 0,
  sessionId,
  clientAddress: sessionId === null ? null : '127.0.0.1:40000',
  sessionCreatedAt: null,
  dataBytes: kind === 'delete' ? 2 : 2,
  inMulti: false,
  ephemeral: false,
})

const history: NodeHistoryView = {
  connectionId: 'c1',
  path: '/app',
  source: 'txnLog',
  partial: false,
  clusterId: 'k1',
  memberId: 2,
  startsWithCreate: true,
  versions: [version('0x100000002', 'create', 0, '0x10000aaaa0000'), version('0x100000003', 'setData', 1, '0x10000bbbb0000'), version('0x100000004', 'setData', 2, '0x10000aaaa0000')],
  currentVersion: 2,
  elapsedMs: 5,
}
const data: Record<string, string> = { '0x100000002': 'v0', '0x100000003': 'v1', '0x100000004': 'v2' }

async function confirmDialog(): Promise<void> {
  for (let i = 0; i < 20 && useAppStore().confirmation === null; i++) await nextTick()
  useAppStore().confirmation?.resolve(true)
}

describe('NodeHistory', () => {
  it('lists versions newest first, diffs the last two, restores over the current version', async () => {
    const main = scriptedMain({
      'history.list': () => history,
      'history.version': (args) => ({ zxid: args.zxid, data: btoa(data[args.zxid] ?? ''), dataKnown: true, acl: null }),
      'history.restore': (args) => ({ zxid: args.zxid, stat: { ...stat(), version: 3 } }),
    })
    const wrapper = mount(NodeHistory, { props: { connectionId: 'c1', path: '/app' }, global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="history-source"]').text()).toContain('member 2')
    const rows = wrapper.findAll('[data-test^="history-row-"]')
    expect(rows.map((row) => row.attributes('data-kind'))).toEqual(['setData', 'setData', 'create'])
    expect(rows[0]!.find('[data-test="history-who"]').text()).toContain('127.0.0.1:40000')
    expect(wrapper.find('.diff-stub .left').text()).toBe('v1')
    expect(wrapper.find('.diff-stub .right').text()).toBe('v2')

    const restoring = wrapper.find('[data-test="history-restore-0x100000002"]').trigger('click')
    await confirmDialog()
    await restoring
    await settle()
    expect(main.callsOf('history.restore')).toEqual([{ connectionId: 'c1', path: '/app', zxid: '0x100000002', expectedVersion: 2 }])
    expect(main.callsOf('history.list').length).toBe(2)
    wrapper.unmount()
  })

  it('a point picked on the chart becomes B (Shift: A) of the diff', async () => {
    scriptedMain({
      'history.list': () => history,
      'history.version': (args) => ({ zxid: args.zxid, data: btoa(data[args.zxid] ?? ''), dataKnown: true, acl: null }),
    })
    const wrapper = mount(NodeHistory, { props: { connectionId: 'c1', path: '/app' }, global, attachTo: document.body })
    await settle()
    const chart = wrapper.findComponent(HistoryChart)
    expect(chart.props('versions')).toHaveLength(3)
    chart.vm.$emit('pick', '0x100000002', 'right')
    await settle()
    expect(wrapper.find('.diff-stub .right').text()).toBe('v0')
    chart.vm.$emit('pick', '0x100000003', 'left')
    await settle()
    expect(wrapper.find('.diff-stub .left').text()).toBe('v1')
    wrapper.unmount()
  })

  it('shows a concurrent change (BADVERSION): nothing was overwritten', async () => {
    scriptedMain({
      'history.list': () => history,
      'history.version': (args) => ({ zxid: args.zxid, data: btoa(data[args.zxid] ?? ''), dataKnown: true, acl: null }),
      'history.restore': () => {
        throw keeperError('BADVERSION', '/app')
      },
    })
    const wrapper = mount(NodeHistory, { props: { connectionId: 'c1', path: '/app' }, global, attachTo: document.body })
    await settle()
    const restoring = wrapper.find('[data-test="history-restore-0x100000003"]').trigger('click')
    await confirmDialog()
    await restoring
    await settle()
    expect(wrapper.find('[data-test="history-refused"]').text()).toContain('BADVERSION')
    wrapper.unmount()
  })

  it('labels a watch timeline as partial', async () => {
    scriptedMain({
      'history.list': () => ({ ...history, source: 'watch', partial: true, clusterId: null, memberId: null, versions: [version('0x5', 'seen', 4, null)] }),
      'history.version': (args) => ({ zxid: args.zxid, data: btoa('x'), dataKnown: true, acl: null }),
    })
    const wrapper = mount(NodeHistory, { props: { connectionId: 'c1', path: '/app' }, global, attachTo: document.body })
    await settle()
    expect(wrapper.find('[data-test="history-source"]').text()).toContain('Partial')
    expect(wrapper.find('[data-test="history-who"]').text()).toBe('—')
    wrapper.unmount()
  })
})

describe('history helpers', () => {
  it('pairs the last two versions with data and shortens sessions', () => {
    expect(defaultPair(history)).toEqual(['0x100000003', '0x100000004'])
    expect(defaultPair({ ...history, versions: [] })).toBeNull()
    expect(shortSession('0x10000aaaa0000')).toBe('0x1000…0000')
    expect(shortSession(null)).toBe('—')
  })
})
