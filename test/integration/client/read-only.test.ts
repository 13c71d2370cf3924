import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../../engine/client'
import { fourLetterWord } from './support/four-letter-word'
import { ClientPool, eventually, uniquePath } from './support/helpers'
import { readOnlyFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

describe.each(readOnlyFactories)('read-only mode of $name', (factory) => {
  let ensemble: TestEnsemble
  const pool = new ClientPool()

  beforeAll(async () => {
    // Apache serves read-only clients only with local sessions (a global createSession is a write).
    ensemble = await factory.start({
      size: 3,
      tickTimeMs: 500,
      systemProperties: { 'readonlymode.enabled': 'true' },
      extraConfig: { localSessionsEnabled: 'true' },
    })
  })
  afterAll(async () => {
    await pool.closeAll()
    await ensemble?.close()
  })

  it('works read-only without a quorum when allowed, then goes back to read-write with a new session', async () => {
    const writer = await pool.connect(ensemble.connectString())
    const path = uniquePath('readonly')
    await writer.create(path, 'before')
    await writer.close()
    const survivor = ensemble.members[0]!
    await ensemble.stopMember(1)
    await ensemble.stopMember(2)
    await eventually(async () => (await fourLetterWord(survivor.host, survivor.clientPort, 'isro')).startsWith('ro'), 20_000, 'read-only mode')

    const client = await pool.connect(`${survivor.host}:${survivor.clientPort}`, { canBeReadOnly: true, sessionTimeoutMs: 6000 })
    expect(client.state).toBe('CONNECTEDREADONLY')
    const readOnlySession = client.sessionId
    expect((await client.getData(path)).data?.toString()).toBe('before')
    await expect(client.setData(path, 'x')).rejects.toMatchObject({ code: ErrorCode.NOTREADONLY })
    await expect(
      pool.connect(`${survivor.host}:${survivor.clientPort}`, { connectTimeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: ErrorCode.OPERATIONTIMEOUT })

    await Promise.all([ensemble.startMember(1, false), ensemble.startMember(2, false)])
    await client.waitForState('SyncConnected', 30_000)
    // A session made on a read-only server is never carried over to a read-write one.
    expect(client.sessionId).not.toBe(readOnlySession)
    await client.setData(path, 'after')
  })
})
