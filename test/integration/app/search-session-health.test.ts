// Through the WebSocket binding, on a 3-member ZooDesk ensemble and a 3-member Apache ZooKeeper 3.8 ensemble made by
// the clusters service:
// - health samples carry requests/s per member: a client's known burst of requests on one member is what that
//   member's series adds up to; idle members show none (the monitor's own four-letter words are not counted);
// - znodes.sessionInfo finds an ephemeral owner's client address with every member's `cons` (the address checked
//   against a TCP proxy's own socket), and says why when nobody lists the session;
// - znodes.search walks a subtree in main by name / path / data, substring or regex, with progress, a cap and cancel.
// Plus a standalone Apache whose whitelist refuses cons.
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateMode, ZooKeeperClient } from '../../../engine/client'
import type { ClusterView, MemberSample } from '../../../main/contract/model'
import { ApiError } from '../../../renderer/api/client'
import { type TestServer, startApache } from '../../compat/harness/servers'
import { type AppHarness, b64, eventually, startAppHarness } from './support/app-harness'
import { startSshServer } from './support/ssh-server'

const INTERVAL_MS = 500

/** A TCP proxy to one member: what the member sees as the client's address is the proxy's own outgoing socket. */
interface Proxy {
  port: number
  /** `127.0.0.1:<local port>` of each connection the proxy opened to the member. */
  upstreamAddresses: string[]
  /** Cuts every connection and stops listening: the client cannot reach the member any more. */
  cut(): Promise<void>
}

async function startProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>()
  const upstreamAddresses: string[] = []
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    upstream.once('connect', () => upstreamAddresses.push(`127.0.0.1:${upstream.localPort}`))
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.on('close', () => sockets.delete(socket))
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    upstreamAddresses,
    async cut() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (!(error instanceof ApiError)) throw new Error(`expected a contract error, got ${String(error)}`)
  return error
}

describe.each(['zoodesk', 'apache'] as const)('search, session info and requests/s on a 3-member %s ensemble', (kind) => {
  let app: AppHarness
  let cluster: ClusterView
  let connectionId: string
  const member = (index: number) => `127.0.0.1:${cluster.members[index]!.clientPort}`

  beforeAll(async () => {
    app = await startAppHarness()
    cluster = await app.client.api.clusters.create({ name: `${kind}-h2`, voters: 3, kind, tickTimeMs: 500 })
    ;({ connectionId } = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: cluster.connectString } }))
  }, 180_000)

  afterAll(async () => {
    await app?.close()
  })

  it('reports requests/s per member: a burst on one member adds up, idle members show none', async () => {
    const api = app.client.api
    // A member the app's own session is not on, so that only the burst's client talks to it.
    const appServer = (await api.connections.list()).find((view) => view.connectionId === connectionId)?.server
    const busyIndex = cluster.members.findIndex((_, index) => member(index) !== appServer)
    const busy = member(busyIndex)
    const idle = cluster.members.map((_, index) => member(index)).filter((name) => name !== busy && name !== appServer)
    const client = await ZooKeeperClient.connect(busy, { sessionTimeoutMs: 30_000 })
    try {
      const { monitorId } = await api.health.watch({ target: { kind: 'cluster', clusterId: cluster.clusterId }, intervalMs: INTERVAL_MS })
      const samplesOf = (name: string): MemberSample[] => app.events('health.sample').filter((round) => round.monitorId === monitorId).flatMap((round) => round.samples.filter((sample) => sample.member === name))
      // Rates need two rounds; from then on every sample covers the time since the one before.
      const first = await eventually(() => samplesOf(busy).find((sample) => sample.requestsPerSecond !== null), 'a rated sample', 20_000)
      const REQUESTS = 3000
      for (let sent = 0; sent < REQUESTS; sent += 500) await Promise.all(Array.from({ length: 500 }, () => client.exists('/')))
      const doneAt = Date.now()
      await eventually(() => (samplesOf(busy).filter((sample) => sample.time > doneAt).length >= 2 ? true : undefined), 'two rounds after the burst', 20_000)
      // Each rate covers the time since the last sample that read the counter (a slow round under load has none, and
      // the next rate averages over the gap).
      const total = (name: string): number => {
        let sum = 0
        let previous = first.time
        for (const sample of samplesOf(name).filter((one) => one.time > first.time && one.requestsPerSecond !== null)) {
          sum += sample.requestsPerSecond! * ((sample.time - previous) / 1000)
          previous = sample.time
        }
        return Math.round(sum)
      }
      const gaps = samplesOf(busy).filter((sample) => sample.time > first.time && sample.requestsPerSecond === null).length
      const busyTotal = total(busy)
      const peak = Math.max(...samplesOf(busy).map((sample) => sample.requestsPerSecond ?? 0))
      console.log(`${kind}: ${REQUESTS} requests on ${busy}: the series adds up to ${busyTotal} (peak ${peak}/s, ${gaps} rounds without the counter); idle members: ${idle.map((name) => `${name} ${total(name)}`).join(', ')}`)
      // The burst, plus at most a few pings of the client's session.
      expect(busyTotal).toBeGreaterThanOrEqual(REQUESTS - 1)
      expect(busyTotal).toBeLessThanOrEqual(REQUESTS + 20)
      for (const name of idle) expect(total(name)).toBeLessThanOrEqual(1)
      const snapshot = await api.health.snapshot({ monitorId })
      expect(snapshot.latest.every((sample) => sample.requestsPerSecond === null || sample.requestsPerSecond >= 0)).toBe(true)
      await api.health.unwatch({ monitorId })
    } finally {
      await client.close()
    }
  })

  it('finds the client address of an ephemeral owner with cons, on the member it is connected to', async () => {
    const api = app.client.api
    const target = cluster.members[1]!
    const proxy = await startProxy(target.clientPort)
    const other = await ZooKeeperClient.connect(`127.0.0.1:${proxy.port}`, { sessionTimeoutMs: 10_000 })
    try {
      await other.create('/owned', null, { mode: CreateMode.EPHEMERAL })
      const { stat } = await api.znodes.exists({ connectionId, path: '/owned' })
      expect(stat).not.toBeNull()
      const info = await api.znodes.sessionInfo({ connectionId, sessionId: stat!.ephemeralOwner })
      expect(info).toMatchObject({
        sessionId: stat!.ephemeralOwner,
        found: true,
        server: `127.0.0.1:${target.clientPort}`,
        clientAddress: proxy.upstreamAddresses[0],
        problem: null,
      })
      expect(proxy.upstreamAddresses).toHaveLength(1)
      expect(info.connection).toMatchObject({ timeoutMs: other.negotiatedTimeoutMs, lastOperation: expect.any(String), establishedAt: expect.any(Number) })
      expect(info.members.map((one) => one.status).sort()).toEqual(['found', 'not-found', 'not-found'])
      // Leading zeros and case do not matter.
      const padded = `0x${BigInt(stat!.ephemeralOwner).toString(16).toUpperCase().padStart(16, '0')}`
      expect((await api.znodes.sessionInfo({ connectionId, sessionId: padded })).clientAddress).toBe(info.clientAddress)

      // Cut the client off: the session (and its ephemeral) lives until it expires, but nobody lists it.
      await proxy.cut()
      let gone = await api.znodes.sessionInfo({ connectionId, sessionId: stat!.ephemeralOwner })
      for (const deadline = Date.now() + 10_000; gone.found && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        gone = await api.znodes.sessionInfo({ connectionId, sessionId: stat!.ephemeralOwner })
      }
      expect(gone).toMatchObject({ found: false, clientAddress: null, problem: 'not-connected' })
      expect(gone.message).toContain('between connections')
      expect((await api.znodes.exists({ connectionId, path: '/owned' })).stat).not.toBeNull()
    } finally {
      await other.close(0).catch(() => {})
    }
  })

  it('finds the app’s own session on the member its connection is on', async () => {
    const api = app.client.api
    const view = (await api.connections.list()).find((one) => one.connectionId === connectionId)!
    const info = await api.znodes.sessionInfo({ connectionId, sessionId: view.sessionId })
    expect(info).toMatchObject({ found: true, server: view.server })
    expect(info.clientAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    const error = await failure(api.znodes.sessionInfo({ connectionId, sessionId: '12345' }))
    expect(error.error.code).toBe('BAD_ARGUMENTS')
  })

  it('asks through a profile’s SSH tunnel, naming the members as the profile does', async () => {
    const api = app.client.api
    const ssh = await startSshServer()
    try {
      const profile = await api.connections.saveProfile({
        profile: { name: 'tunnelled', connectString: cluster.connectString, sessionTimeoutMs: 10_000, ssh: { host: '127.0.0.1', port: ssh.port, user: 'zoo', auth: 'password', password: 'pw' } },
      })
      const tunnelled = await api.connections.open({ kind: 'profile', profileId: profile.id })
      const before = ssh.forwarded()
      const info = await api.znodes.sessionInfo({ connectionId: tunnelled.connectionId, sessionId: tunnelled.sessionId })
      // One cons per member went through the tunnel; the answers name the members, not the tunnel's local ports.
      expect(ssh.forwarded() - before).toBe(3)
      expect(info.members.map((one) => one.server).sort()).toEqual(cluster.members.map((_, index) => member(index)).sort())
      expect(info.found).toBe(true)
      expect(cluster.members.map((_, index) => member(index))).toContain(info.server)
      expect(info.clientAddress).toMatch(/^127\.0\.0\.1:\d+$/)
      await api.connections.close({ connectionId: tunnelled.connectionId })
    } finally {
      await ssh.close()
    }
  })

  it('searches a subtree in main by name, path and data, with progress, a cap, and cancel', async () => {
    const api = app.client.api
    const ops = [
      { op: 'create' as const, path: '/search', data: null, mode: 'PERSISTENT' as const },
      ...['alpha', 'beta', 'Gamma'].flatMap((app) => [
        { op: 'create' as const, path: `/search/${app}`, data: b64(`service ${app}`), mode: 'PERSISTENT' as const },
        { op: 'create' as const, path: `/search/${app}/config`, data: b64(`{"owner":"${app}","port":${app.length}}`), mode: 'PERSISTENT' as const },
      ]),
    ]
    await api.znodes.multi({ connectionId, ops })
    const paths = async (args: Omit<Parameters<typeof api.znodes.search>[0], 'connectionId'>) => (await api.znodes.search({ connectionId, ...args })).matches.map((match) => match.path)

    expect(await paths({ path: '/search', query: 'config' })).toEqual(['/search/Gamma/config', '/search/alpha/config', '/search/beta/config'])
    expect(await paths({ path: '/search', query: 'gamma' })).toEqual(['/search/Gamma'])
    expect(await paths({ path: '/search', query: 'gamma', caseSensitive: true })).toEqual([])
    expect(await paths({ path: '/search', query: 'gamma/', match: 'path' })).toEqual(['/search/Gamma/config'])
    expect(await paths({ path: '/search', query: '"port":5', match: 'data' })).toEqual(['/search/Gamma/config', '/search/alpha/config'])
    expect(await paths({ path: '/search', query: '^(alpha|beta)$', regex: true })).toEqual(['/search/alpha', '/search/beta'])
    expect(await paths({ path: '/search/beta', query: 'beta' })).toEqual(['/search/beta'])

    const operationId = `search-${kind}-1`
    const result = await api.znodes.search({ connectionId, path: '/search', query: 'a', operationId })
    expect(result).toMatchObject({ operationId, root: '/search', visited: 7, truncated: false })
    expect(result.matches.find((match) => match.path === '/search/alpha')?.stat.dataLength).toBe('service alpha'.length)
    const progress = app.events('operations.progress').filter((event) => event.operationId === operationId)
    expect(progress[0]).toMatchObject({ kind: 'search', phase: 'scanning', path: '/search' })
    expect(progress.at(-1)).toMatchObject({ phase: 'done', done: 7 })

    const capped = await api.znodes.search({ connectionId, path: '/search', query: 'a', limit: 2 })
    expect(capped.matches).toHaveLength(2)
    expect(capped.truncated).toBe(true)
    const exact = await api.znodes.search({ connectionId, path: '/search', query: 'config', limit: 3 })
    expect(exact).toMatchObject({ truncated: false })
    expect(exact.matches).toHaveLength(3)

    const badRegex = await failure(api.znodes.search({ connectionId, path: '/search', query: '(unclosed', regex: true }))
    expect(badRegex.error.code).toBe('BAD_ARGUMENTS')
    expect(badRegex.error.details).toMatchObject({ issues: [{ path: 'query', message: expect.stringContaining('not a valid regular expression') }] })
    const noNode = await failure(api.znodes.search({ connectionId, path: '/nowhere', query: 'x' }))
    expect(noNode.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'NONODE' } })

    // Cancel: a wider tree, cancelled on its first progress event.
    const creates = Array.from({ length: 4000 }, (_, i) => ({ op: 'create' as const, path: `/search/wide/n${String(i).padStart(5, '0')}`, data: null, mode: 'PERSISTENT' as const }))
    await api.znodes.create({ connectionId, path: '/search/wide' })
    for (let start = 0; start < creates.length; start += 1000) await api.znodes.multi({ connectionId, ops: creates.slice(start, start + 1000) })
    const cancelId = `search-${kind}-cancel`
    const running = failure(api.znodes.search({ connectionId, path: '/search', query: 'zzz', match: 'data', operationId: cancelId }))
    await eventually(() => app.events('operations.progress').find((event) => event.operationId === cancelId), 'the first progress event')
    expect(await api.operations.cancel({ operationId: cancelId })).toEqual({ cancelled: true })
    expect((await running).error.code).toBe('CANCELLED')
    expect(app.events('operations.progress').filter((event) => event.operationId === cancelId).at(-1)?.phase).toBe('cancelled')
    const whole = await api.znodes.search({ connectionId, path: '/search', query: 'n0399', match: 'name' })
    expect(whole.matches.map((match) => match.path)).toEqual(Array.from({ length: 10 }, (_, i) => `/search/wide/n0399${i}`))
    expect(whole.visited).toBe(4008)
  })
})

describe('session info on a standalone Apache that refuses cons', () => {
  let server: TestServer
  let app: AppHarness

  beforeAll(async () => {
    server = await startApache({ name: 'app-session-no-cons', config: { '4lw.commands.whitelist': 'srvr' } })
    app = await startAppHarness()
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('says cons is not allowed, in plain words', async () => {
    const { connectionId, sessionId } = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })
    const info = await app.client.api.znodes.sessionInfo({ connectionId, sessionId })
    expect(info).toMatchObject({ found: false, problem: 'cons-not-allowed', members: [{ server: server.connectString, status: 'not-allowed' }] })
    expect(info.message).toContain('4lw.commands.whitelist')
  })
})
