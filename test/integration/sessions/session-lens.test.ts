// The session lens (engine/monitor sessions + session-probe) on real 3-member ensembles, ZooDesk and Apache
// ZooKeeper 3.8: sessions of clients connected to different members appear with the member they are connected
// to, their client address, ephemerals and watches; in a ZooDesk cluster, expiring one on purpose (the cluster's
// IPC message → the leader's closeSession txn) gives its client Expired and removes its ephemerals on every member.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CreateMode, ZooKeeperClient } from '../../../engine/client'
import type { LocalCluster, MemberKind } from '../../../engine/cluster'
import { type SessionLens, probeSessions } from '../../../engine/monitor'
import { startEnsemble } from '../cluster/ensemble-scenarios'
import { removeBuiltBundle, zoodeskBundle } from '../cluster/support'

interface Participant {
  memberId: number
  client: ZooKeeperClient
  events: string[]
  ephemerals: string[]
  watched: string
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const targetsOf = (cluster: LocalCluster) => cluster.members.map((member) => ({ host: '127.0.0.1', port: member.clientPort }))
const hex = (sessionId: bigint) => `0x${sessionId.toString(16)}`

async function join(cluster: LocalCluster, memberId: number, root: string): Promise<Participant> {
  const events: string[] = []
  const client = await ZooKeeperClient.connect(`127.0.0.1:${cluster.member(memberId).clientPort}`, { sessionTimeoutMs: 20_000 })
  client.on('state', (change) => events.push(change.event))
  const ephemerals = [`${root}/m${memberId}-a`, `${root}/m${memberId}-b`]
  for (const path of ephemerals) await client.create(path, `of member ${memberId}`, { mode: CreateMode.EPHEMERAL })
  const watched = `${root}/watched-${memberId}`
  await client.exists(watched, () => undefined)
  return { memberId, client, events, ephemerals, watched }
}

function describeLens(kind: MemberKind): void {
  describe(`session lens on a 3-member ${kind} ensemble`, () => {
    let cluster: LocalCluster
    let participants: Participant[] = []
    const root = `/lens-${kind}`

    beforeAll(async () => {
      cluster = await startEnsemble([kind, kind, kind], kind === 'zoodesk' ? { zoodeskScript: await zoodeskBundle() } : {})
      const setup = await ZooKeeperClient.connect(cluster.connectString, { sessionTimeoutMs: 10_000 })
      await setup.create(root, null)
      await setup.close()
      participants = await Promise.all([1, 2, 3].map((memberId) => join(cluster, memberId, root)))
    }, 180_000)

    afterAll(async () => {
      await Promise.all(participants.map((participant) => participant.client.close().catch(() => undefined)))
      await cluster?.close()
      removeBuiltBundle()
    }, 60_000)

    it('lists every client session with its member, address, timeout, ephemerals and watches', async () => {
      const started = performance.now()
      const lens: SessionLens = await until('every participant with its ephemerals', async () => {
        const probed = await probeSessions(targetsOf(cluster))
        return participants.every((p) => probed.sessions.find((s) => s.sessionId === p.client.sessionId)?.ephemerals.length === 2) && probed
      })
      console.log(`[${kind}] session lens of 3 members: ${lens.sessions.length} sessions in ${Math.round(performance.now() - started)} ms`)
      expect(lens.gaps).toEqual([])
      expect(lens.dumpFrom).not.toBeNull()
      for (const participant of participants) {
        const session = lens.sessions.find((candidate) => candidate.sessionId === participant.client.sessionId)!
        const member = cluster.member(participant.memberId)
        expect(session.tracked).toBe(true)
        expect(session.connections.map((c) => c.member)).toEqual([`127.0.0.1:${member.clientPort}`])
        // The client's own local address is what the member lists.
        const connection = session.connections[0]!.connection
        expect(connection.clientAddress).toMatch(/^127\.0\.0\.1:\d+$/)
        expect(connection.timeoutMs).toBe(participant.client.negotiatedTimeoutMs)
        expect(session.timeoutMs).toBe(participant.client.negotiatedTimeoutMs)
        expect(session.ephemerals).toEqual([...participant.ephemerals].sort())
        expect(session.watches).toEqual([participant.watched])
      }
    }, 60_000)

    if (kind === 'zoodesk') {
      it('expires a chosen session: its client sees Expired, its ephemerals are gone on every member', async () => {
        const victim = participants[1]!
        const bystander = participants[0]!
        const started = performance.now()
        const told = await cluster.expireSession(victim.client.sessionId)
        expect(told).toEqual([1, 2, 3])
        await until('Expired at the client', async () => victim.events.includes('Expired'))
        console.log(`[${kind}] expire ${hex(victim.client.sessionId)} → client Expired in ${Math.round(performance.now() - started)} ms`)
        for (const member of cluster.members) {
          const reader = await ZooKeeperClient.connect(`127.0.0.1:${member.clientPort}`, { sessionTimeoutMs: 10_000 })
          try {
            await reader.sync(root)
            for (const path of victim.ephemerals) expect(await reader.exists(path)).toBeNull()
            for (const path of bystander.ephemerals) expect(await reader.exists(path)).not.toBeNull()
          } finally {
            await reader.close()
          }
        }
        const lens = await probeSessions(targetsOf(cluster))
        expect(lens.sessions.some((session) => session.sessionId === victim.client.sessionId)).toBe(false)
        expect(lens.sessions.some((session) => session.sessionId === bystander.client.sessionId)).toBe(true)
        expect(bystander.events).not.toContain('Expired')
      }, 60_000)
    } else {
      it('refuses to expire a session on Apache members (only the timeout can)', async () => {
        await expect(cluster.expireSession(participants[0]!.client.sessionId)).rejects.toThrow(/Apache ZooKeeper members cannot be told/)
      })
    }
  })
}

describeLens('zoodesk')
describeLens('apache')

describe('session lens on an Apache ZooKeeper 3.8 member whose whitelist allows only srvr and cons', () => {
  let cluster: LocalCluster
  let client: ZooKeeperClient

  beforeAll(async () => {
    cluster = await startEnsemble(['apache'], { extraConfig: { '4lw.commands.whitelist': 'srvr,cons' } })
    client = await ZooKeeperClient.connect(cluster.connectString, { sessionTimeoutMs: 10_000 })
    await client.create('/restricted', null, { mode: CreateMode.EPHEMERAL })
  }, 120_000)

  afterAll(async () => {
    await client?.close().catch(() => undefined)
    await cluster?.close()
  }, 60_000)

  it('still lists the connected session from cons, and says dump and wchc are not allowed', async () => {
    const lens = await until('the session in cons', async () => {
      const probed = await probeSessions(targetsOf(cluster))
      return probed.sessions.some((session) => session.sessionId === client.sessionId) && probed
    })
    expect(lens.gaps.map((gap) => `${gap.word}:${gap.reason}`)).toEqual(['dump:not-allowed', 'wchc:not-allowed'])
    expect(lens.dumpFrom).toBeNull()
    const session = lens.sessions.find((candidate) => candidate.sessionId === client.sessionId)!
    expect(session.tracked).toBe(false)
    expect(session.ephemerals).toEqual([])
    expect(session.connections).toHaveLength(1)
  }, 60_000)
})
