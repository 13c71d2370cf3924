// @vitest-environment happy-dom
// The rate chart above the txn list: what main's rate answer becomes (bars in txns per second, counts by type), a
// range dragged on the chart turned into the time filter main receives (snapped out to whole buckets), a type count
// clicked turned into a type filter. uPlot needs a canvas (the e2e test drags on it in Chromium): here a stand-in
// chart shows the series it is given and emits the drag.
import { mount } from '@vue/test-utils'
import { defineComponent, h, type PropType } from 'vue'
import { describe, expect, it } from 'vitest'
import type { ForensicDataDirView, ForensicTxnRate } from '../../../../main/contract/model'
import TxnRatePanel from '../../../../renderer/components/forensics/TxnRatePanel.vue'
import { bucketLabel, draggedRange, rateSeries } from '../../../../renderer/components/forensics/txn-rate'
import { i18n } from '../../../../renderer/i18n'
import { filterArgs, useForensicsStore } from '../../../../renderer/stores/forensics'
import { scriptedMain, settle } from './support/scripted-main'

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0)
const rate: ForensicTxnRate = {
  total: 70,
  fromTime: T0,
  bucketMs: 5000,
  counts: [10, 0, 50, 10],
  byType: [
    { type: 'setData', count: 60 },
    { type: 'create', count: 8 },
    { type: 'closeSession', count: 2 },
  ],
}

const dataDir = { dataDirId: 'd1', path: '/srv/zk', snapshots: [], logs: [], problems: [], lastZxid: null, txnCount: 70 } as unknown as ForensicDataDirView

const ChartStub = defineComponent({
  props: { series: { type: Object as PropType<{ x: number[]; y: number[] }>, required: true } },
  emits: ['select'],
  setup: (props, { emit }) => () =>
    h('div', { 'data-test': 'chart-stub', 'data-y': props.series.y.join(','), 'data-x': props.series.x.join(','), onClick: () => emit('select', (T0 + 6000) / 1000, (T0 + 11_000) / 1000) }),
})

describe('txn rate arithmetic', () => {
  it('turns counts into txns per second at bucket starts, and a drag into whole buckets', () => {
    expect(rateSeries(rate)).toEqual({ x: [0, 5, 10, 15].map((s) => T0 / 1000 + s), y: [2, 0, 10, 2] })
    expect(draggedRange(rate, (T0 + 6000) / 1000, (T0 + 11_000) / 1000)).toEqual({ fromMs: T0 + 5000, toMs: T0 + 14_999 })
    // Dragged right to left, and past either end of the data.
    expect(draggedRange(rate, (T0 + 99_000) / 1000, (T0 - 99_000) / 1000)).toEqual({ fromMs: T0, toMs: T0 + 19_999 })
    expect(draggedRange({ ...rate, fromTime: null, counts: [] }, 0, 1)).toBeNull()
    expect([500, 5000, 120_000, 3_600_000, 172_800_000].map(bucketLabel)).toEqual(['500 ms', '5 s', '2 min', '1 h', '2 d'])
  })
})

describe('TxnRatePanel', () => {
  it('draws the rate of the applied filter, narrows the time filter to the dragged buckets and filters by a clicked type', async () => {
    const main = scriptedMain({
      'forensics.txns': (args) => ({ total: 70, offset: args.offset ?? 0, rows: [] }),
      'forensics.rate': () => rate,
    })
    const forensics = useForensicsStore()
    forensics.dataDir = dataDir
    const wrapper = mount(TxnRatePanel, { global: { plugins: [i18n], stubs: { TxnRateChart: ChartStub } } })
    await settle()
    expect(main.callsOf('forensics.rate')).toEqual([{ dataDirId: 'd1', filter: {} }])
    expect(wrapper.find('[data-test="chart-stub"]').attributes('data-y')).toBe('2,0,10,2')
    expect(wrapper.find('[data-test="forensics-rate-caption"]').text()).toContain('5 s buckets')
    expect(wrapper.find('[data-test="forensics-rate-caption"]').text()).toContain('peak 10/s')
    expect(wrapper.findAll('[data-test="forensics-type-count"]').map((one) => one.text())).toEqual(['setData 60', 'create 8', 'closeSession 2'])
    expect(wrapper.find('[data-test="forensics-rate-widen"]').exists()).toBe(false)

    // A drag from 6 s to 11 s covers the buckets starting at 5 s and 10 s: the filter is [5 s, 15 s), to the second.
    await wrapper.find('[data-test="chart-stub"]').trigger('click')
    await settle()
    const narrowed = main.callsOf('forensics.txns').at(-1)!.filter!
    expect(narrowed).toMatchObject({ fromTime: T0 + 5000, toTime: T0 + 14_999 })
    expect(main.callsOf('forensics.rate').at(-1)!.filter).toEqual(narrowed)
    expect(filterArgs(forensics.filter)).toEqual(narrowed)
    expect(wrapper.find('[data-test="forensics-rate-widen"]').exists()).toBe(true)

    // A type count: only that type; the same again: all types. Then the whole time range back.
    await wrapper.find('[data-test="forensics-type-count"][data-type="create"]').trigger('click')
    await settle()
    expect(main.callsOf('forensics.txns').at(-1)!.filter).toMatchObject({ types: ['create'], fromTime: T0 + 5000 })
    expect(wrapper.find('[data-type="create"]').classes()).toContain('on')
    await wrapper.find('[data-test="forensics-type-count"][data-type="create"]').trigger('click')
    await settle()
    expect(main.callsOf('forensics.txns').at(-1)!.filter!.types).toBeUndefined()
    await wrapper.find('[data-test="forensics-rate-widen"]').trigger('click')
    await settle()
    expect(main.callsOf('forensics.rate').at(-1)!.filter).toEqual({})
    wrapper.unmount()
  })

  it('stays empty when main has no rate to give', async () => {
    scriptedMain({ 'forensics.txns': (args) => ({ total: 0, offset: args.offset ?? 0, rows: [] }) })
    useForensicsStore().dataDir = dataDir
    const wrapper = mount(TxnRatePanel, { global: { plugins: [i18n], stubs: { TxnRateChart: ChartStub } } })
    await settle()
    expect(wrapper.find('[data-test="forensics-rate"]').exists()).toBe(false)
    wrapper.unmount()
  })
})
