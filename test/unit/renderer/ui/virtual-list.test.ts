// @vitest-environment happy-dom
// The virtualised tree's scrolling: a fixed pool of recycled row elements (scrolling patches elements, never creates
// or reorders them), ranges reported only when the rows change, pages fetched ahead of the scroll, and rows in view
// fetched again when a listing starts over.
import { mount } from '@vue/test-utils'
import { defineComponent, h, nextTick } from 'vue'
import { afterEach, describe, expect, it } from 'vitest'
import VirtualList from '../../../../renderer/components/tree/VirtualList.vue'
import { formatCount } from '../../../../renderer/lib/numbers'
import { type RowRange, poolSize, poolSlots, visibleRange } from '../../../../renderer/lib/virtual-range'
import { PAGE_SIZE, rowModel, useTreeStore } from '../../../../renderer/stores/tree'
import { pageOf } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

afterEach(() => {
  document.body.innerHTML = ''
})

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${String(i).padStart(6, '0')}`)
}

describe('row pool', () => {
  it('puts row i on element i % pool, in pool order, so rows that stay in view keep their element', () => {
    const size = poolSize(240, 24, 5)
    expect(size).toBe(10 + 1 + 10)
    const before = poolSlots(visibleRange(24 * 100, 240, 24, 100_000, 5), size)
    const after = poolSlots(visibleRange(24 * 103, 240, 24, 100_000, 5), size)
    expect(before.map((slot) => slot.key)).toEqual([...before.map((slot) => slot.key)].sort((a, b) => a - b))
    for (const slot of after) expect(slot.key).toBe(slot.index % size)
    const keyOf = (slots: typeof before, index: number) => slots.find((slot) => slot.index === index)?.key
    // Rows 98..115 are in both windows: same element before and after.
    for (let index = 98; index < 116; index++) expect(keyOf(after, index)).toBe(keyOf(before, index))
    // Each element shows one row.
    expect(new Set(after.map((slot) => slot.key)).size).toBe(after.length)
  })

  it('copes with short lists and windows larger than the pool', () => {
    expect(poolSlots({ start: 0, end: 3 }, 21)).toEqual([
      { key: 0, index: 0 },
      { key: 1, index: 1 },
      { key: 2, index: 2 },
    ])
    expect(poolSlots({ start: 5, end: 9 }, 2).map((slot) => slot.index).sort()).toEqual([5, 6, 7, 8])
    expect(poolSlots({ start: 0, end: 0 }, 21)).toEqual([])
  })

  it('formats counts as the system does', () => {
    expect(formatCount(100_000)).toBe((100_000).toLocaleString())
  })
})

describe('VirtualList', () => {
  const Host = defineComponent({
    props: { count: { type: Number, required: true } },
    emits: ['range'],
    setup(props, { emit }) {
      return () =>
        h(VirtualList, { count: props.count, rowHeight: 24, overscan: 5, onRange: (range: RowRange) => emit('range', range) }, { row: ({ index }: { index: number }) => h('span', { class: 'cell' }, `row ${index}`) })
    },
  })

  it('recycles its row elements while scrolling and reports a range only when the rows change', async () => {
    const wrapper = mount(Host, { props: { count: 100_000 }, attachTo: document.body })
    const viewport = wrapper.find('[data-test="virtual-list"]').element as HTMLElement
    const elements = () => [...viewport.querySelectorAll<HTMLElement>('.slot')]
    const elementOf = (index: number) => elements().find((element) => element.dataset['index'] === String(index))
    const first = elements()
    // 600 px assumed (no layout here): 25 rows + 1 + 5 overscan below.
    expect(first.map((element) => element.textContent)).toEqual(Array.from({ length: 31 }, (_, i) => `row ${i}`))
    const row20 = elementOf(20)
    const ranges = wrapper.emitted('range')!.length

    viewport.scrollTop = 24 * 10
    viewport.dispatchEvent(new Event('scroll'))
    await nextTick()
    expect(wrapper.emitted('range')!.length).toBe(ranges + 1)
    // No element was created or removed; row 20 is still on its element, rows scrolled in took freed ones.
    const now = elements()
    expect(now.length).toBe(first.length + 5)
    for (const element of first) expect(now).toContain(element)
    expect(elementOf(20)).toBe(row20)
    expect(elementOf(20)?.style.transform).toBe(`translateY(${20 * 24}px)`)
    expect(elementOf(40)?.textContent).toBe('row 40')
    const moved = elements()

    // Scrolling within the same rows: nothing to report, nothing re-rendered.
    viewport.scrollTop = 24 * 10 + 5
    viewport.dispatchEvent(new Event('scroll'))
    await nextTick()
    expect(wrapper.emitted('range')!.length).toBe(ranges + 1)

    // Far away: the same elements show the new rows.
    viewport.scrollTop = 24 * 50_000
    viewport.dispatchEvent(new Event('scroll'))
    await nextTick()
    expect(elements()).toEqual(moved)
    expect(elementOf(50_000)?.textContent).toBe('row 50000')
    expect(wrapper.emitted<[RowRange]>('range')!.at(-1)?.[0]).toEqual({ start: 49_995, end: 50_031 })
    wrapper.unmount()
  })
})

describe('tree pages ahead of the scroll', () => {
  it('fetches the visible pages first, then the next page before it scrolls into view', async () => {
    const big = names(100_000)
    const main = scriptedMain({
      'znodes.children': (args) => pageOf(args.path, args.path === '/' ? ['big'] : big, args.offset ?? 0, args.limit ?? 500, { big: { numChildren: 100_000 } }),
    })
    const tree = useTreeStore()
    await tree.expand('c1', '/')
    await tree.expand('c1', '/big')
    const model = rowModel(tree.state('c1').root, '')
    // Rows 2.. are the children; rows 150-180 are children 148-177, on page 0 (loaded); 100 rows ahead reach page 1.
    tree.ensureRows('c1', model, 150, 180, 100)
    await settle()
    const offsets = () => main.callsOf('znodes.children').filter((call) => call.path === '/big').map((call) => call.offset)
    expect(offsets()).toEqual([0, PAGE_SIZE])
    // In the middle: the page in view is asked before the ones ahead and behind.
    tree.ensureRows('c1', rowModel(tree.state('c1').root, ''), 50_002, 50_032, 100)
    await settle()
    expect(offsets().slice(2)).toEqual([50_000, 49_800])
  })
})

describe('explorer rows after a listing starts over', () => {
  it('keeps the rows in view and the scroll position while a child watch reloads the node, then fetches them again', async () => {
    const { default: App } = await import('../../../../renderer/src/App.vue')
    const { i18n } = await import('../../../../renderer/i18n')
    const { connection, stat } = await import('./support/fixtures')
    let children = names(1000)
    const Stub = defineComponent({ props: ['modelValue'], setup: () => () => h('div', { class: 'stub' }) })
    const main = scriptedMain({
      'app.info': () => ({ version: 'test', mode: 'browser', platform: 'linux', userDataDir: '/tmp/x', secretStorage: 'keyfile', defaultClusterId: null, defaultConnectionId: 'c1', confirmDeleteAbove: 10 }),
      'connections.list': () => [connection()],
      'connections.listProfiles': () => [],
      'clusters.list': () => [],
      'watches.list': () => [],
      'audit.list': () => ({ entries: [], total: 0 }),
      'znodes.children': (args) => pageOf(args.path, children, args.offset ?? 0, args.limit ?? 500),
      'znodes.get': (args) => ({ path: args.path, data: null, stat: stat(), kind: 'persistent' }),
      'znodes.exists': () => ({ stat: stat({ numChildren: children.length }) }),
    })
    const wrapper = mount(App, { global: { plugins: [i18n], stubs: { MonacoEditor: Stub, MonacoDiff: Stub, TimeChart: Stub, ConsolePanel: Stub } }, attachTo: document.body })
    await settle(20)
    const viewport = wrapper.find('[data-test="tree"] [data-test="virtual-list"]').element as HTMLElement
    viewport.scrollTop = 24 * 500
    viewport.dispatchEvent(new Event('scroll'))
    await settle(10)
    const placeholders = () => viewport.querySelectorAll('[data-test="tree-placeholder"]').length
    expect(placeholders()).toBe(0)
    expect(viewport.querySelector('[data-path="/n000500"]')).not.toBeNull()
    const before = main.callsOf('znodes.children').length
    // The list's height while the node is listed again: never collapsed (a browser would scroll to the top).
    const spacer = viewport.querySelector<HTMLElement>('.spacer')!
    const heights: number[] = []
    const observer = new MutationObserver(() => heights.push(Number.parseFloat(spacer.style.height)))
    observer.observe(spacer, { attributes: true, attributeFilter: ['style'] })
    children = [...children, 'n000500a']
    main.emit('watches.event', { time: 0, connectionId: 'c1', path: '/', type: 'NodeChildrenChanged', state: 'SyncConnected', watchKind: 'tree-children', watchId: null })
    await new Promise((resolve) => setTimeout(resolve, 250))
    await settle(10)
    // The reload lists page 0 again; the rows in view (children ~480-530) come back without a scroll.
    const offsets = main.callsOf('znodes.children').slice(before).map((call) => call.offset)
    expect(offsets).toContain(0)
    expect(offsets).toContain(400)
    expect(placeholders()).toBe(0)
    expect(viewport.querySelector('[data-path="/n000500a"]')).not.toBeNull()
    observer.disconnect()
    expect(heights.length).toBeGreaterThan(0)
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(1001 * 24)
    expect(viewport.scrollTop).toBe(24 * 500)
    wrapper.unmount()
  })
})
