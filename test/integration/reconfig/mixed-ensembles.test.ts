// Dynamic reconfiguration across kinds: ZooDesk members following an Apache leader through reconfigs, and Apache
// members following a ZooDesk leader, in LocalClusters of 3 voters + 1 observer (reconfigEnabled, skipACL). After
// each reconfig every member serves the new configuration (getConfig), in its new role, with the data written since.
import { afterEach, describe, expect, it } from 'vitest'
import { LocalCluster, type MemberKind } from '../../../engine/cluster'
import { ZooKeeperClient } from '../../../engine/client/client'
import { FAST_TICKS } from '../cluster/ensemble-scenarios'
import { zoodeskBundle } from '../cluster/support'
import { until } from '../../support/until'

/** Apache members in the mix take their time to start and to follow a reconfig. */
const MIXED_WAIT_MS = 45_000

const TIMEOUT_MS = 240_000

async function withClient<T>(port: number, use: (client: ZooKeeperClient) => Promise<T>): Promise<T> {
  const client = await ZooKeeperClient.connect(`127.0.0.1:${port}`, { sessionTimeoutMs: 10_000 })
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}


function line(cluster: LocalCluster, id: number, role: 'participant' | 'observer'): string {
  const m = cluster.member(id)
  return `server.${id}=127.0.0.1:${m.quorumPort}:${m.electionPort}:${role};127.0.0.1:${m.clientPort}`
}

/** Every member serves `version` and the node written at `path` once all roles are as expected. */
async function converged(cluster: LocalCluster, ids: number[], version: string, modes: Record<number, string>, path: string): Promise<void> {
  await cluster.waitUntil(
    (statuses) => Object.entries(modes).every(([id, mode]) => statuses.find((s) => s.id === Number(id))?.mode === mode),
    `modes ${JSON.stringify(modes)}`,
    { timeoutMs: 45_000 },
  )
  const leader = Number(Object.entries(modes).find(([, mode]) => mode === 'leader')![0])
  await until(`write ${path}`, () => withClient(cluster.member(leader).clientPort, (c) => c.create(path, Buffer.from(path))), () => true, MIXED_WAIT_MS)
  for (const id of ids) {
    const seen = await until(
      `member ${id} at ${version} with ${path}`,
      () =>
        withClient(cluster.member(id).clientPort, async (c) => {
          await c.sync(path)
          const config = (await c.getConfig()).data!.toString()
          return { config, data: (await c.getData(path)).data!.toString() }
        }),
      (v) => v.config.endsWith(`version=${version}`) && v.data === path,
      MIXED_WAIT_MS,
    )
    expect(seen.data).toBe(path)
  }
}

describe.each<[string, MemberKind[]]>([
  ['a ZooDesk leader with Apache learners', ['apache', 'zoodesk', 'zoodesk', 'apache']],
  ['an Apache leader with ZooDesk learners', ['zoodesk', 'apache', 'apache', 'zoodesk']],
])('reconfig in a mixed ensemble: %s', (_name, kind) => {
  let cluster: LocalCluster | undefined

  afterEach(async () => {
    await cluster?.close()
    cluster = undefined
  })

  it(
    'removes and re-adds a follower, turns the observer into a participant and back, then removes the leader',
    async () => {
      cluster = await LocalCluster.create({
        voters: 3,
        observers: 1,
        kind,
        reconfigEnabled: true,
        extraConfig: { skipACL: 'yes' },
        zoodeskScript: await zoodeskBundle(),
        apache: { heapMb: 256 },
        ...FAST_TICKS,
      })
      await cluster.start()
      await cluster.waitForServing(90_000)
      const c = cluster
      // Voters 2 and 3 are of the leader's kind; which of them leads depends on start-up timing.
      const leader = await c.waitForLeader()
      expect(c.member(leader).kind).toBe(kind[2])
      const voters = [1, 2, 3]
      const followers = voters.filter((id) => id !== leader)
      const removedId = followers[0]!
      const all = [1, 2, 3, 4]
      const reconfig = (options: Parameters<ZooKeeperClient['reconfig']>[0]) =>
        withClient(c.member(leader).clientPort, (client) => client.reconfig(options))
      const hex = (zxid: bigint): string => zxid.toString(16)
      const steady = { [followers[0]!]: 'follower', [followers[1]!]: 'follower', [leader]: 'leader', 4: 'observer' }

      const removed = await reconfig({ leaving: String(removedId) })
      expect(removed.data!.toString()).not.toContain(`server.${removedId}=`)
      // Apache keeps a removed follower following, as a non-voting participant; so does ZooDesk.
      await converged(c, all, hex(removed.stat.mzxid), steady, '/removed')

      const added = await reconfig({ joining: line(c, removedId, 'participant'), fromConfig: removed.stat.mzxid })
      await converged(c, all, hex(added.stat.mzxid), steady, '/added')

      const promoted = await reconfig({ joining: line(c, 4, 'participant') })
      await converged(c, all, hex(promoted.stat.mzxid), { ...steady, 4: 'follower' }, '/promoted')

      const demoted = await reconfig({ joining: line(c, 4, 'observer') })
      await converged(c, all, hex(demoted.stat.mzxid), steady, '/demoted')

      // The leader leaves the view: it designates another voter and follows it as a non-voting participant.
      const leaderless = await reconfig({ leaving: String(leader) })
      const statuses = await c.waitUntil((s) => s.some((m) => followers.includes(m.id) && m.mode === 'leader'), 'a new leader among the followers', { timeoutMs: 45_000 })
      const next = statuses.find((m) => m.mode === 'leader')!.id
      const other = followers.find((id) => id !== next)!
      await converged(c, all, hex(leaderless.stat.mzxid), { [next]: 'leader', [other]: 'follower', [leader]: 'follower', 4: 'observer' }, '/leader-removed')
    },
    TIMEOUT_MS,
  )
})
