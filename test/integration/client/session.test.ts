import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CREATOR_ALL_ACL,
  CreateMode,
  ErrorCode,
  EventType,
  KeeperState,
  type SessionEvent,
  type WatchedEvent,
  ZooKeeperClient,
} from '../../../engine/client'
import { ClientPool, eventually, expireSession, sleep, uniquePath } from './support/helpers'
import { TcpProxy } from './support/proxy'
import { serverFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

/** A reconnect to the single host waits this long, leaving a window in which the client is surely disconnected. */
const slowPacing = { reconnectJitterMsMax: 1, cycleDelayMs: 700 }

describe.each(serverFactories)('session against $name', (factory) => {
  let server: TestEnsemble
  const pool = new ClientPool()
  let other: ZooKeeperClient

  beforeAll(async () => {
    // tickTime 500 ms: sessions between 1 s and 10 s.
    server = await factory.start({ tickTimeMs: 500 })
    other = await pool.connect(server.connectString())
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
  })

  it('reports SyncConnected then Closed, and close() ends the session on the server', async () => {
    const events: SessionEvent[] = []
    const client = new ZooKeeperClient(server.connectString(), { sessionTimeoutMs: 4000 })
    client.on('state', (event) => events.push(event))
    expect(client.state).toBe('CONNECTING')
    await client.waitForState('CONNECTED')
    expect(client.negotiatedTimeoutMs).toBe(4000)
    expect(client.sessionId).not.toBe(0n)
    const path = uniquePath('close')
    await client.create(path, null, { mode: CreateMode.EPHEMERAL })
    await client.close()
    expect(events).toEqual([
      { event: 'SyncConnected', state: 'CONNECTED' },
      { event: 'Closed', state: 'CLOSED' },
    ])
    expect(await other.exists(path)).toBeNull()
    await expect(client.exists('/')).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
    await client.close() // idempotent
  })

  it('negotiates the timeout within the server bounds', async () => {
    const short = await pool.connect(server.connectString(), { sessionTimeoutMs: 100 })
    const long = await pool.connect(server.connectString(), { sessionTimeoutMs: 600_000 })
    expect(short.negotiatedTimeoutMs).toBe(1000)
    expect(long.negotiatedTimeoutMs).toBe(10_000)
  })

  it('keeps an idle session alive with pings', async () => {
    const client = await pool.connect(server.connectString(), { sessionTimeoutMs: 1000 })
    const events: string[] = []
    client.on('state', (event) => events.push(event.event))
    const path = uniquePath('ping')
    await client.create(path, null, { mode: CreateMode.EPHEMERAL })
    await sleep(2500)
    expect(await client.exists(path)).not.toBeNull()
    expect(events).toEqual([])
  })

  it('keeps the session, ephemerals, auth and watches across a reconnect, with catch-up events', async () => {
    const client = await pool.connect(server.connectString(), { reconnectPacing: slowPacing })
    const sessionId = client.sessionId
    const root = uniquePath('reconnect')
    await client.addAuth('digest', 'bob:pw')
    await client.create(root, 'secret', { acl: CREATOR_ALL_ACL })
    await client.create(`${root}-eph`, null, { mode: CreateMode.EPHEMERAL })
    await other.create(`${root}-data`, '0')
    const seen: WatchedEvent[] = []
    const watcher = (event: WatchedEvent): void => void seen.push(event)
    await client.getData(`${root}-data`, watcher)
    await client.exists(`${root}-later`, watcher)
    await client.getChildren(`${root}-eph`, watcher).catch(() => undefined)
    const pending = client.sync('/') // in flight when the connection drops

    client.dropConnection()
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.CONNECTIONLOSS })
    expect(client.state).toBe('CONNECTING')
    // Changes made while this client is away must be reported when it re-registers its watches.
    await other.setData(`${root}-data`, '1')
    await other.create(`${root}-later`)
    const queued = client.getData(root) // sent after the reconnect (and after auth is re-sent)
    expect((await queued).data?.toString()).toBe('secret')
    expect(client.sessionId).toBe(sessionId)
    expect(await other.exists(`${root}-eph`)).not.toBeNull()
    await eventually(() => seen.filter((e) => e.type !== EventType.None).length === 2)
    expect(seen).toEqual([
      { type: EventType.None, state: KeeperState.Disconnected, path: null },
      { type: EventType.None, state: KeeperState.SyncConnected, path: null },
      { type: EventType.NodeDataChanged, state: KeeperState.SyncConnected, path: `${root}-data` },
      { type: EventType.NodeCreated, state: KeeperState.SyncConnected, path: `${root}-later` },
    ])
  })

  it('re-registers watches that did not fire, and they fire later', async () => {
    const client = await pool.connect(server.connectString(), { reconnectPacing: slowPacing })
    const path = uniquePath('rewatch')
    await other.create(path)
    let changes = 0
    await client.getData(path, (event) => event.type === EventType.NodeDataChanged && changes++)
    client.dropConnection()
    await client.waitForState('CONNECTED')
    await other.setData(path, 'x')
    await eventually(() => changes === 1)
  })

  it('expires: Disconnected, then Expired; pending and later requests fail with SESSIONEXPIRED', async () => {
    const client = await pool.connect(server.connectString(), { sessionTimeoutMs: 2000 })
    const events: string[] = []
    client.on('state', (event) => events.push(event.event))
    const path = uniquePath('expire')
    await client.create(path, null, { mode: CreateMode.EPHEMERAL })
    await expireSession(client, server.connectString())
    await client.waitForState('Expired', 10_000)
    expect(client.state).toBe('CLOSED')
    expect(events).toEqual(['Disconnected', 'Expired'])
    expect(await other.exists(path)).toBeNull()
    await expect(client.exists('/')).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
    await expect(client.waitForState('CONNECTED', 100)).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
  })

  it('expires after the server was unreachable for longer than the session timeout', async () => {
    const member = server.members[0]!
    const proxy = new TcpProxy(member.host, member.clientPort)
    await proxy.start()
    try {
      const client = await pool.connect(`127.0.0.1:${proxy.port}`, { sessionTimeoutMs: 1000 })
      const events: string[] = []
      client.on('state', (event) => events.push(event.event))
      const path = uniquePath('partition')
      await client.create(path, null, { mode: CreateMode.EPHEMERAL })
      proxy.cut()
      await client.waitForState('Disconnected', 5000)
      const pending = client.exists('/')
      await eventually(async () => (await other.exists(path)) === null, 5000, 'expiry on the server')
      proxy.restore()
      await client.waitForState('Expired', 10_000)
      await expect(pending).rejects.toMatchObject({ code: ErrorCode.SESSIONEXPIRED })
      expect(events).toEqual(['Disconnected', 'Expired'])
    } finally {
      await proxy.stop()
    }
  })

  it('fails with AuthFailed on an unknown auth scheme', async () => {
    const client = await pool.connect(server.connectString())
    const events: string[] = []
    client.on('state', (event) => events.push(event.event))
    await expect(client.addAuth('nosuchscheme', 'x')).rejects.toMatchObject({ code: ErrorCode.AUTHFAILED })
    expect(client.state).toBe('AUTH_FAILED')
    expect(events).toEqual(['AuthFailed'])
    await expect(client.exists('/')).rejects.toMatchObject({ code: ErrorCode.AUTHFAILED })
  })

  it('tracks lastZxidSeen from replies and times out waitForState', async () => {
    const client = await pool.connect(server.connectString())
    const before = client.lastZxidSeen
    const created = await client.create2(uniquePath('zxid'))
    expect(client.lastZxidSeen).toBe(created.stat.czxid)
    expect(client.lastZxidSeen).toBeGreaterThan(before)
    await expect(client.waitForState('Expired', 50)).rejects.toMatchObject({ code: ErrorCode.OPERATIONTIMEOUT })
  })

  it('resumes a session by id and password from another client object', async () => {
    const first = await pool.connect(server.connectString())
    const path = uniquePath('resume')
    await first.create(path, null, { mode: CreateMode.EPHEMERAL })
    const second = await pool.connect(server.connectString(), {
      sessionId: first.sessionId,
      sessionPassword: first.sessionPassword,
    })
    expect(second.sessionId).toBe(first.sessionId)
    expect(await second.getEphemerals()).toContain(path)
  })
})
