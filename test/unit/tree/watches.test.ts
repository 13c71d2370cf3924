import { describe, expect, it } from 'vitest'
import { Perms } from '../../../engine/proto/data-records'
import { WatcherType } from '../../../engine/proto/enums'
import { OpCode } from '../../../engine/proto/opcodes'
import { digestOf } from '../../../engine/tree/acl'
import { DataTree } from '../../../engine/tree/data-tree'
import { RecordingWatcher, TxnDriver } from './helpers'

function setup(options?: ConstructorParameters<typeof DataTree>[0]) {
  const tree = new DataTree(options)
  const driver = new TxnDriver(tree)
  return { tree, driver }
}

describe('standard (one-shot) watches', () => {
  it('exists on an absent node fires NodeCreated once', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    expect(tree.exists('/a', w)).toBeNull()
    driver.create('/a')
    driver.setData('/a', 'x')
    expect(w.take()).toEqual(['created /a'])
    expect(tree.watchCount()).toBe(0)
  })

  it('getData fires NodeDataChanged, and NodeDeleted when the node goes', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const w = new RecordingWatcher()
    tree.getData('/a', w)
    driver.setData('/a', 'x')
    tree.getData('/a', w)
    driver.delete('/a')
    expect(w.take()).toEqual(['data /a', 'deleted /a'])
  })

  it('getChildren fires NodeChildrenChanged for a child create or delete, NodeDeleted for the node itself', () => {
    const { tree, driver } = setup()
    driver.create('/p')
    const w = new RecordingWatcher()
    tree.getChildren('/p', w)
    driver.create('/p/c')
    driver.create('/p/d')
    tree.getChildren('/p', w)
    driver.delete('/p/c')
    driver.setData('/p', 'no event for data')
    tree.getChildren('/p', w)
    driver.delete('/p/d')
    tree.getChildren('/p', w)
    driver.delete('/p')
    expect(w.take()).toEqual(['children /p', 'children /p', 'children /p', 'deleted /p'])
  })

  it('children of the root are reported on "/"', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    tree.getChildren('/', w)
    driver.create('/top')
    expect(w.take()).toEqual(['children /'])
  })

  it('a connection with data and child watches on a deleted node hears NodeDeleted once', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const w = new RecordingWatcher()
    tree.getData('/a', w)
    tree.exists('/a', w)
    tree.getChildren('/a', w)
    driver.delete('/a')
    expect(w.take()).toEqual(['deleted /a'])
    expect(tree.watchCount()).toBe(0)
  })

  it('every watching connection gets its own event; setACL fires nothing', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const one = new RecordingWatcher()
    const two = new RecordingWatcher()
    tree.getData('/a', one)
    tree.getData('/a', two)
    driver.apply({ type: OpCode.setACL, txn: { path: '/a', acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], version: 1 } })
    expect(one.events).toEqual([])
    driver.setData('/a', 'x')
    expect(one.take()).toEqual(['data /a'])
    expect(two.take()).toEqual(['data /a'])
  })

  it('does not match other paths: no events for children on a data watch or grandchildren on a child watch', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    driver.create('/a/b')
    const w = new RecordingWatcher()
    tree.getData('/a', w)
    tree.getChildren('/a', w)
    driver.create('/a/b/c')
    driver.setData('/a/b', 'x')
    expect(w.take()).toEqual([])
  })
})

describe('persistent and recursive watches (addWatch)', () => {
  it('a persistent watch hears all four events for its own path and stays', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    tree.addWatch('/a', w, 0)
    driver.create('/a')
    driver.setData('/a', '1')
    driver.setData('/a', '2')
    driver.create('/a/kid')
    driver.create('/a/kid/grandkid')
    driver.setData('/a/kid', 'no')
    driver.delete('/a/kid/grandkid')
    driver.delete('/a/kid')
    driver.delete('/a')
    driver.create('/a')
    expect(w.take()).toEqual([
      'created /a', 'data /a', 'data /a', 'children /a', 'children /a', 'deleted /a', 'created /a',
    ])
    expect(tree.watchCount()).toBe(2)
  })

  it('a recursive watch hears created/deleted/data for the subtree, never NodeChildrenChanged', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    tree.addWatch('/r', w, 1)
    driver.create('/r')
    driver.create('/r/a')
    driver.create('/r/a/b')
    driver.setData('/r/a/b', 'x')
    driver.delete('/r/a/b')
    driver.create('/rx')
    driver.create('/other')
    expect(w.take()).toEqual(['created /r', 'created /r/a', 'created /r/a/b', 'data /r/a/b', 'deleted /r/a/b'])
  })

  it('sends one event per connection per (event, path) even with several matching watches', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const w = new RecordingWatcher()
    tree.addWatch('/', w, 1)
    tree.addWatch('/a', w, 1)
    tree.exists('/a/b', w)
    driver.create('/a/b')
    driver.setData('/a/b', 'x')
    expect(w.take()).toEqual(['created /a/b', 'data /a/b'])
  })

  it('a recursive watch at the root sees everything below it', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    tree.addWatch('/', w, 1)
    driver.create('/x')
    driver.create('/x/y')
    driver.delete('/x/y')
    expect(w.take()).toEqual(['created /x', 'created /x/y', 'deleted /x/y'])
  })

  it('a recursive watch plus a child watch on the deleted node still yields one NodeDeleted', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    driver.create('/a/b')
    const w = new RecordingWatcher()
    tree.addWatch('/a', w, 1)
    tree.getChildren('/a/b', w)
    driver.delete('/a/b')
    expect(w.take()).toEqual(['deleted /a/b'])
  })

  it('3.8 quirk: a standard watch on a path with a persistent one turns it standard (fires once)', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const w = new RecordingWatcher()
    tree.addWatch('/a', w, 0)
    tree.getData('/a', w)
    driver.setData('/a', '1')
    driver.setData('/a', '2')
    expect(w.take()).toEqual(['data /a'])
    // The child table kept its persistent mode: only the data table was reset.
    driver.create('/a/k')
    driver.create('/a/l')
    expect(w.take()).toEqual(['children /a', 'children /a'])
  })

  it('keeps the recursive-watch count right so ancestor walks stop when none are left', () => {
    const { tree } = setup()
    const w = new RecordingWatcher()
    tree.addWatch('/a', w, 1)
    tree.addWatch('/b', w, 1)
    expect(tree.watchManager.dataWatches.recursiveWatchCount).toBe(2)
    tree.addWatch('/a', w, 0)
    expect(tree.watchManager.dataWatches.recursiveWatchCount).toBe(1)
    expect(tree.removeWatches('/b', WatcherType.Data, w)).toBe(true)
    expect(tree.watchManager.dataWatches.recursiveWatchCount).toBe(0)
    expect(tree.watchManager.childWatches.recursiveWatchCount).toBe(1)
    tree.removeWatcher(w)
    expect(tree.watchManager.childWatches.recursiveWatchCount).toBe(0)
  })
})

describe('READ filtering of events (3.8.4+)', () => {
  const alice = { scheme: 'digest', id: digestOf('alice', 'pw') }
  const aliceOnly = [{ perms: Perms.ALL, id: alice }]
  const writeOnlyWorld = [{ perms: Perms.WRITE | Perms.CREATE | Perms.DELETE, id: { scheme: 'world', id: 'anyone' } }]

  it('drops NodeDataChanged and NodeDeleted for connections without READ on the node', () => {
    const { tree, driver } = setup()
    driver.create('/secret', 's', { acl: aliceOnly })
    const stranger = new RecordingWatcher()
    const owner = new RecordingWatcher(77n, [alice])
    for (const w of [stranger, owner]) tree.getData('/secret', w)
    driver.setData('/secret', 'x')
    for (const w of [stranger, owner]) tree.getData('/secret', w)
    driver.delete('/secret')
    expect(stranger.take()).toEqual([])
    expect(owner.take()).toEqual(['data /secret', 'deleted /secret'])
    // The stranger's watches were consumed all the same.
    expect(tree.watchCount()).toBe(0)
  })

  it('judges NodeCreated by the new node ACL and NodeChildrenChanged by the parent ACL', () => {
    const { tree, driver } = setup()
    driver.create('/open')
    driver.create('/closed', '', { acl: writeOnlyWorld })
    const w = new RecordingWatcher()
    tree.exists('/open/s', w)
    tree.getChildren('/open', w)
    tree.getChildren('/closed', w)
    driver.create('/open/s', '', { acl: aliceOnly })
    driver.create('/closed/p')
    expect(w.take()).toEqual(['children /open'])
  })

  it('lets super ids and skipACL through, and never filters setWatches catch-up events', () => {
    const { tree, driver } = setup()
    driver.create('/secret', 's', { acl: aliceOnly })
    const root = new RecordingWatcher(1n, [{ scheme: 'super', id: '' }])
    tree.getData('/secret', root)
    driver.setData('/secret', 'x')
    expect(root.take()).toEqual(['data /secret'])

    const skipping = setup({ skipACL: true })
    skipping.driver.create('/secret', 's', { acl: aliceOnly })
    const stranger = new RecordingWatcher()
    skipping.tree.getData('/secret', stranger)
    skipping.driver.setData('/secret', 'x')
    expect(stranger.take()).toEqual(['data /secret'])

    const other = new RecordingWatcher()
    tree.setWatches(0n, { dataWatches: ['/secret'], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] }, other)
    expect(other.take()).toEqual(['data /secret'])
  })

  it('filters recursive-watch events per node', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    tree.addWatch('/', w, 1)
    driver.create('/a', '', { acl: aliceOnly })
    driver.create('/b')
    expect(w.take()).toEqual(['created /b'])
  })
})

describe('setWatches catch-up (DataTree.setWatches)', () => {
  it('fires for changes after relativeZxid and registers the rest', () => {
    const { tree, driver } = setup()
    driver.create('/same') // zxid 1
    driver.create('/changed') // 2
    driver.create('/kids') // 3
    driver.create('/quiet') // 4
    const relativeZxid = driver.zxid
    driver.setData('/changed', 'x') // 5
    driver.create('/kids/k') // 6
    driver.create('/born') // 7
    const w = new RecordingWatcher()
    tree.setWatches(
      relativeZxid,
      {
        dataWatches: ['/same', '/changed', '/gone'],
        existWatches: ['/born', '/unborn'],
        childWatches: ['/quiet', '/kids', '/gone2'],
        persistentWatches: ['/p'],
        persistentRecursiveWatches: ['/r'],
      },
      w,
    )
    // In list order: data, exist, child.
    expect(w.take()).toEqual(['data /changed', 'deleted /gone', 'created /born', 'children /kids', 'deleted /gone2'])
    // Registered: data /same, exist /unborn, child /quiet, persistent /p and recursive /r (both tables).
    expect(tree.watchManager.dataWatches.holds('/same', w)).toBe(true)
    expect(tree.watchManager.dataWatches.holds('/unborn', w)).toBe(true)
    expect(tree.watchManager.childWatches.holds('/quiet', w)).toBe(true)
    expect(tree.watchManager.dataWatches.holds('/changed', w)).toBe(false)
    expect(tree.watchCount()).toBe(3 + 4)
    driver.create('/unborn')
    driver.create('/r')
    expect(w.take()).toEqual(['created /unborn', 'created /r'])
  })
})

describe('removeWatches / checkWatches / removeWatcher', () => {
  it('removes by WatcherType at exactly the path, answering false when nothing matched', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const w = new RecordingWatcher()
    tree.getData('/a', w)
    tree.getChildren('/a', w)
    expect(tree.removeWatches('/a', WatcherType.Children, w)).toBe(true)
    expect(tree.removeWatches('/a', WatcherType.Children, w)).toBe(false)
    expect(tree.removeWatches('/', WatcherType.Any, w)).toBe(false)
    expect(tree.removeWatches('/a', WatcherType.Any, w)).toBe(true)
    expect(tree.watchCount()).toBe(0)
    driver.setData('/a', 'x')
    expect(w.take()).toEqual([])
  })

  it('checkWatches answers as Apache 3.8 containsWatcher does: any watch at the path counts', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const mine = new RecordingWatcher()
    const theirs = new RecordingWatcher()
    tree.getData('/a', theirs)
    expect(tree.checkWatches('/a', WatcherType.Data, mine)).toBe(true)
    expect(tree.checkWatches('/a', WatcherType.Children, mine)).toBe(false)
    expect(tree.checkWatches('/a', WatcherType.Any, mine)).toBe(true)
    expect(tree.checkWatches('/b', WatcherType.Any, theirs)).toBe(false)
  })

  it('removeWatcher drops every watch of a connection', () => {
    const { tree, driver } = setup()
    const w = new RecordingWatcher()
    const other = new RecordingWatcher()
    tree.exists('/a', w)
    tree.addWatch('/b', w, 1)
    tree.exists('/a', other)
    tree.removeWatcher(w)
    expect(tree.watchCount()).toBe(1)
    driver.create('/a')
    driver.create('/b')
    expect(w.take()).toEqual([])
    expect(other.take()).toEqual(['created /a'])
  })
})

describe('figures for wchs / wchc / wchp / mntr', () => {
  it('reports the data table for wchs/wchc/wchp and both tables for watch_count', () => {
    const { tree, driver } = setup()
    driver.create('/a')
    const one = new RecordingWatcher(0x11n)
    const two = new RecordingWatcher(0x22n)
    tree.getData('/a', one)
    tree.exists('/b', one)
    tree.getChildren('/a', one)
    tree.exists('/a', two)
    expect(tree.watchSummary()).toEqual({ connections: 2, paths: 2, totalWatches: 3 })
    expect(tree.watchCount()).toBe(4)
    expect(tree.watchesByConnection()).toEqual(new Map([[0x11n, ['/a', '/b']], [0x22n, ['/a']]]))
    expect(tree.watchesByPath()).toEqual(new Map([['/a', [0x11n, 0x22n]], ['/b', [0x11n]]]))
    driver.delete('/a')
    // Apache keeps a connection's emptied path set: it still counts as a connection in wchs.
    expect(tree.watchSummary()).toEqual({ connections: 2, paths: 1, totalWatches: 1 })
    expect(tree.watchesByConnection().get(0x22n)).toEqual([])
    expect(tree.watchCount()).toBe(1)
  })
})
