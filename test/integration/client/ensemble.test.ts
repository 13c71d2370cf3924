import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AddWatchMode, CreateMode, EventType, type WatchedEvent } from '../../../engine/client'
import { ClientPool, eventually, uniquePath } from './support/helpers'
import { ensembleFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

describe.each(ensembleFactories)('3-member ensemble of $name', (factory) => {
  let ensemble: TestEnsemble
  const pool = new ClientPool()

  beforeAll(async () => {
    ensemble = await factory.start({ size: 3, tickTimeMs: 500 })
  })
  afterAll(async () => {
    await pool.closeAll()
    await ensemble?.close()
  })

  it('moves to another member when its member dies, keeping session, ephemerals and watches', async () => {
    const client = await pool.connect(ensemble.connectString(), { sessionTimeoutMs: 6000 })
    const sessionId = client.sessionId
    const first = client.connectedHost!
    const stopped = ensemble.memberIndexByPort(first.port)
    const observerPort = ensemble.members[(stopped + 1) % 3]!.clientPort
    const observer = await pool.connect(`127.0.0.1:${observerPort}`)

    const root = uniquePath('failover')
    await client.create(root)
    await client.create(`${root}/eph`, 'mine', { mode: CreateMode.EPHEMERAL })
    await client.create(`${root}/sub`)
    const events: WatchedEvent[] = []
    const states: string[] = []
    client.on('state', (event) => states.push(event.event))
    const record = (event: WatchedEvent): void => void (event.type !== EventType.None && events.push(event))
    await client.getData(`${root}/eph`, record)
    await client.getChildren(root, record)
    // Not on `root` itself: a 3.8 server keeps one watch mode per (connection, path).
    await client.addWatch(`${root}/sub`, record, AddWatchMode.PERSISTENT_RECURSIVE)

    await ensemble.stopMember(stopped)
    await client.waitForState('Disconnected', 10_000)
    await client.waitForState('CONNECTED', 20_000)
    expect(client.sessionId).toBe(sessionId)
    expect(client.connectedHost!.port).not.toBe(first.port)
    expect((await observer.getData(`${root}/eph`)).stat.ephemeralOwner).toBe(sessionId)

    await observer.setData(`${root}/eph`, 'changed')
    await observer.create(`${root}/sub/x`)
    await observer.create(`${root}/new`)
    await eventually(() => events.length >= 3, 10_000, 'events after failover')
    expect(events.map((e) => [e.type, e.path])).toEqual([
      [EventType.NodeDataChanged, `${root}/eph`],
      [EventType.NodeCreated, `${root}/sub/x`],
      [EventType.NodeChildrenChanged, root],
    ])
    expect(states).toEqual(['Disconnected', 'SyncConnected'])

    // A write through the new member is visible everywhere, and closing still removes the ephemeral.
    await client.setData(root, 'after')
    await observer.sync(root)
    expect((await observer.getData(root)).data?.toString()).toBe('after')
    await client.close()
    await eventually(async () => (await observer.exists(`${root}/eph`)) === null, 5000, 'ephemeral removal')
    await ensemble.startMember(stopped)
  })

  it('keeps lastZxidSeen monotonic and reads never go back in time across reconnects', async () => {
    const client = await pool.connect(ensemble.connectString(), { sessionTimeoutMs: 6000 })
    const root = uniquePath('monotonic')
    const created = await client.create2(root, 'v1')
    expect(client.lastZxidSeen).toBeGreaterThanOrEqual(created.stat.czxid)
    for (let i = 0; i < 3; i++) {
      const before = client.lastZxidSeen
      client.dropConnection()
      await client.waitForState('CONNECTED', 10_000)
      const { stat } = await client.getData(root)
      expect(stat.mzxid).toBeGreaterThanOrEqual(created.stat.mzxid)
      expect(client.lastZxidSeen).toBeGreaterThanOrEqual(before)
    }
  })
})
