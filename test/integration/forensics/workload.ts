// A workload that leaves every kind of txn in a data directory (creates in every mode, setData, delete, setACL,
// multi, a failing multi, sessions opened and closed with their ephemerals), with the tree read back through a
// client at two points: half-way and at the end. Shared by the integration test and the e2e test of the Data dir view.
import { createServer } from 'node:net'
import { CreateMode, Op, Perms, ZooKeeperClient } from '../../../engine/client'
import type { ACL } from '../../../engine/proto/data-records'

export interface ReadNode {
  data: string | null
  czxid: bigint
  mzxid: bigint
  pzxid: bigint
  ctime: number
  mtime: number
  version: number
  cversion: number
  aversion: number
  dataLength: number
  numChildren: number
  acl: string[]
}

export interface WorkloadPoint {
  /** The zxid of the marker write that ends this point: the tree as of it is `tree`. */
  zxid: bigint
  timeMs: number
  tree: Map<string, ReadNode>
}

export interface WorkloadResult {
  middle: WorkloadPoint
  end: WorkloadPoint
  /** The session that made ephemerals and closed. */
  closedSessionId: bigint
  /** The session still open when the server stops. */
  openSessionId: bigint
  /** How many setData txns touched /f/data (multi included). */
  dataWrites: number
}

/** A port below 32768 nobody listens on now (the ephemeral range above it belongs to outgoing connections). */
export async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
}

function aclText(acl: readonly ACL[]): string[] {
  return acl.map((entry) => `${entry.perms}:${entry.id.scheme}:${entry.id.id}`).sort()
}

/** Every node a client sees, with data, stat and ACL. */
export async function readTree(client: ZooKeeperClient): Promise<Map<string, ReadNode>> {
  const out = new Map<string, ReadNode>()
  const walk = async (path: string): Promise<void> => {
    const { data, stat } = await client.getData(path)
    const { acl } = await client.getACL(path)
    out.set(path, {
      data: data === null ? null : data.toString('hex'),
      czxid: stat.czxid,
      mzxid: stat.mzxid,
      pzxid: stat.pzxid,
      ctime: stat.ctime,
      mtime: stat.mtime,
      version: stat.version,
      cversion: stat.cversion,
      aversion: stat.aversion,
      dataLength: stat.dataLength,
      numChildren: stat.numChildren,
      acl: aclText(acl),
    })
    for (const child of (await client.getChildren(path)).sort()) await walk(path === '/' ? `/${child}` : `${path}/${child}`)
  }
  await walk('/')
  return out
}

const OPEN = [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }]
const READ_ONLY = [{ perms: Perms.READ | Perms.ADMIN, id: { scheme: 'world', id: 'anyone' } }]

async function point(client: ZooKeeperClient, label: string): Promise<WorkloadPoint> {
  const stat = await client.setData('/f/marker', label)
  return { zxid: stat.mzxid, timeMs: stat.mtime, tree: await readTree(client) }
}

export async function runWorkload(connectString: string): Promise<WorkloadResult & { close(): Promise<void> }> {
  const a = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 })
  const b = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 30_000 })
  const c = await ZooKeeperClient.connect(connectString, { sessionTimeoutMs: 60_000 })
  let dataWrites = 0
  await a.create('/f', 'forensics')
  await a.create('/f/marker', 'start')
  await a.create('/f/data', 'v0')
  const sequential: string[] = []
  for (let i = 0; i < 3; i++) sequential.push(await a.create('/f/seq-', `s${i}`, { mode: CreateMode.PERSISTENT_SEQUENTIAL }))
  await a.create('/f/box', null, { mode: CreateMode.CONTAINER })
  await a.create('/f/box/c', 'in a container')
  await a.create('/f/ttl', 'lives a while', { mode: CreateMode.PERSISTENT_WITH_TTL, ttlMs: 3_600_000 })
  await a.create('/f/acl', 'acl')
  await a.setACL('/f/acl', READ_ONLY)
  await a.create2('/f/gone', 'bye')
  await a.delete('/f/gone')
  await b.create('/f/eph', 'b', { mode: CreateMode.EPHEMERAL })
  await b.create('/f/eph-', 'b', { mode: CreateMode.EPHEMERAL_SEQUENTIAL })
  await c.create('/f/stays', 'c', { mode: CreateMode.EPHEMERAL })
  for (let i = 1; i <= 10; i++) {
    await a.setData('/f/data', `v${i}`)
    dataWrites++
  }
  const middle = await point(a, 'middle')
  await a.multi([Op.create('/f/m1', 'multi'), Op.setData('/f/data', 'from multi'), Op.delete(sequential[0]!), Op.check('/f/data', -1)])
  dataWrites++
  // A multi that fails: Apache logs it as a multi of error txns.
  await a.multi([Op.create('/f/m2', 'never'), Op.delete('/f/does-not-exist')]).catch(() => undefined)
  const closedSessionId = b.sessionId
  await b.close()
  for (let i = 11; i <= 20; i++) {
    await a.setData('/f/data', `v${i}`)
    dataWrites++
  }
  await a.setACL('/f/acl', OPEN)
  const end = await point(a, 'end')
  return {
    middle,
    end,
    closedSessionId,
    openSessionId: c.sessionId,
    dataWrites,
    async close() {
      await a.close().catch(() => undefined)
      await c.close().catch(() => undefined)
    },
  }
}
