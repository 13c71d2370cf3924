// A 3-member Apache ZooKeeper 3.8 ensemble (Debian's) through the LocalCluster API: formed through the cluster's
// peer links, partitions (symmetric and one-way) and heal, SIGKILL of the leader and restart, and an observer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster } from '../../../engine/cluster'
import { connectionsInto } from './support'
import { FAST_TICKS, checkFormed, killLeaderAndRestart, partitionLeaderAndHeal, readOn, startEnsemble, writeOn } from './ensemble-scenarios'

describe('LocalCluster with Apache ZooKeeper members', () => {
  let cluster: LocalCluster

  beforeAll(async () => {
    cluster = await startEnsemble(['apache', 'apache', 'apache'])
  })
  afterAll(async () => {
    await cluster?.close()
  })

  it('forms one ensemble whose peers talk only through the cluster links', async () => {
    await checkFormed(cluster)
    const peerPorts = new Set(cluster.members.flatMap((member) => [member.quorumPort, member.electionPort]))
    const connections = connectionsInto(peerPorts)
    // Election: one connection per pair (3); quorum: one per follower into the leader (2).
    expect(connections.length).toBeGreaterThanOrEqual(5)
    expect(connections.filter((connection) => !connection.fromThisProcess)).toEqual([])
  })

  it('a symmetric partition cuts off the leader: the majority elects another, the minority stops serving; heal rejoins', async () => {
    await partitionLeaderAndHeal(cluster, false)
  })

  it('a one-way partition (the leader cannot be heard) has the same outcome', async () => {
    await partitionLeaderAndHeal(cluster, true)
  })

  it('survives SIGKILL of the leader and takes the old leader back after restart', async () => {
    await killLeaderAndRestart(cluster)
  })

  it('refuses disk faults for Apache members', async () => {
    await expect(cluster.setDisk(1, { mode: 'slow', delayMs: 10 })).rejects.toThrow(
      'member 1 runs Apache ZooKeeper: disk faults can only be injected into ZooDesk members',
    )
  })
})

describe('an Apache ensemble with an observer', () => {
  it('starts two voters and an observer that serves the same data', async () => {
    const cluster = await LocalCluster.create({ voters: 2, observers: 1, kind: 'apache', ...FAST_TICKS })
    try {
      await cluster.start()
      const statuses = await cluster.waitForServing(90_000)
      expect(statuses.map((status) => status.mode).sort()).toEqual(['follower', 'leader', 'observer'])
      expect(cluster.members[2]).toMatchObject({ id: 3, role: 'observer' })
      await writeOn(cluster, 1, '/seen-by-observer', 'yes')
      expect(await readOn(cluster, 3, '/seen-by-observer')).toBe('yes')
    } finally {
      await cluster.close()
    }
  })
})
