// A 1-member ZooDesk cluster through the LocalCluster API: start, status, kill, restart with data kept, graceful
// stop, crashes seen as events, a data dir reused across runs, disk-fault messages, and clear port errors.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LocalCluster, type MemberExitEvent, PortInUseError } from '../../../engine/cluster'
import { isProcessAlive, removeBuiltBundle, withClient, zoodeskBundle } from './support'

let bundle: string
let scratch: string
const clusters: LocalCluster[] = []

beforeAll(async () => {
  bundle = await zoodeskBundle()
  scratch = mkdtempSync(join(tmpdir(), 'zoodesk-cluster-test-'))
})
afterEach(async () => {
  await Promise.all(clusters.splice(0).map((cluster) => cluster.close()))
})
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
  removeBuiltBundle()
})

async function create(options: Partial<Parameters<typeof LocalCluster.create>[0]> = {}): Promise<LocalCluster> {
  const cluster = await LocalCluster.create({ voters: 1, tickTimeMs: 500, zoodeskScript: bundle, ...options })
  clusters.push(cluster)
  return cluster
}

describe('LocalCluster with one ZooDesk member', () => {
  it('starts, serves, is killed, restarts with its data, and stops cleanly', async () => {
    const cluster = await create()
    const exits: MemberExitEvent[] = []
    cluster.on('member-exit', (event) => exits.push(event))
    const member = cluster.members[0]
    expect(member).toMatchObject({ id: 1, role: 'participant', kind: 'zoodesk', clientPort: cluster.layout.basePort })
    expect(cluster.connectString).toBe(`127.0.0.1:${member?.clientPort}`)

    await cluster.start()
    const [serving] = await cluster.waitForServing(20_000)
    expect(serving).toMatchObject({ id: 1, alive: true, serving: true, mode: 'standalone' })
    expect(typeof serving?.zxid).toBe('bigint')
    const firstPid = serving?.pid as number
    expect(isProcessAlive(firstPid)).toBe(true)
    expect(await cluster.waitForLeader({ timeoutMs: 5000 })).toBe(1)

    const config = readFileSync(member?.configFile as string, 'utf8')
    expect(config).toContain(`clientPort=${member?.clientPort}\n`)
    expect(config).toContain('4lw.commands.whitelist=*\n')
    expect(config).toContain(`admin.serverPort=${member?.adminPort}\n`)
    expect(config).not.toContain('standaloneEnabled')
    expect(readFileSync(join(member?.dir as string, 'myid'), 'utf8')).toBe('1\n')

    await withClient(cluster.connectString, (client) => client.create('/kept', 'across a crash'))
    expect(await cluster.kill(1)).toEqual({ code: null, signal: 'SIGKILL' })
    expect(isProcessAlive(firstPid)).toBe(false)
    expect(await cluster.status()).toEqual([{ id: 1, alive: false, serving: false, mode: null, zxid: null, pid: null }])
    expect(exits).toEqual([{ id: 1, kind: 'zoodesk', code: null, signal: 'SIGKILL', expected: true }])
    // Not wanted any more: waiting for serving members is satisfied by none.
    await cluster.waitForServing(1000)

    await cluster.restart(1)
    await cluster.waitForServing(20_000)
    expect(cluster.pid(1)).not.toBe(firstPid)
    const data = await withClient(cluster.connectString, async (client) => (await client.getData('/kept')).data?.toString())
    expect(data).toBe('across a crash')

    expect(await cluster.stopMember(1)).toEqual({ code: 0, signal: null })
    expect(exits.at(-1)).toEqual({ id: 1, kind: 'zoodesk', code: 0, signal: null, expected: true })
    await cluster.startMember(1)
    await cluster.waitForServing(20_000)
    await cluster.stop()
    expect(cluster.isRunning).toBe(false)
    expect(await cluster.status()).toMatchObject([{ alive: false }])
  })

  it('reports a member that dies on its own, and waitForServing fails at once naming it', async () => {
    const cluster = await create()
    const exits: MemberExitEvent[] = []
    cluster.on('member-exit', (event) => exits.push(event))
    await cluster.start()
    await cluster.waitForServing(20_000)
    process.kill(cluster.pid(1) as number, 'SIGKILL')
    await expect(cluster.waitForServing(20_000)).rejects.toThrow(/member 1 \(zoodesk\) exited with SIGKILL/)
    expect(exits).toEqual([{ id: 1, kind: 'zoodesk', code: null, signal: 'SIGKILL', expected: false }])
  })

  it('keeps a given data dir across clusters, and close() leaves it while removing its own temp dirs', async () => {
    const dataDir = join(scratch, 'kept')
    const first = await create({ dataDir })
    expect(first.dataDir).toBe(dataDir)
    await first.start()
    await first.waitForServing(20_000)
    await withClient(first.connectString, (client) => client.create('/run', 'first'))
    await first.close()
    expect(existsSync(join(dataDir, '1', 'myid'))).toBe(true)

    const second = await create({ dataDir })
    await second.start()
    await second.waitForServing(20_000)
    const data = await withClient(second.connectString, async (client) => (await client.getData('/run')).data?.toString())
    expect(data).toBe('first')
    await second.close()
    expect(existsSync(join(dataDir, '1', 'myid'))).toBe(true)

    const temporary = await create()
    await temporary.start()
    await temporary.close()
    expect(existsSync(temporary.dataDir)).toBe(false)
  })

  it('sends disk faults to a ZooDesk member, and validates them', async () => {
    const cluster = await create()
    await cluster.start()
    await cluster.waitForServing(20_000)
    await cluster.setDisk(1, { mode: 'slow', delayMs: 5 })
    await cluster.setDisk(1, { mode: 'ok' })
    await expect(cluster.setDisk(1, { mode: 'slow', delayMs: -1 })).rejects.toThrow(/delayMs/)
    await expect(cluster.setDisk(1, { mode: 'broken' as 'ok' })).rejects.toThrow(/unknown disk mode/)
    await expect(cluster.setDisk(2, { mode: 'ok' })).rejects.toThrow(/no member 2/)
  })

  it('refuses to start when a port of its layout is taken, naming the port and what it is for', async () => {
    const cluster = await create()
    const adminPort = cluster.members[0]?.adminPort as number
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(adminPort, '127.0.0.1', resolve))
    try {
      const error = await cluster.start().then(
        () => undefined,
        (caught: unknown) => caught,
      )
      expect(error).toBeInstanceOf(PortInUseError)
      expect((error as PortInUseError).message).toBe(
        `port ${adminPort} (admin port of member 1) is already in use on 127.0.0.1; choose another base port`,
      )
      expect(cluster.isRunning).toBe(false)
      expect(cluster.pid(1)).toBeUndefined()
    } finally {
      await new Promise((resolve) => squatter.close(resolve))
    }
  })

  it('runs without peer links when asked, and then refuses partitions', async () => {
    const cluster = await create({ peerLinks: false })
    await cluster.start()
    await cluster.waitForServing(20_000)
    expect(() => cluster.partition([1], [1])).toThrow('partitions need the peer links')
  })

  it('rejects impossible shapes before starting anything', async () => {
    await expect(LocalCluster.create({ voters: 0 })).rejects.toThrow(/voters must be/)
    await expect(LocalCluster.create({ voters: 3, kind: ['apache', 'zoodesk'] })).rejects.toThrow(/kind lists 2 members, but there are 3/)
    await expect(LocalCluster.create({ voters: 3, basePort: 65530 })).rejects.toThrow(/base port 65530 is too high/)
    await expect(LocalCluster.create({ voters: 1, tickTimeMs: 0 })).rejects.toThrow(/tickTimeMs/)
  })
})
