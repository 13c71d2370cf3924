// The 'zab' events of a LocalCluster on real members: ZooDesk members send their trace over the IPC channel, Apache
// members' zookeeper.log is followed and parsed. Both: votes, one election result agreed by all, the leader's epoch
// established and the followers synced; after SIGKILL of the leader, a new election in a new round with a new leader.
// ZooDesk members also report proposal/commit counts (Apache's come from mntr in the app).
import { afterAll, describe, expect, it } from 'vitest'
import { LocalCluster, type MemberKind, type MemberZabEvent } from '../../../engine/cluster'
import { FAST_TICKS } from './ensemble-scenarios'
import { removeBuiltBundle, withClient, zoodeskBundle } from './support'

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const ofType = <T extends MemberZabEvent['event']['type']>(events: MemberZabEvent[], type: T, id?: number) =>
  events.filter((e): e is MemberZabEvent & { event: Extract<MemberZabEvent['event'], { type: T }> } => e.event.type === type && (id === undefined || e.id === id))

async function startRecorded(kind: MemberKind): Promise<{ cluster: LocalCluster; events: MemberZabEvent[] }> {
  const cluster = await LocalCluster.create({ voters: 3, kind, ...FAST_TICKS, ...(kind === 'zoodesk' ? { zoodeskScript: await zoodeskBundle() } : {}) })
  const events: MemberZabEvent[] = []
  cluster.on('zab', (event) => events.push(event))
  await cluster.start()
  await cluster.waitForServing(90_000)
  return { cluster, events }
}

/** Every member elected the same leader; it established its epoch and the others synced. */
async function checkFirstElection(cluster: LocalCluster, events: MemberZabEvent[]): Promise<number> {
  const leader = await cluster.waitForLeader({ timeoutMs: 60_000 })
  await waitFor('every member to report the election result', () => [1, 2, 3].every((id) => ofType(events, 'elected', id).length > 0))
  for (const id of [1, 2, 3]) {
    const votes = ofType(events, 'vote', id)
    expect(votes.length, `member ${id} votes`).toBeGreaterThan(0)
    expect(votes[0]!.event.vote.leader, `member ${id} first votes for itself`).toBe(id)
    expect(ofType(events, 'elected', id).at(-1)!.event.leader).toBe(leader)
    expect(ofType(events, 'state', id)[0]!.event).toEqual({ type: 'state', state: 'LOOKING', leader: null })
  }
  expect(ofType(events, 'notification').length).toBeGreaterThan(0)
  await waitFor('the leader established and followers synced', () => ofType(events, 'established', leader).length > 0 && [1, 2, 3].filter((id) => id !== leader).every((id) => ofType(events, 'synced', id).length > 0))
  const took = ofType(events, 'elected').map((e) => `${e.id}: ${e.event.electionMs} ms`)
  console.log(`${cluster.members[0]!.kind}: leader ${leader}; election took ${took.join(', ')}`)
  return leader
}

/** Kill -9 the leader: the survivors go LOOKING, vote in a later round and agree on a new leader. */
async function checkReElection(cluster: LocalCluster, events: MemberZabEvent[], oldLeader: number): Promise<void> {
  const before = events.length
  const killedAt = Date.now()
  await cluster.kill(oldLeader)
  const survivors = [1, 2, 3].filter((id) => id !== oldLeader)
  const after = () => events.slice(before)
  await waitFor('a new election result from the survivors', () => survivors.every((id) => ofType(after(), 'elected', id).length > 0), 90_000)
  const newLeader = ofType(after(), 'elected', survivors[0])[0]!.event.leader
  expect(newLeader).not.toBe(oldLeader)
  expect(survivors).toContain(newLeader)
  const firstRound = Math.max(...ofType(events.slice(0, before), 'vote').map((e) => e.event.vote.round))
  for (const id of survivors) {
    expect(ofType(after(), 'state', id)[0]!.event).toEqual({ type: 'state', state: 'LOOKING', leader: null })
    const votes = ofType(after(), 'vote', id)
    expect(votes.length).toBeGreaterThan(0)
    expect(votes.every((e) => e.event.vote.round > firstRound)).toBe(true)
    expect(votes.at(-1)!.event.vote.leader).toBe(newLeader)
    expect(ofType(after(), 'elected', id)[0]!.event.leader).toBe(newLeader)
  }
  const elected = ofType(after(), 'elected')[0]!
  console.log(`re-election: leader ${newLeader}, reported ${elected.time - killedAt} ms after the kill, election took ${elected.event.electionMs} ms`)
}

describe('LocalCluster zab events', () => {
  afterAll(() => removeBuiltBundle())

  it('ZooDesk members: votes, result, syncs, commit counts; a new election after the leader dies', async () => {
    const { cluster, events } = await startRecorded('zoodesk')
    try {
      const leader = await checkFirstElection(cluster, events)
      expect(ofType(events, 'synced').every((e) => e.event.epoch !== null)).toBe(true)
      await withClient(cluster.connectString, async (client) => {
        for (let i = 0; i < 30; i++) await client.create(`/zab-${i}`, 'x')
      })
      const committed = (id: number) => ofType(events, 'txns', id).reduce((sum, e) => sum + e.event.commits, 0)
      await waitFor('30 commits counted on every member', () => [1, 2, 3].every((id) => committed(id) >= 30))
      const windows = ofType(events, 'txns', leader)
      expect(windows.reduce((sum, e) => sum + e.event.proposals, 0)).toBeGreaterThanOrEqual(30)
      // Aggregated: far fewer events than txns.
      expect(windows.length).toBeLessThan(30)
      console.log(`leader txns windows: ${windows.map((e) => `${e.event.proposals}p/${e.event.commits}c ${e.event.firstZxid}..${e.event.lastZxid}`).join(', ')}`)
      await checkReElection(cluster, events, leader)
    } finally {
      await cluster.close()
    }
  }, 180_000)

  it('Apache members: the same story read from their logs', async () => {
    const { cluster, events } = await startRecorded('apache')
    try {
      const leader = await checkFirstElection(cluster, events)
      expect(ofType(events, 'established', leader)[0]!.event.epoch).toBeGreaterThan(0)
      await checkReElection(cluster, events, leader)
    } finally {
      await cluster.close()
    }
  }, 240_000)
})
