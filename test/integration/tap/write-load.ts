// A client write load for the tap tests: several clients on their own sessions creating, setting and deleting
// nodes (pipelined), plus short sessions that create ephemerals and close (createSession / closeSession txns).
import { CreateMode, ZooKeeperClient } from '../../../engine/client'

export interface WriteLoad {
  /** Writes the clients asked for and were answered OK (txns the ensemble committed for them, sessions aside). */
  writes: number
  sessions: number
  elapsedMs: number
}

export interface WriteLoadOptions {
  root: string
  clients: number
  writesPerClient: number
  /** Short sessions, each with `ephemeralsPerSession` ephemerals, closed at the end. */
  sessions: number
  ephemeralsPerSession: number
  /** Requests in flight per client. */
  window?: number
}

export async function runWriteLoad(connectString: string, options: WriteLoadOptions): Promise<WriteLoad> {
  const started = performance.now()
  const setup = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 })
  await setup.create(options.root).catch(() => undefined)
  await setup.close()
  const counts = await Promise.all([
    ...Array.from({ length: options.clients }, (_, index) => writer(connectString, `${options.root}/w${index}`, options)),
    sessionChurn(connectString, options),
  ])
  return { writes: counts.reduce((sum, count) => sum + count, 0), sessions: options.clients + options.sessions + 1, elapsedMs: performance.now() - started }
}

/** create / setData / delete in a 3:2:1 mix, `window` requests in flight. */
async function writer(connectString: string, base: string, options: WriteLoadOptions): Promise<number> {
  const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 })
  let writes = 0
  try {
    await client.create(base, 'base')
    writes++
    const window = options.window ?? 32
    for (let offset = 0; offset < options.writesPerClient; offset += window) {
      const batch: Promise<unknown>[] = []
      for (let i = offset; i < Math.min(offset + window, options.writesPerClient); i++) {
        const node = `${base}/n${Math.floor(i / 6)}`
        switch (i % 6) {
          case 0:
          case 1:
          case 2:
            batch.push(client.create(`${node}-${i % 6}`, Buffer.alloc(16 * (i % 7), 7)))
            break
          case 3:
          case 4:
            batch.push(client.setData(`${node}-${i % 6 - 3}`, `v${i}`))
            break
          default:
            batch.push(client.delete(`${node}-2`))
        }
      }
      await Promise.all(batch)
      writes += batch.length
    }
  } finally {
    await client.close()
  }
  return writes
}

async function sessionChurn(connectString: string, options: WriteLoadOptions): Promise<number> {
  let writes = 0
  for (let s = 0; s < options.sessions; s++) {
    const client = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 10_000 })
    await Promise.all(Array.from({ length: options.ephemeralsPerSession }, (_, e) => client.create(`${options.root}/eph-${s}-${e}`, 'x', { mode: CreateMode.EPHEMERAL })))
    writes += options.ephemeralsPerSession
    await client.close()
  }
  return writes
}
