// engine/forensics nodeHistory on data dirs written by real servers (Apache ZooKeeper 3.8 and ZooDesk): changes made
// inside a multi, a failed multi (logged as error txns: no change), and an ephemeral removed by its session's close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Op, ZooKeeperClient } from '../../../engine/client'
import { ForensicDataDir, nodeHistory, sessionCreatedAt } from '../../../engine/forensics'
import { CreateMode } from '../../../engine/proto'
import { type TestServer, startApache, startZooDesk } from '../../compat/harness/servers'

describe.each(['apache', 'zoodesk'] as const)('nodeHistory on a %s data dir', (kind) => {
  let server: TestServer
  let sessions: { owner: bigint; writer: bigint }

  beforeAll(async () => {
    server = kind === 'apache' ? await startApache({ name: 'history-engine' }) : await startZooDesk({ name: 'history-engine' })
    const writer = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10_000 })
    const owner = await ZooKeeperClient.connect(server.connectString, { sessionTimeoutMs: 10_000 })
    sessions = { owner: owner.sessionId, writer: writer.sessionId }
    await writer.multi([Op.create('/m', 'a'), Op.setData('/m', 'b', 0)])
    await writer.multi([Op.setData('/m', 'never', 1), Op.check('/m', 99)]).catch(() => undefined)
    await writer.setData('/m', 'c', 1)
    await owner.create('/eph', 'mine', { mode: CreateMode.EPHEMERAL })
    await owner.close()
    await writer.close()
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
  })

  it('lists changes inside multis, skips a failed multi, and sees an ephemeral go with its session', async () => {
    const dir = await ForensicDataDir.open(server.dataDir)
    try {
      const m = await nodeHistory(dir, '/m')
      expect(m.startsWithCreate).toBe(true)
      expect(m.changes.map((one) => [one.kind, one.version, one.inMulti, one.data?.toString()])).toEqual([
        ['create', 0, true, 'a'],
        ['setData', 1, true, 'b'],
        ['setData', 2, false, 'c'],
      ])
      expect(m.changes.every((one) => one.sessionId === sessions.writer)).toBe(true)
      const eph = await nodeHistory(dir, '/eph')
      expect(eph.changes.map((one) => [one.kind, one.sessionId, one.ephemeralOwner, one.data?.toString()])).toEqual([
        ['create', sessions.owner, sessions.owner, 'mine'],
        ['delete', sessions.owner, sessions.owner, 'mine'],
      ])
      expect(sessionCreatedAt(dir, sessions.owner)).not.toBeNull()
      expect((await nodeHistory(dir, '/nowhere')).changes).toEqual([])
    } finally {
      await dir.close()
    }
  })
})
