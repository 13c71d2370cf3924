import { describe, expect, it } from 'vitest'
import { OrderedDelivery } from '../../../engine/client/ordered-delivery'
import { WatchManager } from '../../../engine/client/watch-manager'
import type { WatchedEvent, Watcher } from '../../../engine/client/types'
import { EventType, WatcherType } from '../../../engine/proto'

const noop = (): Watcher => () => undefined

describe('WatchManager', () => {
  it('fires one-shot watches once, fanning out to every watcher of the path', () => {
    const m = new WatchManager()
    const [a, b] = [noop(), noop()]
    m.add('data', '/x', a)
    m.add('data', '/x', b)
    m.add('data', '/x', a)
    expect(m.materialize(EventType.NodeDataChanged, '/x')).toEqual(new Set([a, b]))
    expect(m.materialize(EventType.NodeDataChanged, '/x').size).toBe(0)
  })

  it('routes each event type to the right tables', () => {
    const m = new WatchManager()
    const [data, exist, child] = [noop(), noop(), noop()]
    m.add('data', '/x', data)
    m.add('exist', '/x', exist)
    m.add('child', '/x', child)
    expect(m.materialize(EventType.NodeChildrenChanged, '/x')).toEqual(new Set([child]))
    m.add('child', '/x', child)
    expect(m.materialize(EventType.NodeDeleted, '/x')).toEqual(new Set([data, exist, child]))
    expect(m.isEmpty).toBe(true)
  })

  it('keeps persistent watches and matches recursive ones on ancestors, never for child events', () => {
    const m = new WatchManager()
    const [persistent, recursive, rootRecursive] = [noop(), noop(), noop()]
    m.add('persistent', '/a', persistent)
    m.add('persistentRecursive', '/a', recursive)
    m.add('persistentRecursive', '/', rootRecursive)
    expect(m.materialize(EventType.NodeChildrenChanged, '/a')).toEqual(new Set([persistent]))
    expect(m.materialize(EventType.NodeCreated, '/a/b/c')).toEqual(new Set([recursive, rootRecursive]))
    expect(m.materialize(EventType.NodeDataChanged, '/a')).toEqual(new Set([persistent, recursive, rootRecursive]))
    expect(m.materialize(EventType.NodeDeleted, '/ab')).toEqual(new Set([rootRecursive]))
    expect(m.hasPersistent).toBe(true)
  })

  it('removes by type like Java: Data takes data+exist, Any takes persistent too', () => {
    const m = new WatchManager()
    const [a, b] = [noop(), noop()]
    m.add('data', '/x', a)
    m.add('exist', '/x', b)
    m.add('child', '/x', a)
    m.add('persistent', '/x', b)
    expect(m.contains('/x', a, WatcherType.Children)).toBe(true)
    const data = m.remove('/x', undefined, WatcherType.Data)
    expect(data.data).toEqual(new Set([a, b]))
    expect(data.child.size).toBe(0)
    const any = m.remove('/x', b, WatcherType.Any)
    expect(any.persistent).toEqual(new Set([b]))
    expect(m.contains('/x', a, WatcherType.Children)).toBe(true)
    expect(m.contains('/x', b, WatcherType.Any)).toBe(false)
  })

  it('lists paths per table for SetWatches', () => {
    const m = new WatchManager()
    m.add('data', '/d', noop())
    m.add('exist', '/e', noop())
    m.add('child', '/c', noop())
    m.add('persistentRecursive', '/r', noop())
    expect(m.lists()).toEqual({ data: ['/d'], exist: ['/e'], child: ['/c'], persistent: [], persistentRecursive: ['/r'] })
  })
})

describe('OrderedDelivery', () => {
  it('lets promise continuations of earlier completions run before a later event, and events before later completions', async () => {
    const delivery = new OrderedDelivery((error) => {
      throw error
    })
    const log: string[] = []
    const watcher = (event: WatchedEvent): void => void log.push(`event ${event.path}`)
    const request = (name: string): Promise<void> =>
      new Promise<string>((resolve) => delivery.push('completion', () => resolve(name))).then(async (value) => {
        await Promise.resolve()
        log.push(`reply ${value}`)
      })
    const first = request('1')
    delivery.push('event', () => watcher({ type: EventType.NodeDataChanged, state: 3, path: '/a' }))
    const second = request('2')
    await Promise.all([first, second])
    expect(log).toEqual(['reply 1', 'event /a', 'reply 2'])
  })
})
