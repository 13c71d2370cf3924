import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, KeeperException, type ZooKeeperClient } from '../../../engine/client'
import { ClientPool, uniquePath } from './support/helpers'
import { serverFactories } from './support/factories'
import type { TestEnsemble } from './support/server-factory'

describe.each(serverFactories)('pipelining against $name', (factory) => {
  let server: TestEnsemble
  const pool = new ClientPool()

  beforeAll(async () => {
    server = await factory.start({ extraConfig: { forceSync: 'no' } })
  })
  afterAll(async () => {
    await pool.closeAll()
    await server?.close()
  })

  it('answers 10,000 pipelined requests in order, never exceeding the outstanding limit', async () => {
    const maxOutstandingRequests = 250
    const zk: ZooKeeperClient = await pool.connect(server.connectString(), { maxOutstandingRequests })
    const path = uniquePath('pipeline')
    await zk.create(path, '')
    let maxInFlight = 0
    const order: number[] = []
    const requests: Promise<void>[] = []
    for (let i = 0; i < 10_000; i++) {
      const op =
        i % 2 === 0
          ? zk.setData(path, String(i)).then((stat) => {
              // Writes from one session are applied in call order.
              expect(stat.version).toBe(i / 2 + 1)
            })
          : zk.getData(path).then(({ data }) => {
              // A read sees exactly the write issued just before it.
              expect(data?.toString()).toBe(String(i - 1))
            })
      requests.push(
        op.then(() => {
          order.push(i)
          maxInFlight = Math.max(maxInFlight, zk.inFlightRequests)
        }),
      )
      maxInFlight = Math.max(maxInFlight, zk.inFlightRequests)
    }
    expect(zk.outstandingRequests).toBe(10_000)
    await Promise.all(requests)
    expect(order).toEqual(Array.from({ length: 10_000 }, (_, i) => i))
    expect(maxInFlight).toBeLessThanOrEqual(maxOutstandingRequests)
    expect(maxInFlight).toBeGreaterThan(1)
    expect(zk.outstandingRequests).toBe(0)
  })

  it('fails every in-flight request with CONNECTIONLOSS when the connection drops, and sends the waiting ones after reconnecting', async () => {
    const zk = await pool.connect(server.connectString(), { maxOutstandingRequests: 10 })
    const path = uniquePath('loss')
    await zk.create(path)
    const outcomes = Array.from({ length: 50 }, () =>
      zk.exists(path).then(
        () => 'ok',
        (error: unknown) => (error instanceof KeeperException ? error.codeName : 'other'),
      ),
    )
    expect(zk.inFlightRequests).toBe(10)
    zk.dropConnection()
    const results = await Promise.all(outcomes)
    expect(results.slice(0, 10)).toEqual(Array(10).fill('CONNECTIONLOSS'))
    expect(results.slice(10)).toEqual(Array(40).fill('ok'))
  })

  it('bounds the queue while disconnected', async () => {
    const zk = await pool.connect(server.connectString(), {
      maxQueuedRequests: 5,
      reconnectPacing: { reconnectJitterMsMax: 1, cycleDelayMs: 300 },
    })
    zk.dropConnection()
    const queued = Array.from({ length: 5 }, () => zk.exists('/'))
    await expect(zk.exists('/')).rejects.toMatchObject({ code: ErrorCode.CONNECTIONLOSS })
    const stats = await Promise.all(queued)
    expect(stats.every((stat) => stat !== null)).toBe(true)
  })
})
