import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, type MemberKind } from '../../../engine/cluster'
import { fourLetterWord } from '../../../engine/monitor/four-letter'
import { readAllTxns } from '../../../engine/txn/txn-log-reader'
import { FAST_TICKS } from '../cluster/ensemble-scenarios'
import { removeBuiltBundle, withClient, zoodeskBundle } from '../cluster/support'
import { DIGEST_MISMATCH_LOG, mntrValue, runDigestWorkload, waitUntilGone } from './workload'

/**
 * Digests across kinds in one ensemble: a ZooDesk leader's
 * PROPOSALs carry the digests its prep computed, and its Apache followers compare them with their trees after
 * applying (mismatches show in mntr and in their logs); an Apache leader's digests are compared by ZooDesk followers.
 */

let bundle: string
beforeAll(async () => {
  bundle = await zoodeskBundle()
})
afterAll(() => removeBuiltBundle())

/**
 * Who leads: the highest id among the first two members up. Node starts well before a JVM, so ZooDesk's member 3
 * is up first in the first shape and leads as soon as an Apache member joins; in the second, whichever Apache member
 * joins ZooDesk's member 1 first outranks it.
 */
const SHAPES: Array<[string, MemberKind[], MemberKind]> = [
  ['a ZooDesk leader and Apache followers', ['apache', 'apache', 'zoodesk'], 'zoodesk'],
  ['an Apache leader and a ZooDesk follower', ['zoodesk', 'apache', 'apache'], 'apache'],
]

describe.each(SHAPES)('%s', (_name, kinds, leaderKind) => {
  let cluster: LocalCluster
  beforeAll(async () => {
    cluster = await LocalCluster.create({ voters: 3, kind: kinds, zoodeskScript: bundle, ...FAST_TICKS, extraConfig: { extendedTypesEnabled: 'true' } })
    try {
      await cluster.start()
      await cluster.waitForServing(90_000)
    } catch (error) {
      await cluster.close()
      throw error
    }
  }, 120_000)
  afterAll(async () => {
    await cluster?.close()
  })

  it('agree on the digest of every txn: no member counts a mismatch, and the followers logged the leader\'s digests', async () => {
    const leader = await cluster.waitForLeader({ timeoutMs: 10_000 })
    expect(cluster.member(leader).kind).toBe(leaderKind)
    const follower = cluster.members.find((member) => member.id !== leader)!
    // Through a follower: its writes are forwarded to the leader, whose prep computes the digests.
    await runDigestWorkload(follower.clientPort, { leaveExpiring: true })
    // The leader expires the session the workload left open (its own closeSession, deleting an ephemeral).
    await waitUntilGone(`127.0.0.1:${follower.clientPort}`, ['/expiring'], 30_000)

    for (const member of cluster.members) {
      const mntr = await fourLetterWord('127.0.0.1', member.clientPort, 'mntr', 2000)
      expect(mntrValue(mntr, 'zk_digest_mismatches_count'), `member ${member.id} (${member.kind})`).toBe('0')
      if (member.kind === 'apache') expect(readFileSync(member.logFiles[0]!, 'utf8'), `member ${member.id}'s log`).not.toMatch(DIGEST_MISMATCH_LOG)
    }
    // The digests were there to compare: every follower's log holds the leader's, on all but the failed txns.
    for (const member of cluster.members.filter((candidate) => candidate.id !== leader)) {
      const entries = (await readAllTxns(join(member.dir, 'version-2'))).filter((entry) => entry.header.zxid >= 0x100000001n)
      expect(entries.length, `member ${member.id}'s log`).toBeGreaterThan(250)
      const withoutDigest = entries.filter((entry) => entry.digest === null && entry.header.type !== -1)
      expect(withoutDigest.map((entry) => `0x${entry.header.zxid.toString(16)} type ${entry.header.type}`), `member ${member.id}`).toEqual([])
    }
  })

  it('still agree after the leader is killed, writes go on without it, and it comes back (replay, then a DIFF sync)', async () => {
    const oldLeader = await cluster.waitForLeader({ timeoutMs: 10_000 })
    const others = cluster.members.map((member) => member.id).filter((id) => id !== oldLeader)
    await cluster.kill(oldLeader)
    const newLeader = await cluster.waitForLeader({ among: others, timeoutMs: 45_000 })
    await cluster.waitForServing(45_000)
    await writeSome(cluster.member(newLeader).clientPort, '/after-failover')
    await cluster.restart(oldLeader)
    await cluster.waitForServing(45_000)
    await writeSome(cluster.member(oldLeader).clientPort, '/after-restart')
    for (const member of cluster.members) {
      const mntr = await fourLetterWord('127.0.0.1', member.clientPort, 'mntr', 2000)
      expect(mntrValue(mntr, 'zk_digest_mismatches_count'), `member ${member.id} (${member.kind})`).toBe('0')
      if (member.kind === 'apache') expect(readFileSync(member.logFiles[0]!, 'utf8'), `member ${member.id}'s log`).not.toMatch(DIGEST_MISMATCH_LOG)
    }
  })
})

/** Creates, updates and deletes under `root` through one member (a session with an ephemeral, closed at the end). */
async function writeSome(port: number, root: string): Promise<void> {
  await withClient(`127.0.0.1:${port}`, async (client) => {
    await client.create(root, 'r')
    await client.create(`${root}/eph`, 'e', { mode: 1 })
    for (let i = 0; i < 20; i++) await client.create(`${root}/n${i}`, `${i}`)
    for (let i = 0; i < 20; i += 2) await client.setData(`${root}/n${i}`, 'changed')
    for (let i = 0; i < 20; i += 3) await client.delete(`${root}/n${i}`)
  })
}

