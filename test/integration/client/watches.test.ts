import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AddWatchMode,
  ErrorCode,
  EventStream,
  EventType,
  KeeperException,
  KeeperState,
  WatcherType,
  type WatchedEvent,
  type Watcher,
  ZooKeeperClient,
} from '../../../engine/client'
import { ClientPool, eventually, sleep, uniquePath } from './support/helpers'
import { serverFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

/** A watcher that records the node events it receives (session events are left out). */
function recorder(): { watcher: Watcher; events: WatchedEvent[] } {
  const events: WatchedEvent[] = []
  return { watcher: (event) => void (event.type !== EventType.None && events.push(event)), events }
}

const ev = (type: number, path: string): Partial<WatchedEvent> => ({ type: type as WatchedEvent['type'], path })

describe.each(serverFactories)('watches against $name', (factory) => {
  let server: TestEnsemble
  const pool = new ClientPool()
  let zk: ZooKeeperClient
  let other: ZooKeeperClient

  beforeAll(async () => {
    server = await factory.start()
    zk = await pool.connect(server.connectString())
    other = await pool.connect(server.connectString())
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
  })

  it('fires a one-shot data watch once, for every distinct watcher of the path', async () => {
    const path = uniquePath('data-watch')
    await zk.create(path, 'a')
    const first = recorder()
    const second = recorder()
    await zk.getData(path, first.watcher)
    await zk.getData(path, second.watcher)
    await zk.exists(path, first.watcher) // same watcher again: still one call
    await other.setData(path, 'b')
    await eventually(() => first.events.length > 0 && second.events.length > 0)
    await other.setData(path, 'c')
    await zk.sync(path)
    expect(first.events).toEqual([{ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path }])
    expect(second.events).toEqual([{ type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path }])
  })

  it('watches creation with exists on a missing node, and deletion with exists/getData/getChildren', async () => {
    const path = uniquePath('exists-watch')
    const created = recorder()
    expect(await zk.exists(path, created.watcher)).toBeNull()
    await other.create(path)
    await eventually(() => created.events.length === 1)
    expect(created.events[0]).toMatchObject(ev(EventType.NodeCreated, path))

    const deleted = recorder()
    await zk.exists(path, deleted.watcher)
    await zk.getChildren(path, deleted.watcher)
    await other.delete(path)
    await eventually(() => deleted.events.length === 1)
    await zk.sync('/')
    expect(deleted.events).toEqual([expect.objectContaining(ev(EventType.NodeDeleted, path))])
  })

  it('fires child watches on child creation and deletion', async () => {
    const path = uniquePath('child-watch')
    await zk.create(path)
    const children = recorder()
    await zk.getChildren(path, children.watcher)
    await other.create(`${path}/kid`)
    await eventually(() => children.events.length === 1)
    await zk.getChildren2(path, children.watcher)
    await other.delete(`${path}/kid`)
    await eventually(() => children.events.length === 2)
    expect(children.events).toEqual([
      expect.objectContaining(ev(EventType.NodeChildrenChanged, path)),
      expect.objectContaining(ev(EventType.NodeChildrenChanged, path)),
    ])
  })

  it('does not register a watch when getData fails with NoNode', async () => {
    const path = uniquePath('no-watch')
    const rec = recorder()
    await expect(zk.getData(path, rec.watcher)).rejects.toMatchObject({ code: ErrorCode.NONODE })
    await other.create(path)
    await zk.sync(path)
    await sleep(50)
    expect(rec.events).toEqual([])
    await expect(zk.checkWatches(path, WatcherType.Data)).rejects.toMatchObject({ code: ErrorCode.NOWATCHER })
  })

  it('keeps persistent watches, including child events for their own path', async () => {
    const path = uniquePath('persistent')
    const rec = recorder()
    await zk.addWatch(path, rec.watcher, AddWatchMode.PERSISTENT)
    await other.create(path)
    await other.setData(path, 'x')
    await other.create(`${path}/kid`)
    await other.setData(`${path}/kid`, 'y') // not the watched path
    await other.delete(`${path}/kid`)
    await other.delete(path)
    await eventually(() => rec.events.length === 5)
    expect(rec.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeCreated, path],
      [EventType.NodeDataChanged, path],
      [EventType.NodeChildrenChanged, path],
      [EventType.NodeChildrenChanged, path],
      [EventType.NodeDeleted, path],
    ])
  })

  it('sees the whole subtree with a persistent recursive watch, without child events', async () => {
    const path = uniquePath('recursive')
    const rec = recorder()
    await zk.create(path)
    await zk.addWatch(path, rec.watcher, AddWatchMode.PERSISTENT_RECURSIVE)
    await other.create(`${path}/a`)
    await other.create(`${path}/a/b`)
    await other.setData(`${path}/a/b`, 'z')
    await other.delete(`${path}/a/b`)
    await eventually(() => rec.events.length === 4)
    await zk.sync('/')
    expect(rec.events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeCreated, `${path}/a`],
      [EventType.NodeCreated, `${path}/a/b`],
      [EventType.NodeDataChanged, `${path}/a/b`],
      [EventType.NodeDeleted, `${path}/a/b`],
    ])
  })

  it('delivers an event before the reply to any later request, and after earlier replies', async () => {
    const path = uniquePath('ordering')
    await zk.create(path)
    const log: string[] = []
    await zk.addWatch(path, (event) => event.path !== null && log.push(`event ${event.path}`), AddWatchMode.PERSISTENT_RECURSIVE)
    // Own writes: the server sends the notification before the reply.
    const writes = Array.from({ length: 200 }, (_, i) =>
      zk.create(`${path}/n${i}`).then((created) => void log.push(`reply ${created}`)),
    )
    await Promise.all(writes)
    expect(log).toHaveLength(400)
    for (let i = 0; i < 200; i++) {
      expect(log[2 * i]).toBe(`event ${path}/n${i}`)
      expect(log[2 * i + 1]).toBe(`reply ${path}/n${i}`)
    }
  })

  it('shows a watcher the change before a later read returns the new value', async () => {
    const path = uniquePath('read-after-event')
    await zk.create(path, '0')
    for (let round = 1; round <= 20; round++) {
      let fired = false
      await zk.getData(path, () => (fired = true))
      await other.setData(path, String(round))
      // Whatever our read returns, if it reflects the write the watcher has already run.
      const { data } = await zk.getData(path)
      if (data?.toString() === String(round)) expect(fired).toBe(true)
    }
  })

  it('removes one watcher with a local removal event and leaves the others', async () => {
    const path = uniquePath('remove')
    await zk.create(path)
    const removed = recorder()
    const kept = recorder()
    await zk.getData(path, removed.watcher)
    await zk.getData(path, kept.watcher)
    await zk.removeWatches(path, removed.watcher, WatcherType.Data)
    expect(removed.events).toEqual([{ type: EventType.DataWatchRemoved, state: KeeperState.SyncConnected, path }])
    await other.setData(path, 'x')
    await eventually(() => kept.events.length === 1)
    expect(removed.events).toHaveLength(1)
    await expect(zk.removeWatches(path, removed.watcher, WatcherType.Data)).rejects.toMatchObject({
      code: ErrorCode.NOWATCHER,
    })
  })

  it('removes all watches of a type on the server too', async () => {
    const path = uniquePath('remove-all')
    await zk.create(path)
    const child = recorder()
    const data = recorder()
    await zk.getChildren(path, child.watcher)
    await zk.getData(path, data.watcher)
    await zk.checkWatches(path, WatcherType.Children)
    await zk.removeAllWatches(path, WatcherType.Children)
    expect(child.events).toEqual([{ type: EventType.ChildWatchRemoved, state: KeeperState.SyncConnected, path }])
    await expect(zk.checkWatches(path, WatcherType.Children)).rejects.toMatchObject({ code: ErrorCode.NOWATCHER })
    await zk.checkWatches(path, WatcherType.Data)
    await zk.removeAllWatches(path, WatcherType.Any)
    expect(data.events).toEqual([{ type: EventType.DataWatchRemoved, state: KeeperState.SyncConnected, path }])
    const persistent = recorder()
    await zk.addWatch(path, persistent.watcher, AddWatchMode.PERSISTENT)
    await zk.removeWatches(path, persistent.watcher, WatcherType.Any)
    expect(persistent.events).toEqual([{ type: EventType.PersistentWatchRemoved, state: KeeperState.SyncConnected, path }])
    const error = await zk.removeAllWatches(path, WatcherType.Any).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeeperException)
    expect((error as KeeperException).codeName).toBe('NOWATCHER')
  })

  it('removes with local=true and still tells the watcher', async () => {
    const path = uniquePath('remove-local')
    await zk.create(path)
    const rec = recorder()
    await zk.getChildren(path, rec.watcher)
    await zk.removeAllWatches(path, WatcherType.Children, true)
    expect(rec.events).toEqual([{ type: EventType.ChildWatchRemoved, state: KeeperState.SyncConnected, path }])
    await other.create(`${path}/kid`)
    await zk.sync(path)
    await sleep(50)
    expect(rec.events).toHaveLength(1)
  })

  it('iterates events with an EventStream', async () => {
    const path = uniquePath('stream')
    const stream = new EventStream()
    await zk.addWatch(path, stream.watcher, AddWatchMode.PERSISTENT)
    await other.create(path)
    await other.setData(path, 'x')
    await other.delete(path)
    const seen: number[] = []
    for await (const event of stream) {
      if (event.type === EventType.None) continue
      seen.push(event.type)
      if (seen.length === 3) break
    }
    expect(seen).toEqual([EventType.NodeCreated, EventType.NodeDataChanged, EventType.NodeDeleted])
  })

  it('sends watch=true events and session events to the default watcher', async () => {
    const events: WatchedEvent[] = []
    const client = pool.track(new ZooKeeperClient(server.connectString(), { defaultWatcher: (e) => events.push(e) }))
    await client.waitForState('SyncConnected')
    const path = uniquePath('default')
    await client.create(path)
    await client.getData(path, true)
    await other.setData(path, 'x')
    await eventually(() => events.length === 2)
    expect(events).toEqual([
      { type: EventType.None, state: KeeperState.SyncConnected, path: null },
      { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path },
    ])
    expect(() => zk.getData(path, true)).toThrow(TypeError)
  })

  it('strips the chroot from event paths', async () => {
    const chroot = uniquePath('chroot-events')
    await zk.create(chroot)
    const rooted = await pool.connect(server.connectString(chroot))
    const recursive = recorder()
    const data = recorder()
    await rooted.addWatch('/', recursive.watcher, AddWatchMode.PERSISTENT_RECURSIVE)
    await rooted.exists('/x', data.watcher)
    await other.create(`${chroot}/x`)
    await other.create(`${chroot}x-sibling-outside`)
    await eventually(() => recursive.events.length === 1 && data.events.length === 1)
    expect(recursive.events[0]).toMatchObject(ev(EventType.NodeCreated, '/x'))
    expect(data.events[0]).toMatchObject(ev(EventType.NodeCreated, '/x'))
    await rooted.sync('/')
    expect(recursive.events).toHaveLength(1)
  })
})
