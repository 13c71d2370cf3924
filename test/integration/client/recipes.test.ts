import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, type ZooKeeperClient } from '../../../engine/client'
import {
  Barrier,
  DistributedCounter,
  DistributedPriorityQueue,
  DistributedQueue,
  DoubleBarrier,
  type ElectionChange,
  ExclusiveLock,
  LeaderElection,
  ReadWriteLock,
} from '../../../engine/client/recipes'
import { fourLetterWord } from './support/four-letter-word'
import { ClientPool, eventually, expireSession, sleep, uniquePath } from './support/helpers'
import { serverFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

describe.each(serverFactories)('recipes against $name', (factory) => {
  let server: TestEnsemble
  const pool = new ClientPool()
  const connect = (): Promise<ZooKeeperClient> =>
    pool.connect(server.connectString(), { reconnectPacing: { reconnectJitterMsMax: 50, cycleDelayMs: 100 } })
  const clients = (count: number): Promise<ZooKeeperClient[]> => Promise.all(Array.from({ length: count }, connect))

  /** path → number of sessions watching it, from the server's `wchp`. */
  async function watchersByPath(): Promise<Map<string, number>> {
    const member = server.members[0]!
    const text = await fourLetterWord(member.host, member.clientPort, 'wchp')
    const counts = new Map<string, number>()
    let path = ''
    for (const line of text.split('\n')) {
      if (line.startsWith('/')) path = line.trim()
      else if (line.trim().startsWith('0x')) counts.set(path, (counts.get(path) ?? 0) + 1)
    }
    return counts
  }

  beforeAll(async () => {
    server = await factory.start()
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
  })

  describe('exclusive lock', () => {
    it('admits one holder at a time among contending clients, each waiter watching only its predecessor', async () => {
      const dir = uniquePath('lock')
      const contenders = await clients(5)
      const locks = contenders.map((client) => new ExclusiveLock(client, dir))
      let holders = 0
      let maxHolders = 0
      const order: number[] = []
      await locks[0]!.acquire()
      holders = 1
      const waiting = locks.slice(1).map(async (lock, i) => {
        await lock.acquire()
        holders++
        maxHolders = Math.max(maxHolders, holders)
        order.push(i + 1)
        await sleep(10)
        holders--
        await lock.release()
      })
      // Everyone is queued: each lock node except the last has exactly one watcher (its successor).
      await eventually(async () => {
        const counts = await watchersByPath()
        const lockNodes = [...counts.keys()].filter((path) => path.startsWith(`${dir}/`))
        return lockNodes.length === 4 && lockNodes.every((path) => counts.get(path) === 1)
      }, 5000, 'one watcher per predecessor')
      expect(locks[0]!.isHeld).toBe(true)
      holders--
      await locks[0]!.release()
      await Promise.all(waiting)
      expect(maxHolders).toBe(1)
      expect(order).toHaveLength(4)
      expect(await contenders[0]!.getChildren(dir)).toEqual([])
    })

    it('passes the lock on when the holder’s session expires, and tells the old holder', async () => {
      const dir = uniquePath('lock-expiry')
      const [holderClient, waiterClient] = await clients(2)
      let lost = false
      const holder = new ExclusiveLock(holderClient!, dir, { onLost: () => (lost = true) })
      const waiter = new ExclusiveLock(waiterClient!, dir)
      await holder.acquire()
      const acquired = waiter.acquire()
      await sleep(100)
      expect(waiter.isHeld).toBe(false)
      await expireSession(holderClient!, server.connectString())
      await acquired
      expect(waiter.isHeld).toBe(true)
      await eventually(() => lost && !holder.isHeld, 5000, 'holder notices the loss')
      await waiter.release()
    })

    it('keeps the lock through a reconnect of the holder, and the waiter keeps waiting', async () => {
      const dir = uniquePath('lock-reconnect')
      const [holderClient, waiterClient] = await clients(2)
      const holder = new ExclusiveLock(holderClient!, dir)
      const waiter = new ExclusiveLock(waiterClient!, dir)
      await holder.acquire()
      const acquired = waiter.acquire()
      holderClient!.dropConnection()
      waiterClient!.dropConnection()
      await holderClient!.waitForState('CONNECTED')
      await waiterClient!.waitForState('CONNECTED')
      await sleep(200)
      expect(holder.isHeld).toBe(true)
      expect(waiter.isHeld).toBe(false)
      await holder.release()
      await acquired
      expect(waiter.isHeld).toBe(true)
      await waiter.release()
    })

    it('gives up after a timeout and withdraws its node', async () => {
      const dir = uniquePath('lock-timeout')
      const [a, b] = await clients(2)
      const holder = new ExclusiveLock(a!, dir)
      await holder.acquire()
      await expect(new ExclusiveLock(b!, dir).acquire({ timeoutMs: 200 })).rejects.toMatchObject({
        code: ErrorCode.OPERATIONTIMEOUT,
      })
      expect(await a!.getChildren(dir)).toHaveLength(1)
      await holder.release()
    })
  })

  describe('read/write lock', () => {
    it('shares among readers, excludes writers, and queues readers behind an earlier writer', async () => {
      const dir = uniquePath('rwlock')
      const [c1, c2, c3, c4] = await clients(4)
      const reader1 = new ReadWriteLock(c1!, dir).readLock
      const reader2 = new ReadWriteLock(c2!, dir).readLock
      const writer = new ReadWriteLock(c3!, dir).writeLock
      const lateReader = new ReadWriteLock(c4!, dir).readLock
      await reader1.acquire()
      await reader2.acquire()
      const writing = writer.acquire()
      await sleep(100)
      const lateReading = lateReader.acquire()
      await sleep(100)
      expect([reader1.isHeld, reader2.isHeld, writer.isHeld, lateReader.isHeld]).toEqual([true, true, false, false])
      await reader1.release()
      await sleep(100)
      expect(writer.isHeld).toBe(false)
      await reader2.release()
      await writing
      await sleep(100)
      expect(lateReader.isHeld).toBe(false)
      await writer.release()
      await lateReading
      expect(lateReader.isHeld).toBe(true)
      await lateReader.release()
    })
  })

  describe('leader election', () => {
    it('elects one leader, hands over on expiry and stop, and notifies followers of changes', async () => {
      const dir = uniquePath('election')
      const participants = await clients(3)
      const changes: ElectionChange[][] = [[], [], []]
      const elections = participants.map(
        (client, i) => new LeaderElection(client, dir, { data: `member-${i}`, notifyLeaderChanges: true }),
      )
      elections.forEach((election, i) => election.on('change', (change) => changes[i]!.push(change)))
      expect(await elections[0]!.start()).toBe('leader')
      expect(await elections[1]!.start()).toBe('follower')
      expect(await elections[2]!.start()).toBe('follower')
      expect((await elections[2]!.leader())?.data?.toString()).toBe('member-0')

      await expireSession(participants[0]!, server.connectString())
      await elections[1]!.waitForLeadership(10_000)
      // The old leader learns it lost only when its client hears Expired (ZooKeeper cannot tell it sooner).
      await participants[0]!.waitForState('Expired', 10_000)
      expect(elections[0]!.role).toBe('stopped')
      // The third participant watches the leader too, so it hears of the new leader.
      await eventually(() => changes[2]!.at(-1)?.leader === elections[1]!.nodePath!.split('/').pop(), 5000)
      expect(elections[2]!.role).toBe('follower')

      await elections[1]!.stop()
      await elections[2]!.waitForLeadership(5000)
      expect((await elections[2]!.leader())?.data?.toString()).toBe('member-2')
      expect(changes[0]!.map((c) => c.role)).toEqual(['leader', 'stopped'])
      expect(changes[1]!.map((c) => c.role)).toEqual(['follower', 'leader', 'stopped'])
      await elections[2]!.stop()
    })
  })

  describe('queues', () => {
    it('delivers every item exactly once to competing consumers, in FIFO order', async () => {
      const dir = uniquePath('queue')
      const [producerClient, ...consumerClients] = await clients(4)
      const producer = new DistributedQueue(producerClient!, dir)
      const consumers = consumerClients.map((client) => new DistributedQueue(client, dir))
      const taken: string[][] = consumers.map(() => [])
      const consuming = consumers.map(async (consumer, i) => {
        for (;;) {
          const item = await consumer.take(2000).catch(() => undefined)
          if (item === undefined) return
          if (item.data?.toString() === 'stop') return
          taken[i]!.push(item.data!.toString())
        }
      })
      for (let i = 0; i < 30; i++) await producer.offer(`item-${String(i).padStart(2, '0')}`)
      for (let i = 0; i < 3; i++) await producer.offer('stop')
      await Promise.all(consuming)
      const all = taken.flat().sort()
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => `item-${String(i).padStart(2, '0')}`))
      for (const list of taken) expect(list).toEqual([...list].sort())
      expect(await producer.size()).toBe(0)
    })

    it('serves a priority queue by priority, then arrival', async () => {
      const dir = uniquePath('pqueue')
      const [a, b] = await clients(2)
      const queue = new DistributedPriorityQueue(a!, dir)
      await queue.offer('low-1', 50)
      await queue.offer('high', 1)
      await queue.offer('low-2', 50)
      await queue.offer('urgent', 0)
      const consumer = new DistributedPriorityQueue(b!, dir)
      expect((await consumer.peek())?.data?.toString()).toBe('urgent')
      const order: string[] = []
      for (let item = await consumer.poll(); item !== undefined; item = await consumer.poll()) order.push(item.data!.toString())
      expect(order).toEqual(['urgent', 'high', 'low-1', 'low-2'])
      await expect(queue.offer('x', -1)).rejects.toThrow(RangeError)
    })
  })

  describe('barriers', () => {
    it('holds waiters until the barrier is removed', async () => {
      const path = uniquePath('barrier')
      const [a, b, c] = await clients(3)
      const barrier = new Barrier(a!, path)
      await barrier.set()
      let released = 0
      const waiting = [b!, c!].map((client) => new Barrier(client, path).waitOnBarrier().then(() => released++))
      await sleep(150)
      expect(released).toBe(0)
      await barrier.remove()
      await Promise.all(waiting)
      expect(released).toBe(2)
    })

    it('lets a double barrier’s members in together and out together', async () => {
      const dir = uniquePath('double')
      const members = await clients(3)
      const barriers = members.map((client, i) => new DoubleBarrier(client, dir, 3, `m${i}`))
      const log: string[] = []
      const run = async (barrier: DoubleBarrier, i: number, workMs: number): Promise<void> => {
        await barrier.enter(10_000)
        log.push(`in ${i}`)
        await sleep(workMs)
        log.push(`done ${i}`)
        await barrier.leave(10_000)
        log.push(`out ${i}`)
      }
      const first = run(barriers[0]!, 0, 10)
      const second = run(barriers[1]!, 1, 200)
      await sleep(150)
      expect(log).toEqual([])
      await Promise.all([first, second, run(barriers[2]!, 2, 50)])
      const lastIn = Math.max(...[0, 1, 2].map((i) => log.indexOf(`in ${i}`)))
      const firstDone = Math.min(...[0, 1, 2].map((i) => log.indexOf(`done ${i}`)))
      const lastDone = Math.max(...[0, 1, 2].map((i) => log.indexOf(`done ${i}`)))
      const firstOut = Math.min(...[0, 1, 2].map((i) => log.indexOf(`out ${i}`)))
      expect(lastIn).toBeLessThan(firstDone)
      expect(lastDone).toBeLessThan(firstOut)
      expect(await members[0]!.getChildren(dir)).toEqual([])
    })
  })

  describe('waiting through a reconnect', () => {
    it('keeps queue consumers, barrier waiters and election followers waiting when their connection moves', async () => {
      const root = uniquePath('moves')
      const [producer, consumerClient, waiterClient, followerClient] = await clients(4)
      const queue = new DistributedQueue(consumerClient!, `${root}/queue`)
      const barrier = new Barrier(producer!, `${root}/barrier`)
      await barrier.set()
      const leader = new LeaderElection(producer!, `${root}/election`)
      const follower = new LeaderElection(followerClient!, `${root}/election`)
      expect(await leader.start()).toBe('leader')
      expect(await follower.start()).toBe('follower')

      const taking = queue.take(10_000)
      const waiting = new Barrier(waiterClient!, `${root}/barrier`).waitOnBarrier(10_000)
      await sleep(100)
      for (const client of [consumerClient!, waiterClient!, followerClient!]) client.dropConnection()
      await new DistributedQueue(producer!, `${root}/queue`).offer('while away')
      await barrier.remove()
      await leader.stop()
      expect((await taking).data?.toString()).toBe('while away')
      await waiting
      await follower.waitForLeadership(10_000)
      await follower.stop()
    })
  })

  describe('counter', () => {
    it('adds concurrently from several clients without losing updates', async () => {
      const path = uniquePath('counter')
      const counters = (await clients(4)).map((client) => new DistributedCounter(client, path))
      await Promise.all(counters.map(async (counter) => {
        for (let i = 0; i < 25; i++) await counter.increment()
      }))
      expect(await counters[0]!.get()).toBe(100)
      expect(await counters[1]!.add(-40)).toBe(60)
    })
  })
})
