// A mixed local cluster made through the contract: ZooDesk member 1 and Apache ZooKeeper 3.8 members 2 and 3. The
// leader is then always an Apache member (an election among equal zxids picks the highest sid, and member 1 cannot
// form a quorum alone). The view says 'mixed' with each member's kind; the session lens cannot expire a session
// there and says why (only the leader owns sessions) instead of waiting for an expiry that never comes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client'
import { fourLetterWord } from '../../../engine/monitor'
import type { ClusterView } from '../../../main/contract/model'
import { type AppHarness, rejection, startAppHarness } from './support/app-harness'

describe('a mixed ZooDesk + Apache local cluster', () => {
  let app: AppHarness
  let cluster: ClusterView

  beforeAll(async () => {
    app = await startAppHarness()
    cluster = await app.client.api.clusters.create({ name: 'mixed-3', voters: 3, kind: ['zoodesk', 'apache', 'apache'], tickTimeMs: 500 })
  }, 180_000)

  afterAll(async () => {
    await app?.close()
  })

  it('is created with one kind per member and serves', async () => {
    expect(cluster).toMatchObject({ kind: 'mixed', running: true, reconfigEnabled: false })
    expect(cluster.members.map((member) => member.kind)).toEqual(['zoodesk', 'apache', 'apache'])
    const modes = await Promise.all(cluster.members.map(async (member) => /^Mode: (\w+)$/m.exec(await fourLetterWord('127.0.0.1', member.clientPort, 'srvr', 2000))?.[1]))
    expect([...modes].sort()).toEqual(['follower', 'follower', 'leader'])
    expect(modes[0]).toBe('follower')
  })

  it('refuses a kind list that does not match the member count', async () => {
    const refused = await rejection(app.client.api.clusters.create({ name: 'mixed-bad', voters: 3, kind: ['zoodesk', 'apache'], start: false }))
    expect(refused.code).toBe('BAD_ARGUMENTS')
    expect(refused.message).toContain('3 expected, 2 given')
  })

  it('the session lens says an Apache leader cannot be told to expire a session, and expire refuses at once', async () => {
    const client = await ZooKeeperClient.connect(`127.0.0.1:${cluster.members[0]!.clientPort}`, { sessionTimeoutMs: 10_000 })
    try {
      const lens = await app.client.api.sessions.list({ clusterId: cluster.clusterId })
      const sessionId = `0x${client.sessionId.toString(16)}`
      expect(lens.sessions.map((session) => session.sessionId)).toContain(sessionId)
      expect(lens.expire).toEqual({ possible: false, reason: 'apache-leader' })
      const refused = await rejection(app.client.api.sessions.expire({ clusterId: cluster.clusterId, sessionId }))
      expect(refused.code).toBe('UNSUPPORTED')
      expect(refused.message).toContain('leader is an Apache ZooKeeper member')
      expect(await client.exists('/')).not.toBeNull()
    } finally {
      await client.close()
    }
  })
})
