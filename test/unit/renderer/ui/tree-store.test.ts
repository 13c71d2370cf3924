// @vitest-environment happy-dom
// The tree's model: lazy paged listings, rows computed in segments, live reloads from child watches, reveal.
import { describe, expect, it } from 'vitest'
import { PAGE_SIZE, flattenRows, rowModel, useTreeStore } from '../../../../renderer/stores/tree'
import { pageOf } from './support/fixtures'
import { scriptedMain, settle } from './support/scripted-main'

function names(count: number, prefix = 'n'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`)
}

describe('tree store', () => {
  it('lists 100,000 children page by page: rows exist for all, only visible pages are fetched', async () => {
    const big = names(100_000)
    const main = scriptedMain({
      'znodes.children': (args) => pageOf(args.path, args.path === '/' ? ['big', 'zookeeper'] : big, args.offset ?? 0, args.limit ?? 500, { big: { numChildren: 100_000 } }),
    })
    const tree = useTreeStore()
    await tree.expand('c1', '/')
    await tree.expand('c1', '/big')
    let model = rowModel(tree.state('c1').root, '')
    expect(model.count).toBe(1 + 2 + 100_000)
    expect(model.at(2)?.node?.path).toBe('/big/n000000')
    expect(model.at(3 + PAGE_SIZE)?.node).toBeNull()
    tree.ensureRows('c1', model, 50_000, 50_030)
    await settle()
    model = rowModel(tree.state('c1').root, '')
    expect(model.at(50_010)?.node?.name).toBe(big[50_010 - 2])
    expect(model.indexOf('/zookeeper')).toBe(100_002)
    const pages = main.callsOf('znodes.children').filter((call) => call.path === '/big')
    // Rows 50,000-50,029 are children 49,998-50,027: the two pages holding them, nothing else.
    expect(pages.map((call) => call.offset)).toEqual([0, Math.floor(49_998 / PAGE_SIZE) * PAGE_SIZE, Math.floor(50_027 / PAGE_SIZE) * PAGE_SIZE])
    // Only the first page arms the child watch; the next ones reuse its listing.
    expect(pages.map((call) => call.watch)).toEqual([true, false, false])
    expect(pages[1]?.cursor).toBe('cursor:/big')
  })

  it('reloads a node when its child watch fires, keeping expanded descendants expanded', async () => {
    let children = ['a', 'b']
    const main = scriptedMain({
      'znodes.children': (args) => pageOf(args.path, args.path === '/' ? children : ['x'], args.offset ?? 0, args.limit ?? 500, { a: { numChildren: 1 } }),
      'znodes.exists': () => ({ stat: null }),
    })
    const tree = useTreeStore()
    await tree.expand('c1', '/')
    await tree.expand('c1', '/a')
    expect(flattenRows(tree.state('c1').root, '').map((row) => row.node?.path)).toEqual(['/', '/a', '/a/x', '/b'])
    children = ['a', 'b', 'c']
    main.emit('watches.event', { time: 0, connectionId: 'c1', path: '/', type: 'NodeChildrenChanged', state: 'SyncConnected', watchKind: 'tree-children', watchId: null })
    await new Promise((resolve) => setTimeout(resolve, 250))
    await settle()
    expect(flattenRows(tree.state('c1').root, '').map((row) => row.node?.path)).toEqual(['/', '/a', '/a/x', '/b', '/c'])
  })

  it('filters loaded nodes by path and keeps their ancestors', async () => {
    scriptedMain({ 'znodes.children': (args) => pageOf(args.path, args.path === '/' ? ['app', 'zookeeper'] : ['config', 'locks'], args.offset ?? 0, 500, { app: { numChildren: 2 } }) })
    const tree = useTreeStore()
    await tree.expand('c1', '/')
    await tree.expand('c1', '/app')
    expect(flattenRows(tree.state('c1').root, 'lock').map((row) => row.node?.path)).toEqual(['/', '/app', '/app/locks'])
  })

  it('reveals a node deep in a long listing by binary search over one-name pages', async () => {
    const many = names(3000, 'item-')
    const main = scriptedMain({
      'znodes.children': (args) => pageOf(args.path, args.path === '/' ? ['q'] : many, args.offset ?? 0, args.limit ?? 500, { q: { numChildren: 3000 } }),
      'znodes.exists': () => ({ stat: null }),
    })
    const tree = useTreeStore()
    await tree.expand('c1', '/')
    await tree.reveal('c1', '/q/item-002500')
    const model = rowModel(tree.state('c1').root, '')
    expect(model.at(model.indexOf('/q/item-002500'))?.node?.name).toBe('item-002500')
    expect(tree.state('c1').selected).toBe('/q/item-002500')
    const probes = main.callsOf('znodes.children').filter((call) => call.limit === 1)
    expect(probes.length).toBeLessThanOrEqual(12)
  })
})
