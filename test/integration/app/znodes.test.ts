// Single-node operations, watches, the console and read-only enforcement through the WebSocket binding, against
// Apache ZooKeeper 3.8 (Debian) and ZooDesk standalone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestServer } from '../../compat/harness/servers'
import { type AppHarness, b64, eventually, rejection, STANDALONE_SERVERS, startAppHarness, text } from './support/app-harness'


describe.each(STANDALONE_SERVERS)('znodes, watches, console on %s', (kind, start) => {
  let server: TestServer
  let app: AppHarness
  let connectionId: string

  beforeAll(async () => {
    server = await start({ name: `app-znodes-${kind}`, systemProperties: { 'zookeeper.extendedTypesEnabled': 'true' }, tickTime: 500 })
    app = await startAppHarness()
    const opened = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString, name: kind } })
    connectionId = opened.connectionId
    expect(opened.state).toBe('CONNECTED')
  })

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('creates in every mode, reads, sets with version, deletes', async () => {
    const api = app.client.api
    await api.znodes.create({ connectionId, path: '/app', data: b64('root') })
    const modes = ['PERSISTENT', 'PERSISTENT_SEQUENTIAL', 'EPHEMERAL', 'EPHEMERAL_SEQUENTIAL', 'CONTAINER', 'PERSISTENT_WITH_TTL', 'PERSISTENT_SEQUENTIAL_WITH_TTL'] as const
    const kinds: Record<string, string> = {}
    for (const mode of modes) {
      const ttl = mode.includes('TTL') ? { ttlMs: 60_000 } : {}
      const created = await api.znodes.create({ connectionId, path: `/app/${mode.toLowerCase()}`, data: b64(mode), mode, ...ttl })
      if (mode.includes('SEQUENTIAL')) expect(created.path).toMatch(/\d{10}$/)
      const read = await api.znodes.get({ connectionId, path: created.path })
      expect(text(read.data)).toBe(mode)
      kinds[mode] = read.kind
    }
    // Apache hands clients ephemeralOwner 0 for containers and TTL nodes (DataNode.getClientEphemeralOwner), so
    // through any client they read as persistent; only ephemerals can be told apart.
    expect(kinds).toEqual({
      PERSISTENT: 'persistent',
      PERSISTENT_SEQUENTIAL: 'persistent',
      EPHEMERAL: 'ephemeral',
      EPHEMERAL_SEQUENTIAL: 'ephemeral',
      CONTAINER: 'persistent',
      PERSISTENT_WITH_TTL: 'persistent',
      PERSISTENT_SEQUENTIAL_WITH_TTL: 'persistent',
    })
    const set = await api.znodes.set({ connectionId, path: '/app/persistent', data: b64('v1'), version: 0 })
    expect(set.stat.version).toBe(1)
    const stale = await rejection(api.znodes.set({ connectionId, path: '/app/persistent', data: b64('v2'), version: 0 }))
    expect(stale.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'BADVERSION', path: '/app/persistent' } })
    const missing = await rejection(api.znodes.get({ connectionId, path: '/app/none' }))
    expect(missing.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'NONODE' } })
    await api.znodes.delete({ connectionId, path: '/app/persistent', version: 1 })
    expect((await api.znodes.exists({ connectionId, path: '/app/persistent' })).stat).toBeNull()
    const audit = await api.audit.list({ connectionId })
    const deleted = audit.entries.find((entry) => entry.operation === 'delete' && entry.path === '/app/persistent')
    expect(deleted).toMatchObject({ oldVersion: 1, newVersion: null, connectionName: kind })
    expect(audit.entries.find((entry) => entry.operation === 'setData')).toMatchObject({ oldVersion: 0, newVersion: 1 })
  })

  it('pages children with stats, and reads and sets ACLs', async () => {
    const api = app.client.api
    await api.znodes.create({ connectionId, path: '/paged' })
    await api.znodes.multi({ connectionId, ops: Array.from({ length: 25 }, (_, i) => ({ op: 'create' as const, path: `/paged/c${String(i).padStart(2, '0')}`, data: b64(String(i)), mode: 'PERSISTENT' as const })) })
    const first = await api.znodes.children({ connectionId, path: '/paged', limit: 10 })
    expect(first.total).toBe(25)
    expect(first.children.map((child) => child.name)).toEqual(Array.from({ length: 10 }, (_, i) => `c${String(i).padStart(2, '0')}`))
    expect(first.children[3]?.stat?.dataLength).toBe(1)
    const last = await api.znodes.children({ connectionId, path: '/paged', offset: 20, limit: 10, cursor: first.cursor })
    expect(last.children.map((child) => child.name)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24'])
    expect(last.cursor).toBe(first.cursor)

    const acl = [{ perms: 1 | 2, scheme: 'world', id: 'anyone' }]
    const after = await api.znodes.setAcl({ connectionId, path: '/paged/c00', acl, version: 0 })
    expect(after.stat.aversion).toBe(1)
    expect((await api.znodes.getAcl({ connectionId, path: '/paged/c00' })).acl).toEqual(acl)
    const denied = await rejection(api.znodes.create({ connectionId, path: '/paged/c00/child' }))
    expect(denied.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'NOAUTH' } })
  })

  it('applies multi atomically and names the failing code', async () => {
    const api = app.client.api
    const { results } = await api.znodes.multi({
      connectionId,
      ops: [
        { op: 'create', path: '/multi', data: null, mode: 'PERSISTENT' },
        { op: 'create', path: '/multi/a', data: b64('a'), mode: 'PERSISTENT' },
        { op: 'setData', path: '/multi/a', data: b64('b'), version: 0 },
        { op: 'check', path: '/multi', version: 0 },
      ],
    })
    expect(results.map((result) => result.op)).toEqual(['create', 'create', 'setData', 'check'])
    const failed = await rejection(api.znodes.multi({ connectionId, ops: [{ op: 'delete', path: '/multi/a', version: 5 }, { op: 'create', path: '/multi/b', data: null, mode: 'PERSISTENT' }] }))
    expect(failed.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'BADVERSION' } })
    expect((await api.znodes.exists({ connectionId, path: '/multi/b' })).stat).toBeNull()
  })

  it('streams events of user watches of every kind and of the tree’s own watches', async () => {
    const api = app.client.api
    await api.znodes.create({ connectionId, path: '/w' })
    await api.znodes.create({ connectionId, path: '/w/x', data: b64('0') })
    const data = await api.watches.add({ connectionId, path: '/w/x', kind: 'data' })
    const exists = await api.watches.add({ connectionId, path: '/w/y', kind: 'exists' })
    const children = await api.watches.add({ connectionId, path: '/w', kind: 'children' })
    const persistent = await api.watches.add({ connectionId, path: '/w/x', kind: 'persistent' })
    const recursive = await api.watches.add({ connectionId, path: '/w', kind: 'persistentRecursive' })
    await api.znodes.get({ connectionId, path: '/w/x', watch: true })
    await api.znodes.children({ connectionId, path: '/w', watch: true })
    await api.znodes.set({ connectionId, path: '/w/x', data: b64('1'), version: -1 })
    await api.znodes.create({ connectionId, path: '/w/y' })
    const seen = () => app.events('watches.event').filter((event) => event.connectionId === connectionId && event.path?.startsWith('/w'))
    const summary = () => seen().map((event) => `${event.watchKind} ${event.type} ${event.path}`)
    await eventually(() => (seen().length >= 8 ? true : undefined), 'eight watch events')
    expect(new Set(summary())).toEqual(
      new Set([
        'data NodeDataChanged /w/x',
        'persistent NodeDataChanged /w/x',
        'persistentRecursive NodeDataChanged /w/x',
        'tree-data NodeDataChanged /w/x',
        'exists NodeCreated /w/y',
        'children NodeChildrenChanged /w',
        'persistentRecursive NodeCreated /w/y',
        'tree-children NodeChildrenChanged /w',
      ]),
    )
    const byId = new Map(seen().map((event) => [event.watchId, event]))
    for (const watch of [data, exists, children, persistent, recursive]) expect(byId.has(watch.watchId)).toBe(true)
    const listed = await api.watches.list({ connectionId })
    expect(listed.find((watch) => watch.watchId === data.watchId)?.active).toBe(false)
    expect(listed.find((watch) => watch.watchId === persistent.watchId)?.active).toBe(true)
    expect(await api.watches.remove({ watchId: persistent.watchId })).toEqual({ removed: true })
    expect(await api.watches.remove({ watchId: data.watchId })).toEqual({ removed: true })
    const count = seen().length
    await api.znodes.set({ connectionId, path: '/w/x', data: b64('2'), version: -1 })
    await eventually(() => (seen().length > count ? true : undefined), 'the recursive watch event')
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(seen().slice(count).map((event) => event.watchKind)).toEqual(['persistentRecursive'])
  })

  it('runs a zkCli-compatible console, with watch output on the stream', async () => {
    const api = app.client.api
    const { consoleId } = await api.console.open({ connectionId })
    const created = await api.console.execute({ consoleId, line: 'create /console hello' })
    // zkCli prints the session's first event (WATCHER:: … SyncConnected) on stdout; the command's own line is on stderr.
    expect(created.output.filter((chunk) => chunk.stream === 'err')).toEqual([{ stream: 'err', text: 'Created /console\n' }])
    const got = await api.console.execute({ consoleId, line: 'get -w /console' })
    expect(got.output.map((chunk) => chunk.text).join('')).toBe('hello\n')
    await api.znodes.set({ connectionId, path: '/console', data: b64('changed'), version: -1 })
    const printed = await eventually(
      () => app.events('console.output').find((chunk) => chunk.consoleId === consoleId && chunk.text.includes('NodeDataChanged')),
      'the console watch notification',
    )
    expect(printed.text).toContain('path:/console')
    const missing = await api.console.execute({ consoleId, line: 'get /console/none' })
    expect(missing.output.map((chunk) => chunk.text).join('')).toContain('Node does not exist: /console/none')
    expect((await api.console.complete({ consoleId, line: 'get /cons' })).candidates).toContain('/console')
    const audited = (await api.audit.list({ connectionId })).entries.find((entry) => entry.operation === 'console create')
    expect(audited).toMatchObject({ path: '/console', detail: 'create /console hello' })
    await api.console.close({ consoleId })
  })

  it('refuses every write on a read-only connection, in main', async () => {
    const api = app.client.api
    const readOnly = await api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString, readOnly: true, name: 'ro' } })
    const id = readOnly.connectionId
    expect((await api.znodes.get({ connectionId: id, path: '/app' })).path).toBe('/app')
    const writes: Promise<unknown>[] = [
      api.znodes.create({ connectionId: id, path: '/ro' }),
      api.znodes.set({ connectionId: id, path: '/app', data: null, version: -1 }),
      api.znodes.delete({ connectionId: id, path: '/app', version: -1 }),
      api.znodes.setAcl({ connectionId: id, path: '/app', acl: [{ perms: 31, scheme: 'world', id: 'anyone' }], version: -1 }),
      api.znodes.multi({ connectionId: id, ops: [{ op: 'check', path: '/app', version: -1 }] }),
      api.znodes.deleteRecursive({ connectionId: id, path: '/app' }),
      api.znodes.import({ connectionId: id, path: '/ro', format: 'json', content: '{}' }),
      api.znodes.move({ connectionId: id, from: '/app', to: '/moved' }),
      api.znodes.copy({ connectionId, from: '/app', to: '/copied', targetConnectionId: id }),
    ]
    for (const write of writes) expect((await rejection(write)).error).toEqual({ code: 'READ_ONLY', message: 'connection "ro" is read-only: writes are refused', details: { connectionId: id } })
    const { consoleId } = await api.console.open({ connectionId: id })
    expect((await rejection(api.console.execute({ consoleId, line: 'delete /app' }))).code).toBe('READ_ONLY')
    expect((await api.console.execute({ consoleId, line: 'ls /app' })).output.map((chunk) => chunk.text).join('')).toContain('persistent_sequential')
    expect((await api.znodes.exists({ connectionId, path: '/app' })).stat).not.toBeNull()
    await api.connections.close({ connectionId: id })
  })
})
