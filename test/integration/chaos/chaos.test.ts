import { afterAll, describe, expect, it } from 'vitest'
import { ErrorCode, KeeperException, ZooKeeperClient } from '../../../engine/client'
import { LocalCluster } from '../../../engine/cluster'
import { checkLinearizable, type Operation, type ZnodeInput, type ZnodeOutput, znodeModel } from '../../support/linearizability'
import { seededRandom } from '../../support/seeded-random'

/**
 * Real processes under faults (issue 3, acceptance 4): a ZooDesk ensemble of `zoodesk server` processes behind the
 * local cluster's proxies, several clients reading and writing a few znodes through whichever member they reach,
 * and a nemesis that SIGKILLs the leader, partitions a minority away, and restarts members, over and over. The
 * recorded history (writes with their versions, and reads issued right after a sync) must be linearizable, and
 * after healing every member must hold the same data, including every acknowledged write.
 *
 * ZOODESK_CHAOS_SECONDS (default 25) sets the length of the fault phase; ZOODESK_CHAOS_SEED the nemesis seed.
 */
const CHAOS_MS = Number(process.env['ZOODESK_CHAOS_SECONDS'] ?? 25) * 1000
const SEED = Number(process.env['ZOODESK_CHAOS_SEED'] ?? Date.now() % 100_000)
const KEYS = ['/chaos/a', '/chaos/b', '/chaos/c', '/chaos/d']
const CLIENTS = 5
const TICK_MS = 200

type History = Operation<ZnodeInput, ZnodeOutput>[]

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Outcomes a server gives only when it decided the request: anything else (connection loss, expiry…) is unknown. */
function definiteCode(error: unknown): ZnodeOutput['code'] | null {
  if (!(error instanceof KeeperException)) return null
  if (error.code === ErrorCode.BADVERSION) return 'badVersion'
  if (error.code === ErrorCode.NONODE) return 'noNode'
  if (error.code === ErrorCode.NODEEXISTS) return 'nodeExists'
  return null
}

class ChaosClient {
  private client: ZooKeeperClient | null = null
  private readonly versions = new Map<string, number>()

  constructor(
    private readonly id: number,
    private readonly connectString: string,
    private readonly history: History,
    private readonly random: () => number,
  ) {}

  private async session(): Promise<ZooKeeperClient> {
    if (this.client !== null && this.client.state !== 'CLOSED') return this.client
    await this.client?.close(0).catch(() => undefined)
    this.client = null
    this.client = await ZooKeeperClient.connect(this.connectString, { sessionTimeoutMs: 4000, connectTimeoutMs: 10_000 })
    return this.client
  }

  async run(until: () => boolean): Promise<void> {
    let counter = 0
    while (!until()) {
      let client: ZooKeeperClient
      try {
        client = await this.session()
      } catch {
        await sleep(100)
        continue
      }
      const path = KEYS[Math.floor(this.random() * KEYS.length)]!
      if (this.random() < 0.5) await this.syncedRead(client, path)
      else await this.write(client, path, `c${this.id}-${counter++}`)
    }
  }

  /** sync then getData, recorded as one read from the sync's call to the read's answer. */
  async syncedRead(client: ZooKeeperClient, path: string): Promise<void> {
    const callMs = performance.now()
    try {
      await client.sync(path)
      const result = await client.getData(path)
      this.versions.set(path, result.stat.version)
      this.history.push({ client: this.id, input: { kind: 'read', path }, output: { code: 'ok', value: result.data?.toString() ?? '', version: result.stat.version }, callMs, returnMs: performance.now() })
    } catch (error) {
      const code = definiteCode(error)
      if (code !== null) this.history.push({ client: this.id, input: { kind: 'read', path }, output: { code }, callMs, returnMs: performance.now() })
      // An unknown read constrains nothing: left out.
    }
  }

  /** setData, half the time conditional on the version this client saw last. */
  async write(client: ZooKeeperClient, path: string, value: string): Promise<void> {
    const version = this.random() < 0.5 ? (this.versions.get(path) ?? -1) : -1
    const input: ZnodeInput = { kind: 'write', path, value, version }
    const callMs = performance.now()
    try {
      const stat = await client.setData(path, value, version)
      this.versions.set(path, stat.version)
      this.history.push({ client: this.id, input, output: { code: 'ok', version: stat.version }, callMs, returnMs: performance.now() })
    } catch (error) {
      const code = definiteCode(error)
      this.history.push({ client: this.id, input, output: code === null ? undefined : { code }, callMs, returnMs: code === null ? null : performance.now() })
    }
  }

  async close(): Promise<void> {
    await this.client?.close(2000).catch(() => undefined)
  }
}

describe.each([3, 5])('%i-member ZooDesk ensemble under SIGKILL, partitions and restarts', (voters) => {
  let cluster: LocalCluster | undefined
  afterAll(async () => {
    await cluster?.close()
  })

  it(`keeps a linearizable history and loses no acknowledged write (nemesis seed ${SEED + voters})`, async () => {
    const random = seededRandom(SEED + voters)
    cluster = await LocalCluster.create({ voters, kind: 'zoodesk', tickTimeMs: TICK_MS, initLimit: 10, syncLimit: 5 })
    await cluster.start()
    await cluster.waitForServing(60_000)
    const connectString = cluster.connectString
    const setup = await ZooKeeperClient.connect(connectString)
    await setup.create('/chaos').catch(() => undefined)
    for (const path of KEYS) await setup.create(path, 'initial')
    await setup.close()

    const history: History = []
    for (const path of KEYS) history.push({ client: -1, input: { kind: 'create', path, value: 'initial' }, output: { code: 'ok' }, callMs: 0, returnMs: 0 })
    let stop = false
    const clients = Array.from({ length: CLIENTS }, (_, index) => new ChaosClient(index, connectString, history, seededRandom(SEED * 31 + index)))
    const running = clients.map((client) => client.run(() => stop))

    const minority = Math.floor((voters - 1) / 2)
    const faults: string[] = []
    const deadline = performance.now() + CHAOS_MS
    while (performance.now() < deadline) {
      const choice = random()
      if (choice < 0.4) {
        const leader = await cluster.waitForLeader({ timeoutMs: 30_000 })
        faults.push(`kill -9 leader ${leader}`)
        await cluster.kill(leader)
        await sleep(500 + random() * 1500)
        await cluster.restart(leader)
      } else if (choice < 0.75) {
        const ids = cluster.members.map((member) => member.id).sort(() => random() - 0.5)
        const cut = ids.slice(0, Math.max(1, minority))
        faults.push(`partition [${cut.join(',')}] from the rest`)
        cluster.partition(cut, ids.slice(cut.length))
        await sleep(1000 + random() * 2000)
        cluster.heal()
      } else {
        const id = cluster.members[Math.floor(random() * voters)]!.id
        faults.push(`restart ${id}`)
        await cluster.kill(id)
        await sleep(200 + random() * 800)
        await cluster.restart(id)
      }
      await sleep(500 + random() * 1000)
    }
    cluster.heal()
    await cluster.waitForServing(60_000)
    // A last round of reads once everything serves again, then the clients stop.
    await sleep(2000)
    stop = true
    await Promise.all(running)

    // Every member holds the same data: each answers a synced read of every key identically.
    const finalValues: string[] = []
    for (const member of cluster.members) {
      const direct = await ZooKeeperClient.connect(`127.0.0.1:${member.clientPort}`)
      const values: string[] = []
      for (const path of KEYS) {
        await direct.sync(path)
        const result = await direct.getData(path)
        values.push(`${path}=${result.data?.toString()}@${result.stat.version}`)
        const callMs = performance.now()
        history.push({ client: 100 + member.id, input: { kind: 'read', path }, output: { code: 'ok', value: result.data?.toString() ?? '', version: result.stat.version }, callMs, returnMs: performance.now() })
      }
      finalValues.push(values.join(' '))
      await direct.close()
    }
    await Promise.all(clients.map((client) => client.close()))

    const acknowledged = history.filter((op) => op.input.kind === 'write' && op.output?.code === 'ok').length
    const verdict = checkLinearizable(znodeModel, history)
    const summary = `${faults.length} faults (${faults.join('; ')}), ${history.length} operations, ${acknowledged} acknowledged writes`
    expect(acknowledged, summary).toBeGreaterThan(50)
    expect(verdict.verdict === 'illegal' ? verdict.explanation : verdict.verdict, summary).toBe('ok')
    expect(new Set(finalValues).size, finalValues.join('\n')).toBe(1)
    console.log(`chaos ${voters} members: ${summary}`)
  }, CHAOS_MS + 240_000)
})
