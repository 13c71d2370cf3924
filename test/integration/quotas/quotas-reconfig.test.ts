// Quotas (zkCli's layout, enforceQuota hard limits) on Apache ZooKeeper 3.8 and ZooDesk standalone, and dynamic
// reconfiguration of a real Apache ensemble and of a ZooDesk one (reconfigEnabled=true, skipACL), all through the
// app's WebSocket binding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../../../engine/cluster'
import type { TestServer } from '../../compat/harness/servers'
import { FAST_TICKS } from '../cluster/ensemble-scenarios'
import { zoodeskBundle } from '../cluster/support'
import { type AppHarness, b64, rejection, STANDALONE_SERVERS, startAppHarness } from '../app/support/app-harness'

describe.each(STANDALONE_SERVERS)('quotas on %s', (kind, start) => {
  let server: TestServer
  let app: AppHarness
  let connectionId: string

  beforeAll(async () => {
    server = await start({ name: `quotas-${kind}`, systemProperties: { 'zookeeper.enforceQuota': 'true' }, tickTime: 500 })
    app = await startAppHarness()
    connectionId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString, name: kind } })).connectionId
  })

  afterAll(async () => {
    await app?.close()
    await server?.stop()
  })

  it('sets a quota, tracks usage to the soft and hard limits, refuses past the hard one, deletes', async () => {
    const api = app.client.api
    await api.znodes.create({ connectionId, path: '/q', data: b64('abc') })
    const set = await api.quotas.set({ connectionId, path: '/q', count: 2, countHard: 4, bytes: 100 })
    expect(set.quota).toEqual({ path: '/q', limits: { count: 2, bytes: 100, countHard: 4, bytesHard: null }, usage: { count: 1, bytes: 3 }, level: 'ok' })
    await api.znodes.create({ connectionId, path: '/q/a', data: b64('12345') })
    expect((await api.quotas.list({ connectionId })).map((quota) => [quota.path, quota.usage, quota.level])).toEqual([['/q', { count: 2, bytes: 8 }, 'soft']])
    await api.znodes.create({ connectionId, path: '/q/b', data: null })
    await api.znodes.create({ connectionId, path: '/q/c', data: null })
    const full = await api.quotas.list({ connectionId })
    expect(full[0]).toMatchObject({ usage: { count: 4, bytes: 8 }, level: 'hard' })
    const refused = await rejection(api.znodes.create({ connectionId, path: '/q/d', data: null }))
    expect(refused.error).toMatchObject({ code: 'KEEPER', details: { keeperCode: 'QUOTAEXCEEDED' } })

    // zkCli's own refusals: a quota under a quota'd node, on a missing node.
    const nested = await rejection(api.quotas.set({ connectionId, path: '/q/a', count: 5 }))
    expect(nested.error).toMatchObject({ code: 'CONFLICT', message: '/q/a has a parent /q which has a quota' })
    const missing = await rejection(api.quotas.set({ connectionId, path: '/none', count: 5 }))
    expect(missing.error).toMatchObject({ code: 'CONFLICT', message: '/none does not exist.' })
    const lower = await api.quotas.set({ connectionId, path: '/q', bytes: 5 })
    expect(lower.warnings).toEqual([
      '[Warning]: the count quota you create is less than the existing count:4',
      '[Warning]: the bytes quota you create is less than the existing bytes:8',
    ])

    // Without the hard count limit the write goes through; the soft one only warns in the server's log.
    await api.quotas.delete({ connectionId, path: '/q', limits: ['countHard'] })
    await api.znodes.create({ connectionId, path: '/q/d', data: null })
    expect((await api.quotas.list({ connectionId }))[0]).toMatchObject({ limits: { count: 2, bytes: 5, countHard: null, bytesHard: null }, usage: { count: 5 }, level: 'soft' })
    expect(await api.quotas.delete({ connectionId, path: '/q' })).toEqual({ deleted: true })
    expect(await api.quotas.list({ connectionId })).toEqual([])
    expect(await api.quotas.delete({ connectionId, path: '/q' })).toEqual({ deleted: false })
    const audit = await api.audit.list({ connectionId })
    expect(audit.entries.filter((entry) => entry.operation.endsWith('quota')).map((entry) => entry.operation)).toEqual(['delquota', 'delquota', 'setquota', 'setquota'])
  })

  it('refuses malformed arguments before any request', async () => {
    const api = app.client.api
    for (const args of [{ connectionId, path: '/q' }, { connectionId, path: '/q', count: 0 }, { connectionId, path: 'q', count: 1 }, { connectionId, path: '/q', bytes: -1 }]) {
      expect((await rejection(api.quotas.set(args as never))).error.code).toBe('BAD_ARGUMENTS')
    }
    expect((await rejection(api.quotas.set({ connectionId, path: '/zookeeper/quota/x', count: 1 }))).error.code).toBe('BAD_ARGUMENTS')
    expect((await rejection(api.quotas.delete({ connectionId, path: '/q', limits: ['nodes' as never] }))).error.code).toBe('BAD_ARGUMENTS')
    expect((await rejection(api.reconfig.apply({ connectionId, leaving: [1], fromVersion: 'xyz' }))).error.code).toBe('BAD_ARGUMENTS')
  })

  it('reconfig: config of a standalone server; apply is refused by the server as Apache refuses it', async () => {
    const api = app.client.api
    const config = await api.reconfig.config({ connectionId })
    expect(config.support).toBe('supported')
    expect(config.members).toEqual([])
    const refused = await rejection(api.reconfig.apply({ connectionId, joining: ['server.2=127.0.0.1:2888:3888;2182'] }))
    expect(refused.error.code).toBe('KEEPER')
    expect(refused.error.details).toMatchObject({ keeperCode: 'RECONFIGDISABLED' })
  })
})

describe.each(['apache', 'zoodesk'] as const)('reconfig of a %s ensemble (3 voters, 1 observer)', (kind) => {
  let cluster: LocalCluster
  let app: AppHarness
  let connectionId: string

  beforeAll(async () => {
    cluster = await LocalCluster.create({
      voters: 3,
      observers: 1,
      kind,
      reconfigEnabled: true,
      // As the app's clusters service makes them: reconfig needs a superuser, so the test cluster skips ACLs.
      extraConfig: { skipACL: 'yes' },
      apache: { heapMb: 256 },
      ...FAST_TICKS,
      ...(kind === 'zoodesk' ? { zoodeskScript: await zoodeskBundle() } : {}),
    })
    await cluster.start()
    await cluster.waitForServing(90_000)
    app = await startAppHarness()
    const connectString = `127.0.0.1:${cluster.member(1).clientPort}`
    connectionId = (await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString, name: `${kind}-ensemble` } })).connectionId
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await cluster?.close()
  })

  it('removes the observer and a voter, adds them back, after previews', async () => {
    const api = app.client.api
    const started = Date.now()
    const initial = await api.reconfig.config({ connectionId })
    expect(initial.support).toBe('supported')
    expect(initial.members.map((member) => [member.id, member.role])).toEqual([
      [1, 'participant'],
      [2, 'participant'],
      [3, 'participant'],
      [4, 'observer'],
    ])
    expect(initial.quorum).toEqual({ voters: 3, observers: 1, majority: 2, tolerated: 1 })
    const observerSpec = `server.4=${initial.members[3]!.spec}`
    // A follower other than member 1 (the one we are connected to): removing the leader makes the ensemble elect
    // again and drops every client, which a user sees as ConnectionLoss (the config must then be read again).
    const leader = (await cluster.status()).find((status) => status.mode === 'leader')?.id
    const removed = leader === 2 ? 3 : 2
    const voterSpec = `server.${removed}=${initial.members[removed - 1]!.spec}`

    const preview = await api.reconfig.preview({ connectionId, leaving: [4] })
    expect(preview.after).toEqual({ voters: 3, observers: 0, majority: 2, tolerated: 1 })
    const withoutObserver = await api.reconfig.apply({ connectionId, leaving: [4], fromVersion: initial.version! })
    expect(withoutObserver.members.map((member) => member.id)).toEqual([1, 2, 3])
    expect(withoutObserver.version).not.toBe(initial.version)

    // Against the config the preview was made on: refused once another reconfig came in between.
    const stale = await rejection(api.reconfig.apply({ connectionId, joining: [observerSpec], fromVersion: initial.version! }))
    expect(stale.error.code).toBe('CONFLICT')

    const withObserver = await api.reconfig.apply({ connectionId, joining: [observerSpec], fromVersion: withoutObserver.version! })
    expect(withObserver.members.map((member) => [member.id, member.role])).toEqual([
      [1, 'participant'],
      [2, 'participant'],
      [3, 'participant'],
      [4, 'observer'],
    ])

    const shrink = await api.reconfig.preview({ connectionId, leaving: [removed] })
    expect(shrink.after).toEqual({ voters: 2, observers: 1, majority: 2, tolerated: 0 })
    const twoVoters = await api.reconfig.apply({ connectionId, leaving: [removed], fromVersion: withObserver.version! })
    expect(twoVoters.quorum).toEqual({ voters: 2, observers: 1, majority: 2, tolerated: 0 })
    const back = await api.reconfig.apply({ connectionId, joining: [voterSpec], fromVersion: twoVoters.version! })
    expect(back.quorum).toEqual({ voters: 3, observers: 1, majority: 2, tolerated: 1 })
    expect(back.text).toContain(voterSpec)
    console.log(`reconfig: 4 reconfigs of a 4-member ${kind} ensemble in ${Date.now() - started} ms; final config:\n${back.text}`)
  }, 120_000)
})
