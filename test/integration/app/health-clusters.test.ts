// Clusters and health through the WebSocket binding: a 3-member ZooDesk ensemble and a 3-member Apache ZooKeeper 3.8
// ensemble created by the clusters service (LocalCluster), watched by the health service:
// kill the leader → leader-change alert within the poll interval of the new leader existing; partition → quorum
// lost; heal → restored. Plus: a standalone Apache with the default 4lw whitelist (srvr only) and the AdminServer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fourLetterWord } from '../../../engine/monitor'
import type { ClusterView, HealthAlert } from '../../../main/contract/model'
import { type TestServer, startApache } from '../../compat/harness/servers'
import { type AppHarness, eventually, startAppHarness } from './support/app-harness'

const INTERVAL_MS = 500

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function currentLeader(cluster: ClusterView): Promise<string | null> {
  for (const member of cluster.members) {
    const text = await fourLetterWord('127.0.0.1', member.clientPort, 'srvr', 300).catch(() => '')
    if (/^Mode: leader$/m.test(text)) return `127.0.0.1:${member.clientPort}`
  }
  return null
}

describe.each(['zoodesk', 'apache'] as const)('clusters and health on a 3-member %s ensemble', (kind) => {
  let app: AppHarness
  let cluster: ClusterView
  let monitorId: string
  const alerts = (kind: HealthAlert['kind']) => app.events('health.alert').filter((alert) => alert.monitorId === monitorId && alert.kind === kind)

  beforeAll(async () => {
    app = await startAppHarness()
    cluster = await app.client.api.clusters.create({ name: `${kind}-3`, voters: 3, kind, tickTimeMs: 500 })
  }, 180_000)

  afterAll(async () => {
    await app?.close()
  })

  it('creates and starts the members in their own processes', () => {
    expect(cluster).toMatchObject({ name: `${kind}-3`, kind, voters: 3, running: true })
    expect(cluster.members.map((member) => member.state)).toEqual(['running', 'running', 'running'])
    for (const member of cluster.members) expect(alive(member.pid ?? -1)).toBe(true)
    expect(cluster.connectString.split(',')).toHaveLength(3)
  })

  it('reports roles, zxids and counts for every member', async () => {
    const snapshot = await app.client.api.health.watch({ target: { kind: 'cluster', clusterId: cluster.clusterId }, intervalMs: INTERVAL_MS })
    monitorId = snapshot.monitorId
    const round = await eventually(() => {
      const last = app.events('health.sample').filter((sample) => sample.monitorId === monitorId).at(-1)
      return last !== undefined && last.samples.some((sample) => sample.role === 'leader') ? last : undefined
    }, 'a round with a leader')
    expect(round.samples.map((sample) => sample.role).sort()).toEqual(['follower', 'follower', 'leader'])
    const leader = round.samples.find((sample) => sample.role === 'leader')!
    expect(leader).toMatchObject({ reachable: true, sources: ['srvr', 'mntr'], notices: [] })
    expect(leader.zxid).toMatch(/^0x[0-9a-f]+$/)
    expect(leader.epoch).toBeGreaterThan(0)
    expect(leader.znodes).toBeGreaterThanOrEqual(4)
    expect(leader.syncedFollowers).toBe(2)
    expect(leader.latencyMaxMs).not.toBeNull()
    // From the second round on, mntr's counters give rates.
    const rated = await eventually(() => {
      const last = app.events('health.sample').filter((sample) => sample.monitorId === monitorId).at(-1)
      return last?.samples.find((sample) => sample.role === 'leader' && sample.proposalsPerSecond !== null)
    }, 'a leader sample with rates')
    expect(rated.proposalsPerSecond).toBeGreaterThanOrEqual(0)
    expect(rated.commitsPerSecond).toBeGreaterThanOrEqual(0)
  })

  it('shows the new leader within the poll interval after the leader is killed', async () => {
    const api = app.client.api
    const before = (await api.health.snapshot({ monitorId })).leader
    expect(before).not.toBeNull()
    const leaderMember = cluster.members.find((member) => `127.0.0.1:${member.clientPort}` === before)!
    const killed = await api.clusters.killMember({ clusterId: cluster.clusterId, memberId: leaderMember.id })
    expect(killed.members.find((member) => member.id === leaderMember.id)?.state).toBe('killed')
    // When does the ensemble have its new leader (asked directly), and when does the health stream say so?
    let electedAt = 0
    let newLeader: string | null = null
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      newLeader = await currentLeader(cluster)
      if (newLeader !== null && newLeader !== before) {
        electedAt = Date.now()
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(newLeader).not.toBeNull()
    const change = await eventually(() => alerts('leader-change').find((alert) => alert.leader === newLeader), 'the leader-change alert', 30_000)
    expect(change.previousLeader).toBe(before)
    const lagMs = Math.max(0, change.time - electedAt)
    console.log(`leader killed: health reported ${newLeader} ${lagMs} ms after it was leading (poll interval ${INTERVAL_MS} ms)`)
    // One interval, plus one 4lw round trip of slack for a loaded machine.
    expect(lagMs).toBeLessThanOrEqual(INTERVAL_MS + 400)
    expect(alerts('member-down').map((alert) => alert.member)).toContain(before)
    await api.clusters.restartMember({ clusterId: cluster.clusterId, memberId: leaderMember.id })
    await eventually(() => (alerts('member-up').some((alert) => alert.member === before) ? true : undefined), 'the member back up', 60_000)
  })

  it('raises quorum-lost on a partition and quorum-restored after healing', async () => {
    const api = app.client.api
    await eventually(() => {
      const last = app.events('health.sample').filter((sample) => sample.monitorId === monitorId).at(-1)
      return last?.samples.filter((sample) => sample.role === 'follower' || sample.role === 'leader').length === 3 ? true : undefined
    }, 'all three members serving again', 60_000)
    // A kill leaves a round or two without a leader: count only what comes after the partition.
    const lostBefore = alerts('quorum-lost').length
    const restoredBefore = alerts('quorum-restored').length
    const partitioned = await api.clusters.partition({ clusterId: cluster.clusterId, groups: [[1], [2], [3]] })
    expect(partitioned.partition).toEqual([[1], [2], [3]])
    const lost = await eventually(() => alerts('quorum-lost')[lostBefore], 'quorum-lost', 60_000)
    expect(lost.message).toContain('Quorum lost')
    const snapshot = await api.health.snapshot({ monitorId })
    expect(snapshot.hasQuorum).toBe(false)
    expect(snapshot.latest.every((sample) => sample.role === 'not-serving')).toBe(true)
    await api.clusters.heal({ clusterId: cluster.clusterId })
    await eventually(() => alerts('quorum-restored')[restoredBefore], 'quorum-restored', 60_000)
    const series = await api.health.series({ monitorId })
    expect(series.samples.length).toBeGreaterThan(9)
    expect(series.samples.some((sample) => sample.role === 'not-serving')).toBe(true)
  })

  it('stops every member process when the cluster is removed', async () => {
    const view = await app.client.api.clusters.list()
    const pids = view.flatMap((entry) => entry.members.map((member) => member.pid)).filter((pid): pid is number => pid !== null)
    expect(pids.length).toBe(3)
    await app.client.api.health.unwatch({ monitorId })
    const refused = await app.client.api.clusters.remove({ clusterId: cluster.clusterId, deleteData: true }).catch((error: unknown) => error)
    expect(refused).toMatchObject({ code: 'CONFIRMATION_REQUIRED' })
    expect(await app.client.api.clusters.remove({ clusterId: cluster.clusterId, deleteData: true, confirm: `${kind}-3` })).toEqual({ removed: true })
    for (const pid of pids) expect(alive(pid)).toBe(false)
    expect(await app.client.api.clusters.list()).toEqual([])
  })
})

describe('health of a standalone Apache with the default whitelist', () => {
  let server: TestServer
  let withAdmin: TestServer
  let app: AppHarness

  beforeAll(async () => {
    ;[server, withAdmin] = await Promise.all([
      startApache({ name: 'app-health-srvr-only', config: { '4lw.commands.whitelist': 'srvr' } }),
      startApache({ name: 'app-health-admin', admin: true, config: { '4lw.commands.whitelist': 'srvr' } }),
    ])
    app = await startAppHarness()
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await server?.stop()
    await withAdmin?.stop()
  })

  it('falls back to srvr and says plainly that mntr is not whitelisted', async () => {
    const { connectionId } = await app.client.api.connections.open({ kind: 'adHoc', connection: { connectString: server.connectString } })
    const { monitorId } = await app.client.api.health.watch({ target: { kind: 'connection', connectionId }, intervalMs: 300 })
    const sample = await eventually(() => app.events('health.sample').find((round) => round.monitorId === monitorId)?.samples[0], 'a sample')
    expect(sample).toMatchObject({ role: 'standalone', reachable: true, sources: ['srvr'], znodes: expect.any(Number), watches: null, ephemerals: null })
    expect(sample.notices.join(' ')).toContain('mntr is not in 4lw.commands.whitelist')
    expect(sample.notices.join(' ')).toContain('give the AdminServer port')
    const notice = await eventually(() => app.events('health.alert').find((alert) => alert.monitorId === monitorId && alert.kind === 'notice'), 'a notice alert')
    expect(notice.message).toContain('Apache 3.5+ allows only srvr by default')
  })

  it('uses the AdminServer when mntr is refused, and says when the AdminServer is off', async () => {
    const api = app.client.api
    const { monitorId } = await api.health.watch({
      target: { kind: 'members', members: [{ host: '127.0.0.1', clientPort: withAdmin.port, adminPort: withAdmin.adminPort ?? null }] },
      intervalMs: 300,
    })
    const sample = await eventually(
      () => app.events('health.sample').find((round) => round.monitorId === monitorId && round.samples[0]?.sources.includes('admin'))?.samples[0],
      'a sample from the AdminServer',
    )
    expect(sample).toMatchObject({ role: 'standalone', watches: expect.any(Number), ephemerals: expect.any(Number), dataSizeBytes: expect.any(Number) })
    expect(sample.notices.join(' ')).toContain('come from the AdminServer')

    const off = await api.health.watch({ target: { kind: 'members', members: [{ host: '127.0.0.1', clientPort: server.port, adminPort: withAdmin.port + 1 }] }, intervalMs: 300 })
    const offSample = await eventually(() => app.events('health.sample').find((round) => round.monitorId === off.monitorId)?.samples[0], 'a sample')
    expect(offSample.notices.join(' ')).toContain('does not answer (admin.enableServer=false?)')
    await api.health.unwatch({ monitorId })
    await api.health.unwatch({ monitorId: off.monitorId })
    expect(await api.health.list()).toHaveLength(1)
  })

  it('marks an unreachable member', async () => {
    const { monitorId } = await app.client.api.health.watch({ target: { kind: 'members', members: [{ host: '127.0.0.1', clientPort: 1, adminPort: null }] }, intervalMs: 300 })
    const sample = await eventually(() => app.events('health.sample').find((round) => round.monitorId === monitorId)?.samples[0], 'a sample')
    expect(sample).toMatchObject({ reachable: false, role: 'unreachable' })
  })
})
