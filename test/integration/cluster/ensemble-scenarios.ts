// Scenarios for a 3-member ensemble through the LocalCluster API, whatever its members' kinds: run today on Apache
// members (apache-ensemble.test.ts), and on ZooDesk and mixed ensembles once ours can form one
// (zoodesk-ensemble.pending.ts).
import { expect } from 'vitest'
import { LocalCluster, type LocalClusterOptions, type MemberKind, type MemberStatus } from '../../../engine/cluster'
import { withClient } from './support'

/** Short ticks: followers notice a lost leader after syncLimit ticks (2.5 s), elections take about a second. */
export const FAST_TICKS = { tickTimeMs: 500, initLimit: 10, syncLimit: 5 } as const
const SERVING_TIMEOUT_MS = 90_000
const RECOVERY_TIMEOUT_MS = 45_000

export async function startEnsemble(kinds: readonly MemberKind[], options: Partial<LocalClusterOptions> = {}): Promise<LocalCluster> {
  const cluster = await LocalCluster.create({ voters: kinds.length, kind: kinds, ...FAST_TICKS, ...options })
  try {
    await cluster.start()
    await cluster.waitForServing(SERVING_TIMEOUT_MS)
  } catch (error) {
    await cluster.close()
    throw error
  }
  return cluster
}

function addressOf(cluster: LocalCluster, id: number): string {
  return `127.0.0.1:${cluster.member(id).clientPort}`
}

/** The data of `path` as member `id` has it, after a sync with the leader. */
export async function readOn(cluster: LocalCluster, id: number, path: string): Promise<string | undefined> {
  return withClient(addressOf(cluster, id), async (client) => {
    await client.sync(path)
    return (await client.getData(path)).data?.toString()
  })
}

export async function writeOn(cluster: LocalCluster, id: number, path: string, data: string): Promise<void> {
  await withClient(addressOf(cluster, id), (client) => client.create(path, data).then(() => undefined))
}

function byId(statuses: readonly MemberStatus[], id: number): MemberStatus {
  const status = statuses.find((candidate) => candidate.id === id)
  if (status === undefined) throw new Error(`no status for member ${id}`)
  return status
}

/** One leader, the rest followers; writes through any member are read back on every member. */
export async function checkFormed(cluster: LocalCluster): Promise<number> {
  const leader = await cluster.waitForLeader({ timeoutMs: 10_000 })
  const statuses = await cluster.status()
  for (const status of statuses) {
    expect(status).toMatchObject({ alive: true, serving: true, mode: status.id === leader ? 'leader' : 'follower' })
    expect(typeof status.pid).toBe('number')
  }
  const follower = statuses.find((status) => status.id !== leader)?.id as number
  await writeOn(cluster, follower, '/formed', `written on ${follower}`)
  for (const status of statuses) expect(await readOn(cluster, status.id, '/formed')).toBe(`written on ${follower}`)
  return leader
}

/**
 * Partitions the leader away from the others (symmetric or one-way from the leader): the majority elects a new
 * leader and takes writes, the old leader stops serving; after heal every member serves and has the write.
 */
export async function partitionLeaderAndHeal(cluster: LocalCluster, oneWay: boolean): Promise<void> {
  const oldLeader = await cluster.waitForLeader({ timeoutMs: 10_000 })
  const majority = cluster.members.map((member) => member.id).filter((id) => id !== oldLeader)
  cluster.partition([oldLeader], majority, { oneWay })
  const newLeader = await cluster.waitForLeader({ among: majority, timeoutMs: RECOVERY_TIMEOUT_MS })
  expect(majority).toContain(newLeader)
  await cluster.waitUntil((statuses) => !byId(statuses, oldLeader).serving, `member ${oldLeader} cut off and not serving`, {
    timeoutMs: RECOVERY_TIMEOUT_MS,
  })
  const path = `/during-${oneWay ? 'one-way' : 'symmetric'}-partition`
  await writeOn(cluster, majority[0] as number, path, 'majority')
  expect(byId(await cluster.status(), oldLeader).serving).toBe(false)

  cluster.heal()
  const healed = await cluster.waitForServing(RECOVERY_TIMEOUT_MS)
  expect(healed.filter((status) => status.mode === 'leader')).toHaveLength(1)
  expect(await readOn(cluster, oldLeader, path)).toBe('majority')
}

/** SIGKILL of the leader: the others elect a new one; the old one restarts as a follower with every write. */
export async function killLeaderAndRestart(cluster: LocalCluster): Promise<void> {
  const oldLeader = await cluster.waitForLeader({ timeoutMs: 10_000 })
  const others = cluster.members.map((member) => member.id).filter((id) => id !== oldLeader)
  expect(await cluster.kill(oldLeader)).toMatchObject({ signal: 'SIGKILL' })
  const newLeader = await cluster.waitForLeader({ among: others, timeoutMs: RECOVERY_TIMEOUT_MS })
  await cluster.waitForServing(RECOVERY_TIMEOUT_MS)
  await writeOn(cluster, newLeader, '/after-leader-crash', 'kept')
  await cluster.restart(oldLeader)
  const statuses = await cluster.waitForServing(RECOVERY_TIMEOUT_MS)
  expect(byId(statuses, oldLeader).mode).toBe('follower')
  expect(await readOn(cluster, oldLeader, '/after-leader-crash')).toBe('kept')
}
