// Per-node history through the WebSocket binding. On a 3-member local cluster (ZooDesk, then Apache ZooKeeper 3.8)
// three clients, each on its own member, change one node; history.list reads a member's txn log and must show every
// version with the session that made it and its data; restore writes a version back with a versioned setData and a
// stale expected version is refused (BADVERSION). Then a standalone server that is no local cluster: the partial
// timeline a persistent watch builds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClusterView } from '../../../main/contract/model'
import { isApiError } from '../../../renderer/api/client'
import { type TestServer, startZooDesk } from '../../compat/harness/servers'
import { type AppHarness, b64, startAppHarness, text } from '../app/support/app-harness'

describe.each(['zoodesk', 'apache'] as const)('history of a node on a 3-member %s local cluster', (kind) => {
  let app: AppHarness
  let cluster: ClusterView
  const connections: { connectionId: string; sessionId: string }[] = []
  const path = '/history-node'

  beforeAll(async () => {
    app = await startAppHarness()
    cluster = await app.client.api.clusters.create({ name: `history-${kind}`, voters: 3, kind, tickTimeMs: 500 })
    for (const member of cluster.members) {
      const view = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: `127.0.0.1:${member.clientPort}` } })
      connections.push({ connectionId: view.connectionId, sessionId: view.sessionId })
    }
  }, 180_000)

  afterAll(async () => {
    await app?.close()
  })

  it('lists every version with the session that made it, its data and its version', async () => {
    const [a, b, c] = connections as [(typeof connections)[0], (typeof connections)[0], (typeof connections)[0]]
    const api = app.client.api
    await api.znodes.create({ connectionId: a.connectionId, path, data: b64('v0') })
    await api.znodes.set({ connectionId: b.connectionId, path, data: b64('v1'), version: 0 })
    await api.znodes.set({ connectionId: c.connectionId, path, data: b64('v2'), version: 1 })
    await api.znodes.setAcl({ connectionId: a.connectionId, path, acl: [{ scheme: 'world', id: 'anyone', perms: 31 }], version: 0 })
    await api.znodes.delete({ connectionId: b.connectionId, path, version: 2 })
    await api.znodes.create({ connectionId: c.connectionId, path, data: b64('again') })
    await api.znodes.set({ connectionId: a.connectionId, path, data: b64('v3'), version: 0 })

    const history = await api.history.list({ connectionId: a.connectionId, path })
    console.log(`${kind}: history of ${path} from member ${history.memberId}'s txn log in ${history.elapsedMs} ms`)
    expect(history).toMatchObject({ source: 'txnLog', partial: false, clusterId: cluster.clusterId, startsWithCreate: true, currentVersion: 1 })
    expect(history.versions.map((one) => [one.kind, one.version, one.sessionId])).toEqual([
      ['create', 0, a.sessionId],
      ['setData', 1, b.sessionId],
      ['setData', 2, c.sessionId],
      ['setACL', 2, a.sessionId],
      ['delete', 2, b.sessionId],
      ['create', 0, c.sessionId],
      ['setData', 1, a.sessionId],
    ])
    expect(history.versions.map((one) => one.aclVersion)).toEqual([0, 0, 0, 1, 1, 0, 0])
    // The sessions live: `cons` names their client addresses.
    for (const one of history.versions) expect(one.clientAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    const zxids = history.versions.map((one) => BigInt(one.zxid))
    expect([...zxids].sort((x, y) => (x < y ? -1 : 1))).toEqual(zxids)
    const datas = await Promise.all(history.versions.map(async (one) => text((await api.history.version({ connectionId: a.connectionId, path, zxid: one.zxid })).data)))
    expect(datas).toEqual(['v0', 'v1', 'v2', 'v2', 'v2', 'again', 'v3'])
  })

  it('restores a version with a versioned setData and refuses a stale expected version', async () => {
    const api = app.client.api
    const [a, b] = connections as [(typeof connections)[0], (typeof connections)[0]]
    const history = await api.history.list({ connectionId: a.connectionId, path })
    const v1 = history.versions[1]!
    const restored = await api.history.restore({ connectionId: a.connectionId, path, zxid: v1.zxid, expectedVersion: 1 })
    expect(restored.stat.version).toBe(2)
    expect(text((await api.znodes.get({ connectionId: b.connectionId, path })).data)).toBe('v1')

    const stale = await api.history.restore({ connectionId: a.connectionId, path, zxid: history.versions[2]!.zxid, expectedVersion: 1 }).catch((error: unknown) => error)
    expect(isApiError(stale) && stale.code).toBe('KEEPER')
    expect(isApiError(stale) ? stale.error.details : null).toMatchObject({ keeperCode: 'BADVERSION' })
    expect(text((await api.znodes.get({ connectionId: b.connectionId, path })).data)).toBe('v1')

    // Without an expected version: the version read now.
    await api.history.restore({ connectionId: b.connectionId, path, zxid: history.versions[0]!.zxid })
    expect(text((await api.znodes.get({ connectionId: a.connectionId, path })).data)).toBe('v0')
    const after = await api.history.list({ connectionId: a.connectionId, path })
    expect(after.versions.slice(-2).map((one) => [one.kind, one.version, one.sessionId])).toEqual([
      ['setData', 2, a.sessionId],
      ['setData', 3, b.sessionId],
    ])
  })
})

describe('history of a node on a server that is no local cluster (partial, from the watch stream)', () => {
  let app: AppHarness
  let server: TestServer

  beforeAll(async () => {
    ;[server, app] = await Promise.all([startZooDesk({ name: 'history-remote' }), startAppHarness()])
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('builds a timeline from the first call on, labelled partial', async () => {
    const api = app.client.api
    const { connectionId } = await api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })
    const writer = await api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })
    const path = '/remote-node'
    await api.znodes.create({ connectionId: writer.connectionId, path, data: b64('before') })
    await api.znodes.set({ connectionId: writer.connectionId, path, data: b64('unseen'), version: 0 })
    const first = await api.history.list({ connectionId, path })
    expect(first).toMatchObject({ source: 'watch', partial: true, clusterId: null })
    expect(first.versions.map((one) => [one.kind, one.version])).toEqual([['seen', 1]])

    await api.znodes.set({ connectionId: writer.connectionId, path, data: b64('second'), version: 1 })
    let latest = first
    for (let round = 0; round < 200 && latest.versions.length < 2; round++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      latest = await api.history.list({ connectionId, path })
    }
    await api.znodes.delete({ connectionId: writer.connectionId, path, version: 2 })
    for (let round = 0; round < 200 && latest.versions.length < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      latest = await api.history.list({ connectionId, path })
    }
    expect(latest.versions.map((one) => [one.kind, one.version, one.sessionId])).toEqual([
      ['seen', 1, null],
      ['seen', 2, null],
      ['delete', 2, null],
    ])
    expect(latest.currentVersion).toBeNull()
    const second = await api.history.version({ connectionId, path, zxid: latest.versions[1]!.zxid })
    expect(text(second.data)).toBe('second')
    expect(await api.history.forget({ connectionId, path })).toEqual({ forgotten: true })
  })
})
