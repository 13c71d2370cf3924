// The observer tap (engine/tap) attached to real 3-member ensembles, Apache ZooKeeper 3.8 and ZooDesk, under a client
// write load: the txns it streams are exactly the ones the ensemble committed (the leader's zxid counter moved by as
// many, with no hole and no repeat), the ensemble is not disturbed (same leader, one more learner only while
// attached, no errors in the members' logs), and when the leader is killed the tap follows the new one.
import { readFileSync, statSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZooKeeperClient } from '../../../engine/client'
import type { LocalCluster, MemberKind } from '../../../engine/cluster'
import { fourLetterWord, parseSrvr } from '../../../engine/monitor'
import { counterOf, epochOf } from '../../../engine/quorum/zxid'
import { ObserverTap, type TapStatus, type TapTxn } from '../../../engine/tap'
import { startEnsemble } from '../cluster/ensemble-scenarios'
import { removeBuiltBundle, zoodeskBundle } from '../cluster/support'
import { runWriteLoad } from './write-load'

const LOAD = { clients: 4, writesPerClient: 900, sessions: 25, ephemeralsPerSession: 4 } as const

interface Tapped {
  tap: ObserverTap
  txns: TapTxn[]
  statuses: TapStatus[]
  arrivalsMs: number[]
}

function attach(cluster: LocalCluster): Tapped {
  const txns: TapTxn[] = []
  const statuses: TapStatus[] = []
  const arrivalsMs: number[] = []
  const tap = new ObserverTap({
    members: cluster.members.map((member) => ({ host: '127.0.0.1', port: member.clientPort })),
    readConfig: () => withClient(cluster.connectString, async (client) => (await client.getConfig()).data?.toString('utf8') ?? ''),
    readTimeoutMs: 5000,
    onTxn: (txn) => {
      txns.push(txn)
      arrivalsMs.push(performance.now())
    },
    onStatus: (status) => statuses.push(status),
  })
  tap.start()
  return { tap, txns, statuses, arrivalsMs }
}

async function withClient<T>(connectString: string, use: (client: ZooKeeperClient) => Promise<T>): Promise<T> {
  const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000 })
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

async function leaderZxid(cluster: LocalCluster, leader: number): Promise<bigint> {
  const figures = parseSrvr(await fourLetterWord('127.0.0.1', cluster.member(leader).clientPort, 'srvr', 2000))
  expect(figures.role).toBe('leader')
  return figures.zxid!
}

async function mntr(cluster: LocalCluster, id: number): Promise<Map<string, string>> {
  const text = await fourLetterWord('127.0.0.1', cluster.member(id).clientPort, 'mntr', 2000)
  return new Map(text.split('\n').filter((line) => line.includes('\t')).map((line) => line.split('\t') as [string, string]))
}

const logSizes = (cluster: LocalCluster) => new Map(cluster.members.map((member) => [member.id, statSync(member.logFiles[0]!).size]))
/** What members logged at ERROR since `sizes` (ZooDesk: ` ERROR `, Apache log4j: ` ERROR [`). */
function errorsSince(cluster: LocalCluster, sizes: Map<number, number>): string[] {
  return cluster.members.flatMap((member) =>
    readFileSync(member.logFiles[0]!)
      .subarray(sizes.get(member.id) ?? 0)
      .toString('utf8')
      .split('\n')
      .filter((line) => / ERROR /.test(line))
      .map((line) => `member ${member.id}: ${line}`),
  )
}

function tapScenarios(kinds: readonly MemberKind[]): void {
  let cluster: LocalCluster

  beforeAll(async () => {
    const zoodesk = kinds.includes('zoodesk') ? { zoodeskScript: await zoodeskBundle() } : {}
    cluster = await startEnsemble(kinds, zoodesk)
  }, 180_000)
  afterAll(async () => {
    await cluster?.close()
    removeBuiltBundle()
  }, 60_000)

  it('streams exactly the txns the ensemble commits under load, and leaves the ensemble undisturbed', async () => {
    const leader = await cluster.waitForLeader({ timeoutMs: 30_000 })
    const learnersBefore = (await mntr(cluster, leader)).get('zk_learners')
    expect(learnersBefore).toBe('2')
    const tapped = attach(cluster)
    try {
      await until('the tap live', () => tapped.tap.status().phase === 'live')
      const live = tapped.tap.status()
      expect(live.leaderId).toBe(leader)
      console.log(`tap live on leader ${live.leaderId} (${live.leaderQuorumAddress}), epoch ${live.epoch}, sync ${live.syncMode}, sid ${live.serverId}`)
      const leaderMntr = await mntr(cluster, leader)
      expect(leaderMntr.get('zk_learners')).toBe('3')
      expect(leaderMntr.get('zk_synced_observers')).toBe('1')
      const sizes = logSizes(cluster)

      // Nothing before the load is counted: wait until the tap has every txn up to the leader's zxid now.
      const startZxid = await leaderZxid(cluster, leader)
      await until('the tap at the start zxid', () => (tapped.tap.status().lastZxid ?? -1n) >= startZxid)
      const load = await runWriteLoad(cluster.connectString, { root: '/tap-load', ...LOAD })
      const endZxid = await leaderZxid(cluster, leader)
      await until('the tap at the end zxid', () => (tapped.tap.status().lastZxid ?? -1n) >= endZxid, 30_000)

      const streamed = tapped.txns.filter((txn) => txn.zxid > startZxid && txn.zxid <= endZxid)
      expect(epochOf(endZxid)).toBe(epochOf(startZxid))
      const committed = Number(counterOf(endZxid) - counterOf(startZxid))
      // Every committed zxid once, in order: the count equals the leader's counter difference.
      expect(streamed.length).toBe(committed)
      streamed.forEach((txn, index) => expect(txn.zxid).toBe(startZxid + BigInt(index + 1)))
      const byType = new Map<string, number>()
      for (const txn of streamed) byType.set(txn.type, (byType.get(txn.type) ?? 0) + 1)
      expect(byType.get('createSession')).toBe(load.sessions)
      expect(byType.get('closeSession')).toBe(load.sessions)
      const ephemeralCloses = streamed.filter((txn) => txn.type === 'closeSession' && txn.paths.some((path) => path.includes('/eph-')))
      expect(ephemeralCloses.length).toBe(LOAD.sessions)
      // Writes: creates, sets and deletes (create2 on Apache for clients that ask for a stat).
      const writes = streamed.filter((txn) => txn.type !== 'createSession' && txn.type !== 'closeSession').length
      expect(writes).toBe(load.writes + 1)
      const first = streamed.findIndex((txn) => txn.paths.some((path) => path.startsWith('/tap-load/')))
      const streamMs = tapped.arrivalsMs[tapped.arrivalsMs.length - 1]! - tapped.arrivalsMs[tapped.txns.indexOf(streamed[first]!)]!
      console.log(
        `${kinds.join('/')}: ${committed} txns committed in [0x${startZxid.toString(16)}, 0x${endZxid.toString(16)}], ${streamed.length} streamed; ` +
          `types ${JSON.stringify(Object.fromEntries(byType))}; load ${Math.round(load.elapsedMs)} ms ` +
          `(${Math.round((committed * 1000) / load.elapsedMs)} txns/s committed), streamed at ${Math.round((streamed.length * 1000) / Math.max(1, streamMs))} txns/s`,
      )

      // Undisturbed: the same leader, every member serving, no errors logged while the tap was attached.
      const statuses = await cluster.status()
      expect(statuses.filter((status) => status.mode === 'leader').map((status) => status.id)).toEqual([leader])
      expect(statuses.every((status) => status.serving)).toBe(true)
      expect(errorsSince(cluster, sizes)).toEqual([])
      expect(tapped.tap.status().gaps).toEqual([])
      expect(tapped.tap.status().connections).toBe(1)
    } finally {
      await tapped.tap.stop()
    }
    await until('the learner gone', async () => (await mntr(cluster, leader)).get('zk_learners') === '2', 20_000)
    expect((await mntr(cluster, leader)).get('zk_synced_observers')).toBe('0')
    expect(await cluster.waitForLeader({ timeoutMs: 5000 })).toBe(leader)
  }, 300_000)

  it('follows the new leader when the leader is killed, streaming what was committed meanwhile', async () => {
    const oldLeader = await cluster.waitForLeader({ timeoutMs: 30_000 })
    const tapped = attach(cluster)
    try {
      await until('the tap live', () => tapped.tap.status().phase === 'live')
      await withClient(cluster.connectString, (client) => client.create('/before-kill', 'x'))
      const killedAt = performance.now()
      await cluster.kill(oldLeader)
      const newLeader = await cluster.waitForLeader({ among: cluster.members.map((m) => m.id).filter((id) => id !== oldLeader), timeoutMs: 60_000 })
      await withClient(cluster.connectString, (client) => client.create('/after-kill', 'y'))
      await until('the tap live on the new leader', () => {
        const status = tapped.tap.status()
        return status.phase === 'live' && status.leaderId === newLeader && tapped.txns.some((txn) => txn.paths.includes('/after-kill'))
      })
      const status = tapped.tap.status()
      console.log(
        `${kinds.join('/')}: leader ${oldLeader} killed, tap live on ${newLeader} (epoch ${status.epoch}, ${status.syncMode}) ` +
          `${Math.round(performance.now() - killedAt)} ms later after ${status.connections} connections; gaps ${JSON.stringify(status.gaps, (_k, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))}`,
      )
      expect(status.leaderChanges).toBe(1)
      expect(status.epoch).toBeGreaterThan(epochOf(tapped.txns.find((txn) => txn.paths.includes('/before-kill'))!.zxid))
      // In zxid order, no repeats.
      for (let i = 1; i < tapped.txns.length; i++) expect(tapped.txns[i]!.zxid > tapped.txns[i - 1]!.zxid).toBe(true)
      const endZxid = await leaderZxid(cluster, newLeader)
      await until('the tap at the new leader zxid', () => (tapped.tap.status().lastZxid ?? -1n) >= endZxid, 20_000)
    } finally {
      await tapped.tap.stop()
      await cluster.restart(oldLeader)
    }
  }, 300_000)
}

describe('observer tap on a 3-member Apache ZooKeeper 3.8 ensemble', () => {
  tapScenarios(['apache', 'apache', 'apache'])
})

describe('observer tap on a 3-member ZooDesk ensemble', () => {
  tapScenarios(['zoodesk', 'zoodesk', 'zoodesk'])
})
