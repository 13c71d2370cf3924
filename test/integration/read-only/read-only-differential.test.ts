import { beforeAll, describe, expect, it } from 'vitest'
import { apacheFactory, zoodeskEnsembleFactory } from '../client/support/apache'
import type { EnsembleOptions, ServerFactory, TestEnsemble } from '../client/support/server-factory'
import { observeLocalSessions, type LocalSessionObservations } from './support/local-sessions-scenario'
import { observeReadOnly, observeReadOnlyWithoutLocalSessions, type ReadOnlyObservations } from './support/read-only-scenario'

/**
 * The same scenarios on a 3-member Apache ZooKeeper 3.8 ensemble and on a 3-member ZooDesk ensemble, one after the
 * other (the machine is shared), compared observation by observation.
 */
async function onBoth<T>(options: EnsembleOptions, observe: (ensemble: TestEnsemble) => Promise<T>): Promise<{ apache: T; zoodesk: T }> {
  const run = async (factory: ServerFactory): Promise<T> => {
    const ensemble = await factory.start(options)
    try {
      return await observe(ensemble)
    } finally {
      await ensemble.close()
    }
  }
  return { apache: await run(apacheFactory), zoodesk: await run(zoodeskEnsembleFactory) }
}

const READ_ONLY = { 'readonlymode.enabled': 'true' }
const NOT_READ_ONLY = -119
const EPHEMERAL_ON_LOCAL_SESSION = -120
const SESSION_EXPIRED = -112
const UNIMPLEMENTED = -6

/** mntr keys without the per-namespace summaries (Apache counts its own /zookeeper/config writes there). */
function mntrKeys(mntr: Record<string, string>): string[] {
  return Object.keys(mntr)
    .filter((key) => !key.endsWith('_per_namespace'))
    .sort()
}

describe('read-only mode (local sessions, upgrades on): Apache 3.8 and ZooDesk', () => {
  let runs: { apache: ReadOnlyObservations; zoodesk: ReadOnlyObservations }

  beforeAll(async () => {
    runs = await onBoth(
      { size: 3, tickTimeMs: 500, systemProperties: READ_ONLY, extraConfig: { localSessionsEnabled: 'true', localSessionsUpgradingEnabled: 'true' } },
      observeReadOnly,
    )
  }, 300_000)

  it('upgrades a local session that creates an ephemeral (a createSession txn first)', () => {
    expect(runs.apache.upgrade).toEqual({ zxidsUsed: 2, reconnectOnOtherMember: { length: 37, timeOut: 10_000, sessionOfThisMember: true, readOnly: false } })
    expect(runs.zoodesk.upgrade).toEqual(runs.apache.upgrade)
  })

  it('is not serving while looking, and read-only after the grace period', () => {
    expect(runs.apache.isroWhileCutOff).toEqual(['null', 'ro'])
    expect(runs.zoodesk.isroWhileCutOff).toEqual(runs.apache.isroWhileCutOff)
    // max(2000 ms, tickTime); measured from the first "null" we saw, so a little less is possible.
    expect(runs.apache.graceMs).toBeGreaterThanOrEqual(1500)
    expect(runs.zoodesk.graceMs).toBeGreaterThanOrEqual(1500)
    expect(runs.zoodesk.graceMs).toBeLessThan(4000)
    expect(runs.zoodesk.isroWord).toBe('ro')
  })

  it('reports the read-only state in srvr, stat, conf and mntr as Apache does', () => {
    expect(runs.apache.srvr).toContain('READ-ONLY mode; serving only read-only clients')
    expect(runs.apache.srvr).toContain('Mode: read-only')
    expect(runs.zoodesk.srvr).toEqual(runs.apache.srvr)
    expect(runs.zoodesk.stat).toEqual(runs.apache.stat)
    expect(runs.zoodesk.conf).toEqual(runs.apache.conf)
    expect(runs.zoodesk.conf).not.toContain('membership: ')
    const { apache, zoodesk } = runs
    expect(apache.mntr['zk_server_state']).toBe('read-only')
    expect(apache.mntr['zk_peer_state']).toBeUndefined()
    expect(mntrKeys(zoodesk.mntr)).toEqual(mntrKeys(apache.mntr))
    for (const key of ['zk_server_state', 'zk_local_sessions', 'zk_global_sessions', 'zk_znode_count', 'zk_ephemerals_count', 'zk_watch_count', 'zk_num_alive_connections']) {
      expect({ key, value: zoodesk.mntr[key] }).toEqual({ key, value: apache.mntr[key] })
    }
  })

  it('takes only read-only clients, and no global session', () => {
    const { apache, zoodesk } = runs
    expect(apache.handshakes['notReadOnlyClient']).toBe('closed')
    expect(apache.handshakes['oldClient']).toBe('closed')
    expect(apache.handshakes['globalSessionReconnect']).toBe('closed')
    expect(apache.handshakes['readOnlyClient']).toEqual({ length: 37, timeOut: 6000, sessionOfThisMember: true, readOnly: true })
    expect(zoodesk.handshakes).toEqual(apache.handshakes)
  })

  it('refuses every change with NOTREADONLY at the last zxid and answers reads as usual', () => {
    const { apache, zoodesk } = runs
    for (const op of ['create', 'createEphemeral', 'create2', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'setData', 'setACL', 'multi', 'multiCheckOnly', 'reconfig', 'sync']) {
      expect({ op, reply: apache.requests[op] }).toEqual({ op, reply: { err: NOT_READ_ONLY, bodyBytes: 0 } })
    }
    expect(apache.requests['closeSession']).toEqual({ err: 0, bodyBytes: 0 })
    expect(zoodesk.requests).toEqual(apache.requests)
    expect(apache.refusedZxidIsLastZxid).toBe(true)
    expect(zoodesk.refusedZxidIsLastZxid).toBe(true)
  })

  it('drops its read-only clients when the election ends and forgets their sessions', () => {
    expect(runs.apache.afterQuorum).toEqual({
      readOnlyConnectionClosed: true,
      readOnlyClientOnReadWriteMember: { length: 37, timeOut: 6000, sessionOfThisMember: true, readOnly: false },
      readOnlySessionOnReadWriteMember: { length: 37, timeOut: 0, sessionOfThisMember: false, readOnly: false },
    })
    expect(runs.zoodesk.afterQuorum).toEqual(runs.apache.afterQuorum)
  })

  it('refuses a lone check as Apache 3.8.4+ does (3.8.0 passed it to the read-only filter)', () => {
    expect(runs.apache.check).toEqual({ reply: { err: NOT_READ_ONLY, bodyBytes: 0 }, closed: false })
    expect(runs.zoodesk.check).toEqual({ reply: { err: UNIMPLEMENTED, bodyBytes: 0 }, closed: true })
  })
})

describe('read-only mode without local sessions: Apache 3.8 and ZooDesk', () => {
  let runs: { apache: Record<string, unknown>; zoodesk: Record<string, unknown> }

  beforeAll(async () => {
    runs = await onBoth({ size: 3, tickTimeMs: 500, systemProperties: READ_ONLY }, observeReadOnlyWithoutLocalSessions)
  }, 300_000)

  it('answers a new session with a bare NOTREADONLY and lets an unknown session read', () => {
    expect(runs.apache['newSession']).toEqual({ replyHeaderInstead: { xid: 0, err: NOT_READ_ONLY } })
    expect(runs.apache['closeSession']).toEqual({ err: NOT_READ_ONLY, bodyBytes: 0 })
    expect(runs.zoodesk).toEqual(runs.apache)
  })
})

describe('local sessions (upgrades off, the default): Apache 3.8 and ZooDesk', () => {
  let runs: { apache: LocalSessionObservations; zoodesk: LocalSessionObservations }

  beforeAll(async () => {
    runs = await onBoth({ size: 3, tickTimeMs: 500, extraConfig: { localSessionsEnabled: 'true' } }, observeLocalSessions)
  }, 300_000)

  it('makes sessions without a txn, kept on their member only', () => {
    const { apache, zoodesk } = runs
    expect(apache['persistentCreateFromLocalSession']).toEqual({ err: 0, zxidsUsed: 1 })
    expect(apache['leaderGlobalSessions']).toBe('0')
    expect(apache['followerLocalSessions']).toBe('1')
    expect(apache['reconnectOnOtherMember']).toEqual({ length: 37, timeOut: 0, madeByThisMember: false })
    expect(apache['reconnectOnSameMember']).toEqual({ length: 37, timeOut: 6000, madeByThisMember: true })
    for (const key of ['handshakeOnFollower', 'handshakeOnLeader', 'persistentCreateFromLocalSession', 'followerLocalSessions', 'leaderGlobalSessions', 'followerGlobalSessions', 'readFromLeaderLocalSession', 'reconnectOnOtherMember', 'reconnectOnLeader', 'reconnectOnSameMember']) {
      expect({ key, value: zoodesk[key] }).toEqual({ key, value: apache[key] })
    }
  })

  it('refuses ephemerals with EPHEMERALONLOCALSESSION on followers and on the leader', () => {
    const { apache, zoodesk } = runs
    expect(apache['ephemeralOnFollower']).toEqual({ err: EPHEMERAL_ON_LOCAL_SESSION, zxidsUsed: 1 })
    expect(apache['ephemeralOnLeader']).toEqual({ err: EPHEMERAL_ON_LOCAL_SESSION, zxidsUsed: 1 })
    // A follower's multi is answered from the leader's txn, where the session is simply unknown.
    expect(apache['multiWithEphemeralOnFollower']).toEqual({ err: 0, ops: [0, SESSION_EXPIRED], zxidsUsed: 1 })
    for (const key of ['ephemeralOnFollower', 'multiWithEphemeralOnFollower', 'ephemeralOnLeader', 'sequentialEphemeralOnLeader']) {
      expect({ key, value: zoodesk[key] }).toEqual({ key, value: apache[key] })
    }
  })

  it('closes and expires local sessions on their member, without txns', () => {
    const { apache, zoodesk } = runs
    expect(apache['closeLocalSession']).toEqual({ err: 0, zxidsUsed: 0 })
    expect(apache['quietSessionDisconnected']).toBe(true)
    expect(apache['reconnectAfterExpiry']).toEqual({ length: 37, timeOut: 0, madeByThisMember: false })
    expect(zoodesk).toEqual(apache)
  })
})
